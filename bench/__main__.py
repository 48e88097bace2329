"""`python -m bench [--scales 1m,10m] [--quick] [--rebuild] [--no-load] [--side-by-side-only]`:
run, write the report."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from pathlib import Path

from bench import alerts, lighthouse_report, pageload, report, side_by_side
from bench.client import ensure_users
from bench.dataset import SCALES, ensure_dataset
from bench.load import ensure_locust
from bench.scale import measure_scale
from bench.server import RESULTS, ROOT, Server
from bench.wrk import ensure_wrk

REPORT = ROOT / "docs" / "BENCHMARKS.md"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scales", default="1m,10m", help="comma-separated: 1m, 10m")
    parser.add_argument(
        "--quick", action="store_true", help="1M only, shorter runs and load steps"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="regenerate the bench databases"
    )
    parser.add_argument(
        "--no-load", action="store_true", help="skip the concurrent-users ramp"
    )
    parser.add_argument(
        "--no-report", action="store_true", help="write the JSON only, not docs/"
    )
    parser.add_argument(
        "--from-json",
        help="rewrite docs/BENCHMARKS.md from a saved run, measuring nothing",
    )
    parser.add_argument(
        "--side-by-side-only",
        action="store_true",
        help="measure only 10M beside 1M, into the newest saved run (or --from-json's)",
    )
    args = parser.parse_args(argv)
    args.scales = ["1m"] if args.quick else args.scales.split(",")
    unknown = [s for s in args.scales if s not in SCALES]
    if unknown:
        parser.error(f"unknown scale(s) {unknown}: choose from {sorted(SCALES)}")
    return args


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.side_by_side_only:
        source = Path(args.from_json) if args.from_json else newest_run()
        results = json.loads(source.read_text())
        results["side_by_side"] = _side_by_side(log)
        results["side_by_side"]["into"] = source.name
        _save_and_report(results, args)
        return
    if args.from_json:
        results = json.loads(Path(args.from_json).read_text())
        write_report(report.markdown(results, Path(args.from_json).name))
        print(report.summary_table(results))
        return
    ensure_wrk()
    ensure_locust()
    started = time.monotonic()
    results = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "kernel": platform.release(),
        },
        "args": {"scales": args.scales, "quick": args.quick},
        "scales": {},
    }
    floor = Server("floor", "bench.floor_app:create_floor_server()", 18022)
    with floor:
        for scale in args.scales:
            dataset = ensure_dataset(scale, args.rebuild, log)
            results["scales"][scale] = {
                "build_seconds": dataset.seconds_to_build,
                **measure_scale(dataset, floor, args, log),
            }
            log(f"[{scale}] done")
        log("floor page in Chromium (bare dash.Dash + dbc)")
        results["floor_page"] = pageload.floor_page(floor.url)
    if set(side_by_side.PORTS) <= set(args.scales) and not args.quick:
        results["side_by_side"] = _side_by_side(log)
    results["seconds"] = round(time.monotonic() - started)
    _save_and_report(results, args)


def newest_run() -> Path:
    runs = sorted(RESULTS.glob("bench-*.json"))
    if not runs:
        raise SystemExit("no saved run in bench/results: run the bench first")
    return runs[-1]


def _side_by_side(log) -> dict:
    """10M beside 1M (bench/side_by_side.py), the two apps up at once."""
    datasets = {s: ensure_dataset(s, False, log) for s in side_by_side.PORTS}
    for dataset in datasets.values():  # the same accounts in each scale's database
        emails = ensure_users(
            dataset.url, dataset.organization_id, side_by_side.SESSIONS
        )
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return {
        "started": started,
        "callbacks": side_by_side.measure(datasets, emails, 10, log),
    }


def write_report(text: str) -> None:
    """The regenerated report, with the sections of `make lighthouse` and `make bench-alerts`
    carried over."""
    old = REPORT.read_text() if REPORT.exists() else ""
    text = lighthouse_report.carry_section(old, text)
    text = lighthouse_report.carry_section(old, text, alerts.HEADING, alerts.BEFORE)
    REPORT.write_text(text)


def _save_and_report(results: dict, args) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    raw = RESULTS / f"bench-{stamp}.json"
    raw.write_text(json.dumps(results, indent=1, default=str))
    log(f"raw figures: {raw.relative_to(ROOT)}")
    if not args.no_report:
        write_report(report.markdown(results, raw.name))
        log(f"report: {REPORT.relative_to(ROOT)}")
    print(report.summary_table(results))


if __name__ == "__main__":
    main()
