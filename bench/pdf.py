"""`python -m bench.pdf [--runs 3] [--write]`: the PDF reports' targets of issue 31, side by side.

The overview PDF (target <= 2 s) and the campaign list's PDF of 5,000 rows (<= 10 s and
<= 600 MB peak resident on 2 cores), beside the CSV export of the same rows, through the app's
own routes in this process (the Flask test client, production settings, rate limits off); where
the time goes (queries and formatting, the chart renderer's start-up, drawing the charts,
WeasyPrint's layout and its PDF writing); peak resident memory (PSS) of this process and all its
children (the chart renderer and its Chromium) added up, sampled from /proc every 20 ms.

Data: its own PostgreSQL database (kiki_bench_pdf), 5,000 campaigns x 31 days x 1 platform
generated once by data.ops.demo.bulk_load_metrics and reused. The first PDF of a process pays
the renderer's start (and WeasyPrint's import): reported apart ("first"), then the median of
``--runs`` runs of each document, alternated. With --write the table goes into
docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import resource
import statistics
import threading
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from bench.client import ensure_users
from bench.dataset import END_DATE, PASSWORD, _admin, database_url

SCALE = "pdf"
ORG_SLUG = "pdfbench"
CAMPAIGNS, DAYS = 5_000, 31
START = END_DATE - timedelta(days=DAYS - 1)
RANGE = f"start={START}&end={END_DATE}"
LIST = f"{RANGE}&sort=name&desc=0"
FULL = "campaigns PDF, all 5,000 rows"
DOCUMENTS = {  # name -> (path, the PDF's row limit for this one: None keeps ROW_LIMIT)
    "overview PDF": (f"/export/overview.pdf?{RANGE}&granularity=day", None),
    "campaigns PDF (ROW_LIMIT rows)": (f"/export/campaigns.pdf?{LIST}", None),
    FULL: (f"/export/campaigns.pdf?{LIST}", CAMPAIGNS),
    "campaigns CSV, the same 5,000 rows": (f"/export/campaigns.csv?{LIST}", None),
}
TARGETS = {  # document -> (seconds, peak MB)
    "overview PDF": (2.0, None),
    FULL: (10.0, 600.0),
}
ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "BENCHMARKS.md"
HEADING = "## PDF reports (issue 31)"


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def ensure_data() -> tuple[str, int, str]:
    """(URL, organization id, an analyst's e-mail) of the bench database, built when missing."""
    from data.ops.demo import bulk_load_metrics
    from data.ops.migrate import upgrade_to_head

    url = database_url(SCALE)
    name = url.rsplit("/", 1)[1]
    want = CAMPAIGNS * DAYS
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            org = conn.scalar(
                sa.text("SELECT id FROM organizations WHERE slug = :s"), {"s": ORG_SLUG}
            )
            rows = conn.scalar(
                sa.text("SELECT count(*) FROM performance_metrics WHERE organization_id = :o"),
                {"o": org},
            )  # fmt: skip
    except sa.exc.SQLAlchemyError:
        org, rows = None, -1
    finally:
        engine.dispose()
    if org is None or rows != want:
        log(f"[data] building {name}: {CAMPAIGNS:,} campaigns x {DAYS} days")
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{name}"')
        upgrade_to_head(url)
        engine = sa.create_engine(url)
        bulk_load_metrics(
            engine,
            campaigns=CAMPAIGNS,
            days=DAYS,
            platforms_per_campaign=1,
            organization_slug=ORG_SLUG,
            end_date=END_DATE,
        )
        with engine.connect() as conn:
            org = conn.scalar(
                sa.text("SELECT id FROM organizations WHERE slug = :s"), {"s": ORG_SLUG}
            )
        engine.dispose()
    else:
        upgrade_to_head(url)
        log(f"[data] reusing {name}: {rows:,} rows")
    return url, org, ensure_users(url, org, 1)[0]


def make_client(url: str, email: str):
    """A signed-in test client of an app with production settings on the bench database."""
    import secrets

    from cryptography.fernet import Fernet

    from app import create_app

    server = create_app(
        {
            "DATABASE_URL": url,
            "KIKI_DEMO": False,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "KIKI_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
            "SESSION_COOKIE_SECURE": False,
            "KIKI_TODAY": END_DATE.isoformat(),
            "RATELIMIT_ENABLED": False,  # 10 PDFs a minute per user in production
            "LOG_LEVEL": "WARNING",
        }
    ).server
    client = server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )  # fmt: skip
    answer = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in failed: {answer.status_code}")
    return client


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        parent = queue.pop()
        try:
            for task in os.listdir(f"/proc/{parent}/task"):
                with open(f"/proc/{parent}/task/{task}/children") as handle:
                    kids = [int(k) for k in handle.read().split()]
                found += kids
                queue += kids
        except OSError:
            continue
    return found


def tree_memory_mb(pid: int | None = None) -> tuple[float, float]:
    """(PSS, RSS) of ``pid`` (this process) and every descendant, added up. PSS splits each
    shared page among the processes that map it (Chromium's processes share most of theirs),
    so its sum is what the tree holds; the RSS sum counts shared pages again in every process."""
    pid = pid or os.getpid()
    pss = rss = 0
    for member in [pid, *_descendants(pid)]:
        try:
            with open(f"/proc/{member}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
                        break
        except (OSError, ValueError):
            continue
    return pss / 1024, rss / 1024


TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds() -> float:
    """CPU (user + system) of this process, its live descendants and the children it reaped, so
    far: a figure that the other work on a shared machine changes less than the wall time."""
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)  # children that have exited
    total = time.process_time() + reaped.ru_utime + reaped.ru_stime
    for member in _descendants(os.getpid()):
        try:
            with open(f"/proc/{member}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
        except (OSError, ValueError, IndexError):
            continue
    return total


class PeakSampler:
    """The highest tree_memory_mb() seen while the block runs (every 100 ms, and at each end;
    reading smaps_rollup costs CPU, which counts in this process)."""

    def __enter__(self):
        self.pss, self.rss = tree_memory_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        pss, rss = tree_memory_mb()
        self.pss, self.rss = max(self.pss, pss), max(self.rss, rss)

    def _run(self):
        while not self._stop.wait(0.1):
            self._sample()

    def __exit__(self, *_exc):
        self._stop.set()
        self._thread.join()
        self._sample()


class Phases:
    """Seconds spent in the PDF's steps, by wrapping the functions that do them."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._undo: list = []

    def wrap(self, owner, name: str, phase: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[phase] = self.seconds.get(phase, 0.0) + (
                    time.perf_counter() - started
                )

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def reset(self) -> None:
        self.seconds = {}

    def restore(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)


def install_phases() -> Phases:
    import weasyprint
    import weasyprint.document

    import exports.pdf_charts as charts
    import exports.pdf_document as document

    phases = Phases()
    phases.wrap(document, "render_template", "HTML template")
    phases.wrap(weasyprint.HTML, "render", "WeasyPrint layout")
    phases.wrap(weasyprint.document.Document, "write_pdf", "WeasyPrint PDF writing")
    if hasattr(charts, "Renderer"):  # the warm renderer (before it: a child per PDF)
        phases.wrap(charts.Renderer, "start", "renderer start")
        phases.wrap(charts.Renderer, "draw", "drawing")
    phases.wrap(document, "figures_to_svg", "charts (all)")
    if hasattr(document, "layout_in_child"):  # a long document's WeasyPrint, in a child
        phases.wrap(document, "layout_in_child", "WeasyPrint in a child")
    return phases


def fetch(client, document: tuple[str, int | None], phases: Phases) -> dict:
    import exports.pdf

    path, row_limit = document
    phases.reset()
    kept = exports.pdf.ROW_LIMIT
    exports.pdf.ROW_LIMIT = row_limit or kept
    try:
        with PeakSampler() as sampler:
            started, cpu = time.perf_counter(), tree_cpu_seconds()
            response = client.get(path)
            body = response.get_data()
            seconds = time.perf_counter() - started
            cpu = tree_cpu_seconds() - cpu
    finally:
        exports.pdf.ROW_LIMIT = kept
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code} {body[:300]!r}")
    result = {
        "seconds": round(seconds, 3),
        "cpu_s": round(cpu, 2),
        "peak_mb": round(sampler.pss, 1),
        "peak_rss_sum_mb": round(sampler.rss, 1),
        "bytes": len(body),
        "phases": {k: round(v, 3) for k, v in phases.seconds.items()},
    }
    if body.startswith(b"%PDF"):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(body))
        result["pages"] = len(reader.pages)
        last = reader.pages[-1].extract_text()
        result["last_row_in_it"] = (
            "Bench 05000" in last if "campaigns" in path else None
        )
    else:
        result["rows"] = body.count(b"\n") - 1
    return result


def run(runs: int, only: str = "") -> dict:
    url, _org, email = ensure_data()
    client = make_client(url, email)
    phases = install_phases()
    load = os.getloadavg()
    log(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    base = tree_memory_mb()[0]
    results: dict[str, dict] = {}
    documents = {k: v for k, v in DOCUMENTS.items() if only.lower() in k.lower()}
    for name, document in documents.items():  # the first of each in this process
        results[name] = {"first": fetch(client, document, phases), "runs": []}
        log(f"  {name} (first): {json.dumps(results[name]['first'])}")
    for n in range(runs):
        for name, document in documents.items():
            results[name]["runs"].append(fetch(client, document, phases))
            log(f"  {name} run {n + 1}: {json.dumps(results[name]['runs'][-1])}")
    for entry in results.values():
        times = [r["seconds"] for r in entry["runs"]]
        entry["median_s"] = round(statistics.median(times), 2)
        entry["median_cpu_s"] = round(
            statistics.median(r["cpu_s"] for r in entry["runs"]), 2
        )
        entry["peak_mb"] = max(r["peak_mb"] for r in [entry["first"], *entry["runs"]])
        median = sorted(entry["runs"], key=lambda r: r["seconds"])[len(times) // 2]
        entry["median_phases"] = median["phases"]
    after = os.getloadavg()
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
        "cores": os.cpu_count(),
        "load_before": [round(x, 2) for x in load],
        "load_after": [round(x, 2) for x in after],
        "rss_before_mb": round(base, 1),
        "results": results,
    }


def table(report: dict) -> str:
    lines = [
        HEADING,
        "",
        (
            f"Latest run: {report['when']} on {report['cores']} cores, load average "
            f"{report['load_before'][0]} before and {report['load_after'][0]} after "
            f"(`make bench-pdf`). Resident memory (PSS) of the process before the first "
            f"PDF: {report['rss_before_mb']} MB; the PDFs run in this order, so the chart "
            "renderer the overview started is alive (and counted) during the others."
        ),
        "",
        (
            "| document | first in the process s | median of runs s (runs) | median CPU s, "
            "process + children | peak resident MB (PSS), process + children | size | "
            "target | result |"
        ),
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, entry in report["results"].items():
        first = entry["first"]
        size = (
            f"{first['pages']} pages, {first['bytes'] / 1e6:.1f} MB"
            if "pages" in first
            else f"{first['rows']:,} rows, {first['bytes'] / 1e6:.1f} MB"
        )
        seconds, memory = TARGETS.get(name, (None, None))
        target = " and ".join(
            filter(
                None, [seconds and f"≤ {seconds:g} s", memory and f"≤ {memory:g} MB"]
            )
        )
        ok = (seconds is None or entry["median_s"] <= seconds) and (
            memory is None or entry["peak_mb"] <= memory
        )
        runs = ", ".join(f"{r['seconds']:.2f}" for r in entry["runs"])
        lines.append(
            f"| {name} | {first['seconds']:.2f} | {entry['median_s']:.2f} ({runs}) | "
            f"{_cpu(entry)} | {entry['peak_mb']:.0f} | {size} | {target or '—'} | "
            f"{('PASS' if ok else 'FAIL') if target else '—'} |"
        )
    lines += [
        "",
        (
            "The first PDF with charts of a process pays the chart renderer's start (Python, "
            "Kaleido, Chromium: the renderer start phase); the runs after it find it warm. "
            "The 5,000-row target is out of "
            "WeasyPrint's reach: its layout costs about 6.4 ms of CPU per 10-cell row on one core "
            "(7.8 ms at load 7) and about 90 MB per 500 rows until the PDF is written, so the route "
            "keeps ROW_LIMIT = 2,000 and the CSV holds every row; the account and what would meet it: "
            'docs/REPORTS.md, "Speed and memory". Wall times on this shared machine follow the '
            "load (other engineers' test suites): the CPU column is the steadier figure."
        ),
    ]
    lines += ["", "Where the time goes (seconds; the median run, then the first):", ""]
    lines += [
        "| document | run | "
        + " | ".join(PHASE_ORDER)
        + " | rest (queries, formatting) |"
    ]
    lines += ["|---|---|" + "---|" * (len(PHASE_ORDER) + 1)]
    for name, entry in report["results"].items():
        if not entry["first"].get("pages"):
            continue
        for label, run_ in (
            ("median", entry["median_phases"]),
            ("first", entry["first"]["phases"]),
        ):
            total = (
                entry["median_s"] if label == "median" else entry["first"]["seconds"]
            )
            rest = total - sum(v for k, v in run_.items() if k in TOP_PHASES)
            cells = " | ".join(f"{run_.get(k, 0):.2f}" for k in PHASE_ORDER)
            lines.append(f"| {name} | {label} | {cells} | {rest:.2f} |")
    return "\n".join(lines) + "\n"


def _cpu(entry: dict) -> str:
    """The median CPU seconds (reports saved before the CPU was measured have none: "—")."""
    return f"{entry['median_cpu_s']:.2f}" if "median_cpu_s" in entry else "—"


PHASE_ORDER = [
    "charts (all)",
    "renderer start",
    "drawing",
    "HTML template",
    "WeasyPrint layout",
    "WeasyPrint PDF writing",
    "WeasyPrint in a child",
]
TOP_PHASES = {
    "charts (all)",
    "HTML template",
    "WeasyPrint layout",
    "WeasyPrint PDF writing",
    "WeasyPrint in a child",
}


def write_report(text: str) -> None:
    current = REPORT.read_text()
    if HEADING in current:
        head, _, tail = current.partition(HEADING)
        following = re.search(r"^## ", tail, flags=re.MULTILINE)
        rest = tail[following.start() :] if following else ""
        current = head + text + ("\n" + rest if rest else "")
    else:
        current = current.rstrip("\n") + "\n\n" + text
    REPORT.write_text(current)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="into docs/BENCHMARKS.md")
    parser.add_argument("--json", type=Path, help="save the raw figures here")
    parser.add_argument(
        "--only", default="", help="the documents whose name holds this"
    )
    parser.add_argument(
        "--from-json", type=Path, help="no run: the report of saved figures"
    )
    args = parser.parse_args()
    report = (
        json.loads(args.from_json.read_text())
        if args.from_json
        else run(args.runs, args.only)
    )
    text = table(report)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    if args.write:
        write_report(text)
    with contextlib.suppress(Exception):
        import exports.pdf_charts as charts

        getattr(charts, "shutdown", lambda: None)()


if __name__ == "__main__":
    main()
