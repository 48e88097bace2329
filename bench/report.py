"""The targets of issue 7 judged from one run's figures, and the Markdown report."""

from __future__ import annotations

from bench.notes import CODE_FIGURES, HOW_TO_RUN, METHOD, OPTIMIZED, OUT_OF_REACH

MB = 2**20
# The overview page's data comes from two callbacks fired together: KPIs and charts (from the
# daily rollup) and the top-campaigns table (a ranking of every campaign over the raw rows).
OVERVIEW_CALLBACKS = ("overview", "overview top campaigns")


def _r(a, b):
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
        ratio = _r(app["cpu_ms_per_request"], floor["cpu_ms_per_request"])
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
            share = _r(cb["warm"]["rps"], floor["rps"])
            add(
                f"warm {name} throughput / no-op floor",
                scale,
                share,
                "≥ 0.5×",
                share is not None and share >= 0.5,
                "×",
            )
        for name, cb in s["callbacks"].items():
            ratio = _r(cb["cold"]["p50_ms"], cb["sql"]["p50_ms"])
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
            speed = _r(naive_ms, overview_cold_ms(s))
            add(
                "overview (cold, all its data callbacks) faster than naive pandas",
                scale,
                speed,
                "≥ 100×",
                speed is not None and speed >= 100,
                "×",
            )
            worker = _serving_peak(s)
            less = _r(s["naive"]["peak_rss_mb"], worker)
            add(
                "less memory per worker than naive",
                scale,
                less,
                "≥ 10×",
                less is not None and less >= 10,
                "×",
            )
        worker = _serving_peak(s)
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
            ratio = _r(ten, one)
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
                ratio = _r(ten[kind]["p95_ms"], one[kind]["p95_ms"])
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


def _side_by_side_section(side: dict) -> list[str]:
    into = f", added to the run `{side['into']}`" if side.get("into") else ""
    when = (
        f"Measured {side['started']}{into}. Cold: every round's samples pooled (p50 / p95 of "
        "them); warm: each round's wrk p95, and their median."
    )
    lines = [
        "## 10M beside 1M (both apps up at once, runs alternated)",
        "",
        when,
        "",
        "| callback | 1M cold p50 / p95 ms (n) | 10M cold p50 / p95 ms (n) | 1M warm p95 ms, rounds (median) | 10M warm p95 ms, rounds (median) |",
        "|---|---|---|---|---|",
    ]
    for name, by_scale in side["callbacks"].items():
        cells = [name]
        for scale in ("1m", "10m"):
            cold = by_scale[scale]["cold"]
            cells.append(f"{cold['p50_ms']} / {cold['p95_ms']} ({cold['n']})")
        for scale in ("1m", "10m"):
            runs = ", ".join(_num(r["p95_ms"]) for r in by_scale[scale]["warm_runs"])
            cells.append(f"{runs} ({_num(by_scale[scale]['warm_p95_ms'])})")
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def overview_cold_ms(s: dict) -> float:
    """Cold p50 of the overview's data: its callbacks' p50s added up (the work the naive
    baseline does in one go; in a browser they run side by side)."""
    return sum(
        s["callbacks"][name]["cold"]["p50_ms"]
        for name in OVERVIEW_CALLBACKS
        if name in s["callbacks"]
    )


def _serving_peak(s: dict) -> float:
    """Workers' peak RSS sampled under the user load (else after the run). Not VmHWM: that
    includes the sign-ins of the bench users, each an argon2 hash of 64 MiB."""
    if s.get("load"):
        return s["load"]["worker_peak_rss_mb"]
    return max(s["worker_rss_mb"] or [0])


def _overview_parts(s: dict) -> str:
    return " + ".join(
        f"{name} {s['callbacks'][name]['cold']['p50_ms']} ms"
        for name in OVERVIEW_CALLBACKS
        if name in s["callbacks"]
    )


def _mark(ok) -> str:
    return "—" if ok is None else ("PASS" if ok else "FAIL")


def _num(v) -> str:
    if v is None:
        return "—"
    return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}".rstrip("0").rstrip(".")


def summary_table(results: dict) -> str:
    lines = ["| target | scale | measured | limit | result |", "|---|---|---|---|---|"]
    for t in targets(results):
        lines.append(
            f"| {t['target']} | {t['scale']} | {_num(t['measured'])}{t['unit']} | {t['limit']} | {_mark(t['ok'])} |"
        )
    return "\n".join(lines)


def _callback_table(s: dict) -> list[str]:
    floor = s["floor_noop"]
    lines = [
        "| callback | cold p50 / p95 ms | raw SQL ms (statements) | cold ÷ SQL | warm req/s (÷ floor) | warm p50 / p95 ms | CPU ms/req |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, cb in s["callbacks"].items():
        cold, sql, warm = cb["cold"], cb["sql"], cb["warm"]
        lines.append(
            f"| {name} | {cold['p50_ms']} / {cold['p95_ms']} | {sql['p50_ms']} ({sql['statements']}) | "
            f"{_r(cold['p50_ms'], sql['p50_ms'])} | {warm['rps']}{_one_worker(warm)} ({_r(warm['rps'], floor['rps'])}) | "
            f"{warm['p50_ms']} / {warm['p95_ms']} | {warm['cpu_ms_per_request']} |"
        )
    for name, warm in s["other_callbacks"].items():
        lines.append(
            f"| {name} | — | — | — | {warm['rps']}{_one_worker(warm)} ({_r(warm['rps'], floor['rps'])}) | "
            f"{warm['p50_ms']} / {warm['p95_ms']} | {warm['cpu_ms_per_request']} |"
        )
    for label, run in (
        ("**no-op, app**", s["app_noop"]),
        ("**no-op, bare Dash (floor)**", floor),
    ):
        lines.append(
            f"| {label} | — | — | — | {run['rps']} | {run['p50_ms']} / {run['p95_ms']} | {run['cpu_ms_per_request']} |"
        )
    return lines


ONE_WORKER_NOTE = (
    "† Every try of this wrk run had one gunicorn worker accept all eight connections while "
    "the other idled (see How each figure is taken): one worker's throughput, about half of "
    "what both give."
)


def _warm_runs(s: dict) -> list[dict]:
    """Every warm wrk figure of one scale: the data callbacks' and the others'."""
    return [cb["warm"] for cb in s["callbacks"].values()] + list(
        s["other_callbacks"].values()
    )


def _one_worker(warm: dict) -> str:
    return " †" if warm.get("balanced") is False else ""


def _load_table(load: dict) -> list[str]:
    lines = [
        "| users | req/s | p50 ms | p95 ms | p99 ms | failures | machine load avg | held |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for step in load["steps"]:
        lines.append(
            f"| {step['users']:,} | {step['rps']} | {step['p50_ms']} | {step['p95_ms']} | "
            f"{step['p99_ms']} | {step['failures']} | {step.get('load_average_1m', '—')} | "
            f"{'yes' if step['ok'] else 'no'} |"
        )
    return lines


def _scale_section(scale: str, s: dict) -> list[str]:
    page, ex, session = s["overview_page"], s["export"], s["session"]
    naive = s.get("naive")
    peaks = ", ".join(f"{v:.0f}" for v in s["worker_peak_rss_mb"])
    shared = "; ".join(
        f"PSS {p:.0f}, USS {u:.0f}" for p, u in s.get("worker_pss_uss_mb", [])
    )
    after = ", ".join(f"{v:.0f}" for v in s["worker_rss_mb"])
    unloaded = (
        f"Unloaded latency, one request at a time: app no-op p50 "
        f"{s['app_noop_serial']['p50_ms']} ms, bare Dash no-op p50 "
        f"{s['floor_noop_serial']['p50_ms']} ms."
    )
    naive_text = (
        "Not run at this scale (the target is at 1M rows; 10M rows would need ~13 GB)."
    )
    if naive:
        naive_text = (
            f"{naive['answer']['rows_read']:,} rows read: {naive['seconds']:.2f} s per overview, "
            f"against {overview_cold_ms(s):.1f} ms for the app's cold overview (its data "
            f"callbacks' p50s added up: {_overview_parts(s)}); "
            f"process peak {naive['peak_rss_mb']:.0f} MB (a worker-like process: app built first, "
            f"{naive['baseline_rss_mb']:.0f} MB before reading). App workers: peak while "
            f"serving users {_serving_peak(s):.0f} MB; VmHWM {peaks} MB (includes the bench's "
            f"100 sign-ins, 64 MiB of argon2 each); resident after the run {after} MB "
            f"({shared} MB: gunicorn preloads the app, so most of a worker's pages are shared)."
        )
    export_text = (
        f"{ex['rows']:,} rows ({ex['bytes'] / MB:.0f} MB, {ex['range'][0]} to "
        f"{ex['range'][1]}): route {ex['seconds']} s, `COPY (same SELECT) TO STDOUT "
        f"(FORMAT csv)` {ex['copy_seconds']} s (ratio {ex['ratio']}); workers' peak memory "
        f"growth {ex['peak_growth_mb']} MB."
    )
    fired = ", ".join(f"{k} {v}" for k, v in s["first_load_callbacks"].items())
    page_text = (
        f"Overview: charts drawn {page['first_visit_ms']} ms after navigation on a first "
        f"visit (runs: {page['first_visit_all_ms']}), {page['repeat_visit_ms']} ms on a "
        f"repeat visit (runs: {page['repeat_visit_all_ms']}); "
        f"{page['bytes']['total_bytes'] / MB:.2f} MB transferred (gzip) on the first visit, "
        f"of which {page['bytes']['callback_bytes'] / 1024:.0f} KB callback responses. "
        f"Callbacks fired on first load: {fired}."
    )
    session_text = (
        f"220 overview range changes in one signed-in session: p50 "
        f"{session['first_20']['p50_ms']} ms for the first 20, "
        f"{session['last_20']['p50_ms']} ms for 201-220 (ratio {session['ratio']})."
    )
    out = [
        f"## {scale.upper()} rows ({s['rows']:,} performance_metrics rows)",
        "",
        "### Callbacks (each beside its floor)",
        "",
        *_callback_table(s),
        "",
        unloaded,
        *(["", ONE_WORKER_NOTE] if any(map(_one_worker, _warm_runs(s))) else []),
        "",
        "### Naive baseline (raw rows into pandas, grouped there)",
        "",
        naive_text,
        "",
        "### CSV export",
        "",
        export_text,
        "",
        "### Page load in headless Chromium (server cache warm)",
        "",
        page_text,
        "",
        "### One long session",
        "",
        session_text,
        "",
    ]
    if s.get("load"):
        load = s["load"]
        cpu_text = (
            f"Server CPU over the ramp: {load['server_cpu_s']} s in {load['wall_s']} s; "
            f"workers' peak resident memory while loaded {load['worker_peak_rss_mb']} MB."
        )
        out += [
            "### Concurrent simulated users (locust on the same 2 cores)",
            "",
            *_load_table(load),
            "",
            cpu_text,
            "",
        ]
    return out


def markdown(results: dict, raw_name: str) -> str:
    floor = results["floor_page"]
    run = (
        f"Latest run: {results['started']} on {results['machine']['cores']} cores, Python "
        f"{results['machine']['python']}, scales {', '.join(results['args']['scales'])}"
        f"{' (quick)' if results['args']['quick'] else ''}, {results['seconds'] // 60} min. "
        f"Raw figures: `bench/results/{raw_name}` (not committed)."
    )
    bare = (
        f"Bare `dash.Dash` + dbc page (one graph, Bootstrap CSS): "
        f"{floor['bytes']['total_bytes'] / MB:.2f} MB (gzip requested; Dash's default sends "
        f"it uncompressed), charts drawn {floor['first_visit_ms']} ms after navigation on a "
        f"first visit (runs: {floor['first_visit_all_ms']}), {floor['repeat_visit_ms']} ms on "
        f"a repeat visit (runs: {floor['repeat_visit_all_ms']})."
    )
    lines = [
        "# Benchmarks",
        "",
        run,
        "",
        HOW_TO_RUN,
        "",
        "## Targets",
        "",
        summary_table(results),
        "",
        bare,
        "",
    ]
    for scale, s in results["scales"].items():
        lines += _scale_section(scale, s)
    if "side_by_side" in results:
        lines += _side_by_side_section(results["side_by_side"])
    lines += [OPTIMIZED, "", CODE_FIGURES, "", OUT_OF_REACH, "", METHOD, ""]
    return "\n".join(lines)
