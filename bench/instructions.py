"""Instructions per request, counted by valgrind's callgrind: a figure the machine's load cannot move.

`python -m bench.instructions [--checkout DIR ...] [--requests N]` builds, for each checkout (a
git work tree of this project; default: this one), the app in-process over a fresh SQLite world
(tests/factories.py), signs a viewer in and replays the app's cheapest callback (the bench's
no-op, bench/callbacks.py NOOP_APP), a plain page GET and the page router's answer for the
overview (a link followed in the app: its layout with its first data) through the whole request
pipeline. It
runs each checkout's requests under ``valgrind --tool=callgrind --instr-atstart=no``, switching
counting on (``callgrind_control -i on``) only around the measured requests, and prints the
instructions per request of each checkout side by side.

Why: the wall-clock benches (python -m bench) measure ratios inside one run, yet on this 2-core
machine the same commit's per-request overhead read 2.66x and 3.19x on two days. Instruction
counts repeat to within a fraction of a per cent whatever else runs, so they can say whether a
change to the pipeline (hooks, guard, serialization) made each request cheaper or dearer.
Instructions are not time (cache misses, system calls and I/O waits are not in them); they
stand for the CPU the request's own code costs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.callbacks import NOOP_APP

HERE = Path(__file__).resolve().parents[1]
WARMUP = 30
# Run inside valgrind, with the checkout first on sys.path: prints a line of JSON per phase.
CHILD = r"""
import json, os, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, os.environ["KIKI_CHECKOUT"])
from sqlalchemy.orm import Session
from data.db import make_engine
from tests.factories import app_config, build_world, login
from tests.services import create_database
from app import create_app

payload = json.loads(os.environ["KIKI_PAYLOAD"])
requests = int(os.environ["KIKI_REQUESTS"])
url = create_database("sqlite", Path(tempfile.mkdtemp(prefix="kiki-instr-")))
engine = make_engine(url)
with Session(engine) as session:
    build_world(session)
engine.dispose()
app = create_app(app_config(url))
client = app.server.test_client()
assert login(client, "viewer@acme.test").status_code == 302
token = client.get_cookie("_csrf_token")
headers = {"X-CSRFToken": token.value if token else "", "Origin": "http://localhost"}


def callback():
    answer = client.post("/_dash-update-component", json=payload, headers=headers)
    assert answer.status_code == 200, answer.status_code


def page():
    assert client.get("/campaigns").status_code == 200


from tests.auth import dash_calls

route = dash_calls.payload(
    app, dash_calls.ROUTER, {"_pages_location.pathname": "/", "_pages_location.search": ""}
)


def navigate():
    # Following a link to the overview: the page router renders its layout (and its data).
    pass
    answer = client.post("/_dash-update-component", json=route, headers=headers)
    assert answer.status_code == 200, answer.status_code


for kind, call in (("callback", callback), ("page", page), ("navigate", navigate)):
    for _ in range(int(os.environ["KIKI_WARMUP"])):
        call()
    print(json.dumps({"ready": kind}), flush=True)
    input()  # the harness switches counting on, then answers
    for _ in range(requests):
        call()
    print(json.dumps({"done": kind}), flush=True)
    input()  # the harness switches counting off (and dumps), then answers
"""


def _counted(checkout: Path, requests: int, out_dir: Path) -> dict[str, float]:
    """Instructions per request of each measured kind, for one checkout."""
    out = out_dir / f"callgrind.{checkout.name}.%p"
    env = {
        **os.environ,
        "KIKI_CHECKOUT": str(checkout),
        "KIKI_PAYLOAD": json.dumps(NOOP_APP),
        "KIKI_REQUESTS": str(requests),
        "KIKI_WARMUP": str(WARMUP),
        "PYTHONHASHSEED": "0",
    }
    command = [
        "valgrind", "--tool=callgrind", "--instr-atstart=no",
        f"--callgrind-out-file={out}", sys.executable, "-c", CHILD,
    ]  # fmt: skip
    child = subprocess.Popen(
        command,
        cwd=checkout,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    counts = {}
    try:
        for _ in range(3):
            kind = json.loads(child.stdout.readline())["ready"]
            _control(child.pid, "--zero")
            _control(child.pid, "--instr=on")
            child.stdin.write("\n")
            child.stdin.flush()
            json.loads(child.stdout.readline())  # done
            counts[kind] = _total(child.pid) / requests  # read while still counting
            _control(child.pid, "--instr=off")
            child.stdin.write("\n")
            child.stdin.flush()
    finally:
        child.stdin.close()
        child.wait(timeout=600)
    return counts


def _control(pid: int, option: str) -> None:
    subprocess.run(
        ["callgrind_control", option, str(pid)], check=True, capture_output=True
    )


def _total(pid: int) -> int:
    """Instructions counted since the last --zero, all threads summed (callgrind_control -e:
    a "Th N  count" line per thread; background threads a request wakes count too)."""
    shown = subprocess.run(
        ["callgrind_control", "-e", str(pid)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    threads = [
        int(line.split()[-1].replace(",", ""))
        for line in shown.splitlines()
        if line.strip().startswith("Th ")
    ]
    if not threads:
        raise RuntimeError(f"no totals in callgrind_control's answer:\n{shown}")
    return sum(threads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", action="append", type=Path, default=[])
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    checkouts = [c.resolve() for c in args.checkout] or [HERE]
    started = time.time()
    results = {}
    with tempfile.TemporaryDirectory(prefix="kiki-callgrind-") as out_dir:
        for checkout in checkouts:
            commit = subprocess.run(
                ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
                capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
            results[commit] = _counted(checkout, args.requests, Path(out_dir))
            print(
                commit, {k: f"{v:,.0f}" for k, v in results[commit].items()}, flush=True
            )
    print(json.dumps(results))
    print(f"{time.time() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
