"""`python -m bench.lighthouse [--runs 3] [--write] [--from-json FILE]`: Lighthouse on the signed-in pages, desktop
and mobile; the table printed and, with --write, put into docs/BENCHMARKS.md's Lighthouse section.

Lighthouse is pinned in bench/lighthouse/package-lock.json and installed by `make lighthouse`
(`npm ci`); this script downloads nothing and runs Debian's Chromium."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from auth.passwords import hash_password
from bench import lighthouse_report as lh_report
from bench.client import Client
from bench.dataset import ADMIN_URL, END_DATE, PASSWORD, database_url
from bench.server import RESULTS, ROOT, Server, app_environment
from data.models import ROLES
from data.ops.demo import load_demo_data
from data.ops.demo_world import ORGS
from data.ops.migrate import upgrade_to_head

REPORT = ROOT / "docs" / "BENCHMARKS.md"
PACKAGE = ROOT / "bench" / "lighthouse"
LIGHTHOUSE = PACKAGE / "node_modules" / "lighthouse"
RUNNER = PACKAGE / "run.mjs"
CHROMIUM = "/usr/bin/chromium"
PORT = 18041
REDIS_URL = "redis://127.0.0.1:6379/14"  # its own database: the main bench flushes 11
SCALE = "lighthouse"  # kiki_bench_lighthouse: the demo data set, rebuilt each run
ADMIN = "admin@acme.example"  # every page, the audit log and approvals included
# The pages of issue 28 and the ones added since; "{campaign}" is an active campaign's id.
PAGES = {
    "overview": "/",
    "campaigns": "/campaigns",
    "campaign detail": "/campaigns/{campaign}",
    "audit": "/audit",
    "approvals": "/approvals",
    "notifications": "/notifications",
    "new campaign": "/campaigns/new",
}
FORM_FACTORS = ("desktop", "mobile")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.lighthouse", description=__doc__
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per page and form factor (median)"
    )
    parser.add_argument(
        "--write", action="store_true", help="replace the section in BENCHMARKS.md"
    )
    parser.add_argument(
        "--pages", help="comma-separated subset of: " + ", ".join(PAGES)
    )
    parser.add_argument(
        "--keep-json", help="directory to keep every Lighthouse JSON result in"
    )
    parser.add_argument(
        "--from-json",
        help="a saved summary (bench/results/lighthouse-*.json): render it, measure nothing",
    )
    args = parser.parse_args(argv)
    args.pages = args.pages.split(",") if args.pages else list(PAGES)
    if unknown := set(args.pages) - set(PAGES):
        parser.error(f"unknown page(s) {sorted(unknown)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", flush=True)


def demo_database() -> tuple[str, int]:
    """A fresh PostgreSQL database with the demo data (the approvals story included) and known
    passwords; (its URL, an active campaign of acme with metrics)."""
    url = database_url(SCALE)
    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    upgrade_to_head(url)
    emails = [f"{role}@{slug}.example" for slug, _, _ in ORGS for role in ROLES]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        load_demo_data(
            conn,
            end_date=END_DATE,
            password_hasher=hash_password,
            passwords=dict.fromkeys(emails, PASSWORD),
        )
        campaign = conn.scalar(
            sa.text(
                "SELECT c.id FROM campaign_deployments c JOIN organizations o"
                " ON o.id = c.organization_id WHERE o.slug = 'acme' AND c.status = 'active'"
                " ORDER BY c.id LIMIT 1"
            )
        )
    engine.dispose()
    return url, campaign


def user_agents() -> dict[str, str]:
    """The user agents Lighthouse emulates, from its own constants: signing in with the same one
    keeps Flask-Login's session protection from marking the session non-fresh on every page."""
    constants = PACKAGE / "node_modules/lighthouse/core/config/constants.js"
    script = f"import {{userAgents}} from {json.dumps(str(constants))};"
    script += "console.log(JSON.stringify(userAgents));"
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def session_cookies(base_url: str, user_agent: str) -> list[dict]:
    """The admin's cookies (session and CSRF), signed in with the agent Lighthouse will send."""
    client = Client(base_url)
    client.http.headers["User-Agent"] = user_agent
    client.login(ADMIN)
    return [{"name": k, "value": v} for k, v in client.cookies.items()]


def run_lighthouse(url: str, form_factor: str, cookies: list[dict], out: Path) -> dict:
    """One Lighthouse run in a fresh Chromium (bench/lighthouse/run.mjs); its result (LHR)."""
    env = {**os.environ, "CHROME_PATH": CHROMIUM, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    subprocess.run(
        ["node", str(RUNNER), url, form_factor, str(out)],
        input=json.dumps(cookies),
        text=True,
        env=env,
        check=True,
        timeout=300,
    )
    return json.loads(out.read_text())


def lighthouse_version() -> str:
    return json.loads((PACKAGE / "package.json").read_text())["dependencies"][
        "lighthouse"
    ]


def chromium_version() -> str:
    """Name and full version of the browser (the user agent Lighthouse records says 156.0.0.0)."""
    out = subprocess.run(
        [CHROMIUM, "--version"], check=False, capture_output=True, text=True
    )
    return " ".join(out.stdout.split()[:2]) or "Chromium (version unknown)"


def git_commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def measure(args: argparse.Namespace, keep: Path) -> dict:
    """page -> form factor -> the median run's summary, every run's summary beside it."""
    log("[data] demo data into a fresh PostgreSQL database")
    url, campaign = demo_database()
    env = {**app_environment(url, END_DATE.isoformat()), "REDIS_URL": REDIS_URL}
    agents = user_agents()
    results: dict = {}
    with Server("lighthouse", "app:create_server()", PORT, env) as app:
        cookies = {ff: session_cookies(app.url, agents[ff]) for ff in FORM_FACTORS}
        for page in args.pages:
            path = PAGES[page].format(campaign=campaign)
            results[page] = {"path": path}
            for ff in FORM_FACTORS:
                runs = []
                for n in range(args.runs):
                    out = keep / f"{page.replace(' ', '-')}-{ff}-{n + 1}.json"
                    load = os.getloadavg()[0]  # others' work slows Lighthouse's CPU
                    lhr = run_lighthouse(app.url + path, ff, cookies[ff], out)
                    runs.append({**lh_report.summarize(lhr), "load_1m": round(load, 2)})
                    log(
                        f"{page} {ff} #{n + 1} (load {load:.1f}): {lh_report.one_line(runs[-1])}"
                    )
                results[page][ff] = lh_report.median_run(runs)
    return results


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.from_json:
        run = json.loads(Path(args.from_json).read_text())
    else:
        run = measure_all(args)
    print(lh_report.table(run))
    if args.write:
        REPORT.write_text(lh_report.replace_section(REPORT.read_text(), run))
        log(f"section written: {REPORT.relative_to(ROOT)}")


def measure_all(args: argparse.Namespace) -> dict:
    """Every page measured; the run's summary saved in bench/results/ (for --from-json)."""
    # A plain `kill` stops gunicorn too (the server's context exits), not only this process.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: run `make lighthouse`")
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    commit = git_commit()  # what was measured, should HEAD move during the run
    with tempfile.TemporaryDirectory(prefix="kiki-lighthouse-") as tmp:
        keep = Path(args.keep_json or tmp)
        keep.mkdir(parents=True, exist_ok=True)
        pages = measure(args, keep)
    run = {
        "started": started,
        "commit": commit,
        "lighthouse": lighthouse_version(),
        "chromium": chromium_version(),
        "cores": os.cpu_count(),
        "runs": args.runs,
        "pages": pages,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    saved = RESULTS / f"lighthouse-{time.strftime('%Y%m%d-%H%M%S')}.json"
    saved.write_text(json.dumps(run, indent=1))
    log(f"summary: {saved.relative_to(ROOT)}")
    return run


if __name__ == "__main__":
    main()
