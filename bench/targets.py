"""The targets of issue 7 judged from one run's figures: [{target, scale, measured, limit, ok}]."""

from __future__ import annotations

MB = 2**20
# The overview page's data comes from two callbacks fired together: KPIs and charts (from the
# daily rollup) and the top-campaigns table (a ranking of every campaign over the raw rows).
OVERVIEW_CALLBACKS = ("overview", "overview top campaigns")


def ratio_of(a, b):
    return round(a / b, 2) if a is not None and b else None


def targets(results: dict) -> list[dict]:
    """[{target, scale, measured, limit, ok}] for every target the run measured."""
    rows: list[dict] = []

    def add(target, scale, value, limit, ok, unit=""):
        rows.append(
            {
                "target": target,
                "scale": scale,
                "measured": value,
                "limit": limit,
                "unit": unit,
                "ok": bool(ok) if value is not None else None,
            }
        )

    scales = results["scales"]
    for scale, s in scales.items():
        floor, app = s["floor_noop"], s["app_noop"]
        ratio = ratio_of(app["cpu_ms_per_request"], floor["cpu_ms_per_request"])
        add(
            "per-request overhead: app no-op / bare no-op, CPU per request",
            scale,
            ratio,
            "≤ 1.5×",
            ratio is not None and ratio <= 1.5,
            "×",
        )
        for name in (*OVERVIEW_CALLBACKS, "campaigns table"):
            cb = s["callbacks"].get(name)
            if cb is None:  # a run from before the table had its own callback
                continue
            share = ratio_of(cb["warm"]["rps"], floor["rps"])
            add(
                f"warm {name} throughput / no-op floor",
                scale,
                share,
                "≥ 0.5×",
                share is not None and share >= 0.5,
                "×",
            )
        for name, cb in s["callbacks"].items():
            ratio = ratio_of(cb["cold"]["p50_ms"], cb["sql"]["p50_ms"])
            add(
                f"cold {name} p50 / its raw SQL",
                scale,
                ratio,
                "≤ 1.5×",
                ratio is not None and ratio <= 1.5,
                "×",
            )
        if s.get("naive"):
            naive_ms = s["naive"]["seconds"] * 1000
            speed = ratio_of(naive_ms, overview_cold_ms(s))
            add(
                "overview (cold, all its data callbacks) faster than naive pandas",
                scale,
                speed,
                "≥ 100×",
                speed is not None and speed >= 100,
                "×",
            )
            worker = serving_peak(s)
            less = ratio_of(s["naive"]["peak_rss_mb"], worker)
            add(
                "less memory per worker than naive",
                scale,
                less,
                "≥ 10×",
                less is not None and less >= 10,
                "×",
            )
        worker = serving_peak(s)
        add(
            "resident memory per worker, peak while serving",
            scale,
            round(worker),
            "≤ 150 MB",
            worker <= 150,
            " MB",
        )
        if s.get("load"):
            held = s["load"]["held"]
            users = held["users"] if held else 0
            add(
                "concurrent users held (p95 ≤ 300 ms, 0 errors)",
                scale,
                users,
                "≥ 2,500",
                users >= 2500,
            )
        ex = s["export"]
        add(
            f"CSV export of {ex['rows']:,} rows / COPY",
            scale,
            ex["ratio"],
            "≤ 1.5×",
            ex["ratio"] <= 1.5,
            "×",
        )
        add(
            "CSV export peak memory growth",
            scale,
            ex["peak_growth_mb"],
            "≤ 64 MB",
            ex["peak_growth_mb"] <= 64,
            " MB",
        )
        page = s["overview_page"]
        kb = round(page["bytes"]["total_bytes"] / MB, 2)
        add("first page load (gzip), overview", scale, kb, "≤ 1.2 MB", kb <= 1.2, " MB")
        most = max(s["first_load_callbacks"].values())
        add("callbacks fired on first load (worst page)", scale, most, "≤ 4", most <= 4)
        add(
            "latency after 200 interactions / first ones",
            scale,
            s["session"]["ratio"],
            "≤ 1.2×",
            s["session"]["ratio"] <= 1.2,
            "×",
        )
        drawn = page["repeat_visit_ms"]
        add(
            "charts drawn after navigation, repeat visit",
            scale,
            drawn,
            "≤ 1,000 ms",
            drawn is not None and drawn <= 1000,
            " ms",
        )
        drawn = page["first_visit_ms"]
        add(
            "charts drawn after navigation, first visit",
            scale,
            drawn,
            "≤ 1,000 ms",
            drawn is not None and drawn <= 1000,
            " ms",
        )
    if "side_by_side" in results:
        for name, kind, one, ten in cross_scale_p95(results["side_by_side"]):
            ratio = ratio_of(ten, one)
            add(
                f"{name} p95 ({kind}) at 10M / at 1M, side by side",
                "both",
                ratio,
                "≤ 1.2×",
                ratio is not None and ratio <= 1.2,
                "×",
            )
    elif "1m" in scales and "10m" in scales:  # a run from before the side-by-side phase
        for name in OVERVIEW_CALLBACKS:
            one, ten = (scales[k]["callbacks"].get(name) for k in ("1m", "10m"))
            if one is None or ten is None:
                continue
            for kind in ("cold", "warm"):
                ratio = ratio_of(ten[kind]["p95_ms"], one[kind]["p95_ms"])
                add(
                    f"{name} p95 ({kind}) at 10M / at 1M",
                    "both",
                    ratio,
                    "≤ 1.2×",
                    ratio is not None and ratio <= 1.2,
                    "×",
                )
    return rows


def cross_scale_p95(side: dict) -> list[tuple[str, str, float, float]]:
    """(callback, "cold" or "warm", p95 at 1M, p95 at 10M) from the side-by-side phase."""
    rows = []
    for name, by_scale in side["callbacks"].items():
        one, ten = by_scale["1m"], by_scale["10m"]
        rows.append((name, "cold", one["cold"]["p95_ms"], ten["cold"]["p95_ms"]))
        rows.append((name, "warm", one["warm_p95_ms"], ten["warm_p95_ms"]))
    return rows


def overview_cold_ms(s: dict) -> float:
    """Cold p50 of the overview's data: its callbacks' p50s added up (the work the naive
    baseline does in one go; in a browser they run side by side)."""
    return sum(
        s["callbacks"][name]["cold"]["p50_ms"]
        for name in OVERVIEW_CALLBACKS
        if name in s["callbacks"]
    )


def serving_peak(s: dict) -> float:
    """Workers' peak RSS sampled under the user load (else after the run). Not VmHWM: that
    includes the sign-ins of the bench users, each an argon2 hash of 64 MiB."""
    if s.get("load"):
        return s["load"]["worker_peak_rss_mb"]
    return max(s["worker_rss_mb"] or [0])
