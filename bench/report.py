"""The Markdown report of one run: the targets judged (bench/targets.py), each scale's figures, notes."""

from __future__ import annotations

from bench.notes import (
    CODE_FIGURES,
    HOW_TO_RUN,
    LIVE,
    METHOD,
    OPTIMIZED,
    OUT_OF_REACH,
    SHAPE,
)
from bench.targets import (
    MB,
    OVERVIEW_CALLBACKS,
    overview_cold_ms,
    ratio_of,
    serving_peak,
    targets,
)


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
            f"{ratio_of(cold['p50_ms'], sql['p50_ms'])} | {warm['rps']}{_one_worker(warm)} ({ratio_of(warm['rps'], floor['rps'])}) | "
            f"{warm['p50_ms']} / {warm['p95_ms']} | {warm['cpu_ms_per_request']} |"
        )
    for name, warm in s["other_callbacks"].items():
        lines.append(
            f"| {name} | — | — | — | {warm['rps']}{_one_worker(warm)} ({ratio_of(warm['rps'], floor['rps'])}) | "
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
            f"serving users {serving_peak(s):.0f} MB; VmHWM {peaks} MB (includes the bench's "
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
    lines += [
        OPTIMIZED,
        "",
        SHAPE,
        "",
        LIVE,
        "",
        CODE_FIGURES,
        "",
        OUT_OF_REACH,
        "",
        METHOD,
        "",
    ]
    return "\n".join(lines)
