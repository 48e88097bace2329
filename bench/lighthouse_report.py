"""Lighthouse results read and judged: a summary of one result (LHR), the median run, the table
and the "## Lighthouse" section of docs/BENCHMARKS.md (replaced there, the rest kept)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

CATEGORIES = {
    "performance": "performance",
    "accessibility": "accessibility",
    "best-practices": "best practices",
}
# Issue 28: performance on the four pages it measured; the rest on every page.
PERFORMANCE_TARGET = {"desktop": 95, "mobile": 75}
PERFORMANCE_PAGES = ("overview", "campaigns", "campaign detail", "audit")
SCORE_TARGET = {"accessibility": 100, "best-practices": 100}
CLS_TARGET = 0.02
HEADING = "## Lighthouse"
BEFORE = "## What was optimized"  # where a first section goes, if the file has no such heading
TOP = 5  # failing audits listed per category
# Dash's cache-busting part of a file name: dash_core_components.v4_4_1m1796664711.js
FINGERPRINT = re.compile(r"\.v\d+_\d+_\d+m\d+")
# Not faults of the page: audits that only inform or that a person has to check.
NOT_JUDGED = {"notApplicable", "manual", "informative", "error"}


def summarize(lhr: dict) -> dict:
    """The figures of one Lighthouse result that the report uses."""
    audits = lhr["audits"]
    scores = {}
    for cat in CATEGORIES:
        score = lhr["categories"].get(cat, {}).get("score")
        scores[cat] = None if score is None else round(score * 100)
    final = lhr.get("finalDisplayedUrl") or lhr.get("finalUrl") or ""
    return {
        "scores": scores,
        "lcp_ms": _numeric(audits, "largest-contentful-paint"),
        "tbt_ms": _numeric(audits, "total-blocking-time"),
        "cls": _numeric(audits, "cumulative-layout-shift", 4),
        "final_path": urlsplit(final).path,
        "user_agent": lhr.get("environment", {}).get("hostUserAgent", ""),
        "benchmark_index": lhr.get("environment", {}).get("benchmarkIndex"),
        "runtime_error": (lhr.get("runtimeError") or {}).get("message"),
        "failed_requests": _failed_requests(audits),
        "failing": {cat: _failing(lhr, cat) for cat in CATEGORIES},
    }


def _failed_requests(audits: dict) -> list[str]:
    """Paths answered 4xx/5xx (a callback refused for want of a session or CSRF token shows here)."""
    items = (audits.get("network-requests", {}).get("details") or {}).get("items", [])
    return [
        f"{item.get('statusCode')} {urlsplit(item['url']).path}"
        for item in items
        if (item.get("statusCode") or 0) >= 400
    ]


def _numeric(audits: dict, audit_id: str, digits: int = 0) -> float | None:
    value = audits.get(audit_id, {}).get("numericValue")
    return None if value is None else round(value, digits)


def _failing(lhr: dict, category: str) -> list[dict]:
    """The category's audits that lost points, the costliest first (performance: by the
    milliseconds Lighthouse estimates they cost; the others: by their weight)."""
    found = []
    for ref in lhr["categories"].get(category, {}).get("auditRefs", []):
        audit = lhr["audits"].get(ref["id"], {})
        score, mode = audit.get("score"), audit.get("scoreDisplayMode")
        if ref.get("group") in ("metrics", "hidden") or mode in NOT_JUDGED:
            continue
        if category != "performance" and not ref.get("weight"):
            continue  # costs no points (e.g. source maps): not what holds the score back
        if score is None or score >= 0.9:
            continue
        savings = audit.get("metricSavings") or {}
        found.append(
            {
                "id": ref["id"],
                "weight": ref.get("weight", 0),
                "savings_ms": round(
                    sum(savings.get(m, 0) for m in ("LCP", "FCP", "TBT"))
                ),
                "savings_cls": round(savings.get("CLS", 0), 3),
                "display": audit.get("displayValue", "").replace("\xa0", " "),
                "where": _where(audit),
            }
        )
    # What moves the layout first: CLS has its own target, and milliseconds do not measure it.
    found.sort(
        key=lambda a: (-a["weight"], -a["savings_cls"], -a["savings_ms"], a["id"])
    )
    return found[:TOP]


def _where(audit: dict) -> list[str]:
    """Up to two places an audit points at (a CSS selector, a file's name, a console message)."""
    places = []
    for item in (audit.get("details") or {}).get("items", [])[:2]:
        node = item.get("node") if isinstance(item.get("node"), dict) else {}
        text = node.get("selector") or item.get("description") or item.get("url") or ""
        if not isinstance(text, str) or not text:
            continue
        if text.startswith("http"):  # the file's name says more than a long path
            text = urlsplit(text).path.rsplit("/", 1)[-1] or text
        text = FINGERPRINT.sub("", " ".join(text.split()))  # inline CSS spans lines
        places.append(text[:60])
    return places


def median_run(runs: list[dict]) -> dict:
    """The run with the median performance score (the lower middle of an even count), so the
    figures reported belong together; every run's score kept beside it."""
    ordered = sorted(
        runs,
        key=lambda r: (
            r["scores"]["performance"] is None,
            r["scores"]["performance"] or 0,
        ),
    )
    median = dict(ordered[(len(ordered) - 1) // 2])
    median["performance_runs"] = [r["scores"]["performance"] for r in runs]
    median["load_runs"] = [r["load_1m"] for r in runs if r.get("load_1m") is not None]
    return median


def one_line(summary: dict) -> str:
    s = summary["scores"]
    text = (
        f"performance {s['performance']}, accessibility {s['accessibility']}, best practices "
        f"{s['best-practices']}, LCP {summary['lcp_ms']} ms, TBT {summary['tbt_ms']} ms, "
        f"CLS {summary['cls']}"
    )
    if summary["final_path"].startswith("/login"):
        text += " — SIGNED OUT (ended on the sign-in page)"
    if summary["failed_requests"]:
        text += f" — failed requests: {', '.join(summary['failed_requests'][:3])}"
    if summary["runtime_error"]:
        text += f" — error: {summary['runtime_error']}"
    return text


def misses(page: str, form_factor: str, summary: dict) -> list[str]:
    """What of the issue's targets this page and form factor misses (empty: all met)."""
    s, missed = summary["scores"], []
    if page in PERFORMANCE_PAGES and not _at_least(
        s["performance"], PERFORMANCE_TARGET[form_factor]
    ):
        missed.append("performance")
    for cat, target in SCORE_TARGET.items():
        if not _at_least(s[cat], target):
            missed.append(CATEGORIES[cat])
    if summary["cls"] is None or summary["cls"] > CLS_TARGET:
        missed.append("CLS")
    if summary["final_path"].startswith("/login"):
        missed.append("signed out")
    if summary["failed_requests"]:
        missed.append("failed requests")
    return missed


def _at_least(value: int | None, target: int) -> bool:
    return value is not None and value >= target


def _cell(value, target: str) -> str:
    shown = "—" if value is None else str(value)
    return f"{shown} ({target})" if target else shown


def table(run: dict) -> str:
    """page × form factor: each score and CLS beside its target, LCP, TBT, and the verdict."""
    lines = [
        "| page | form factor | performance | (each run) | accessibility | best practices | LCP s | TBT ms | CLS | result |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for page, by_ff in run["pages"].items():
        for ff in ("desktop", "mobile"):
            if ff not in by_ff:
                continue
            m = by_ff[ff]
            s = m["scores"]
            perf_target = (
                f"≥ {PERFORMANCE_TARGET[ff]}" if page in PERFORMANCE_PAGES else ""
            )
            missed = misses(page, ff, m)
            lcp = "—" if m["lcp_ms"] is None else f"{m['lcp_ms'] / 1000:.1f}"
            tbt = "—" if m["tbt_ms"] is None else f"{m['tbt_ms']:,.0f}"
            cls = "—" if m["cls"] is None else f"{m['cls']:.3f}"
            lines.append(
                f"| {page} `{by_ff['path']}` | {ff} | {_cell(s['performance'], perf_target)} | "
                f"{', '.join('—' if p is None else str(p) for p in m['performance_runs'])} | "
                f"{_cell(s['accessibility'], '100')} | {_cell(s['best-practices'], '100')} | "
                f"{lcp} | {tbt} | {cls} (≤ {CLS_TARGET}) | "
                f"{'FAIL: ' + ', '.join(missed) if missed else 'PASS'} |"
            )
    return "\n".join(lines)


def _audit_text(audit: dict) -> str:
    text = f"`{audit['id']}`"
    if audit["display"]:
        text += f" ({audit['display']})"
    if audit["where"]:
        text += ": " + ", ".join(f"`{w}`" for w in audit["where"])
    return text


def held_against(run: dict) -> list[str]:
    """Per page: the top failing audits of the median runs, performance per form factor,
    accessibility and best practices once (the same audits on both)."""
    lines = []
    for page, by_ff in run["pages"].items():
        parts = []
        for ff in ("desktop", "mobile"):
            if ff in by_ff and (found := by_ff[ff]["failing"]["performance"]):
                parts.append(
                    f"performance, {ff}: " + "; ".join(map(_audit_text, found))
                )
        for cat in ("accessibility", "best-practices"):
            merged: dict[str, dict] = {}
            for ff in ("desktop", "mobile"):
                for audit in by_ff.get(ff, {}).get("failing", {}).get(cat, []):
                    merged.setdefault(audit["id"], audit)
            if merged:
                parts.append(
                    f"{CATEGORIES[cat]}: "
                    + "; ".join(map(_audit_text, merged.values()))
                )
        body = "\n  - ".join(parts) if parts else "nothing"
        lines.append(f"- **{page}**\n  - {body}")
    return lines


def _how(run: dict) -> str:
    indexes = sorted(
        m["benchmark_index"]
        for by_ff in run["pages"].values()
        for ff, m in by_ff.items()
        if ff != "path" and m.get("benchmark_index")
    )
    index = (
        f"; Lighthouse's CPU benchmark index {indexes[len(indexes) // 2]:.0f}"
        if indexes
        else ""
    )
    loads = sorted(
        load
        for by_ff in run["pages"].values()
        for ff, m in by_ff.items()
        if ff != "path"
        for load in m.get("load_runs", [])
    )
    if loads:
        index += (
            f"; the machine's 1-minute load average as each run began {loads[0]:g}-"
            f"{loads[-1]:g} (median {loads[len(loads) // 2]:g}: other work shared the cores)"
        )
    return (
        f"Measured {run['started']} at commit `{run['commit']}` with Lighthouse "
        f"{run['lighthouse']} (pinned in `bench/lighthouse/package-lock.json`) and Debian's "
        f"{run['chromium']}, headless, on {run['cores']} cores{index}. The app runs as in "
        "production (gunicorn, 2 workers, PostgreSQL, Redis) over the demo data set in a fresh "
        "database, every page signed in as acme's admin; each row is the median of "
        f"{run['runs']} runs (the run with the median performance score, all its figures). "
        "Desktop is Lighthouse's desktop config (`--preset=desktop`); mobile its default (a "
        "Moto G Power's screen, simulated slow 4G, CPU slowed 4x). The session's cookies go "
        "into the browser's cookie jar (`bench/lighthouse/run.mjs` says why not "
        "`--extra-headers`). `make lighthouse` runs it and rewrites this section."
    )


TARGETS_TEXT = (
    "Targets (issue 28): performance ≥ 95 on desktop and ≥ 75 on mobile for overview, "
    "campaigns, campaign detail and audit; accessibility 100, best practices 100 and CLS "
    f"≤ {CLS_TARGET} on every page. Each cell: measured (target)."
)
HELD_TEXT = (
    f"The median runs' audits that lost points, at most {TOP} per category: performance's "
    "layout shifts first, then by Lighthouse's estimate of the milliseconds each costs (LCP + "
    "FCP + TBT); the others by their weight in the score. Up to two places each (selector, "
    "file or console message). A category not named lost nothing."
)


def section(run: dict) -> str:
    """The whole "## Lighthouse" section of one run."""
    return "\n".join(
        [
            HEADING,
            "",
            _how(run),
            "",
            TARGETS_TEXT,
            "",
            table(run),
            "",
            "### What Lighthouse holds against each page",
            "",
            HELD_TEXT,
            "",
            *held_against(run),
            "",
        ]
    )


def _bounds(text: str, heading: str = HEADING) -> tuple[int, int] | None:
    """Start and end (the next "## " heading, or the end) of the ``heading`` section."""
    match = re.search(rf"^{re.escape(heading)}[ \t]*$", text, flags=re.MULTILINE)
    if not match:
        return None
    following = re.compile(r"^## ", flags=re.MULTILINE).search(text, match.end())
    return match.start(), following.start() if following else len(text)


def put_section(
    text: str, new_section: str, heading: str = HEADING, before: str | None = BEFORE
) -> str:
    """``text`` with its ``heading`` section (Lighthouse's by default) replaced by
    ``new_section`` (inserted before ``before``, or at the end, when it has none); everything
    else as it was."""
    block = new_section.rstrip("\n") + "\n\n"
    if bounds := _bounds(text, heading):
        start, end = bounds
        if end == len(text):
            block = block.rstrip("\n") + "\n"
        return text[:start] + block + text[end:]
    if before and (at := text.find("\n" + before)) >= 0:
        return text[: at + 1] + block + text[at + 1 :]
    return text.rstrip("\n") + "\n\n" + block.rstrip("\n") + "\n"


def replace_section(text: str, run: dict) -> str:
    return put_section(text, section(run))


def carry_section(
    old: str, new: str, heading: str = HEADING, before: str | None = BEFORE
) -> str:
    """``new`` (a regenerated report) with ``old``'s ``heading`` section, if it had one."""
    bounds = _bounds(old, heading)
    if not bounds:
        return new
    return put_section(new, old[bounds[0] : bounds[1]], heading, before)
