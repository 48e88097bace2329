"""Concurrent users: run bench/load_runner.py (locust) in its own venv against the app's gunicorn."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from typing import Self

from bench.client import USER_AGENT
from bench.server import RESULTS, ROOT, Server

VENV = ROOT / "bench" / ".venv"
REQUIREMENTS = ROOT / "bench" / "requirements.txt"
FULL_STEPS = [250, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000]
QUICK_STEPS = [500, 1000, 2000, 2500, 3000]


def ensure_locust() -> str:
    """bench/.venv with the pinned locust (uv makes it in seconds from its cache)."""
    python = VENV / "bin" / "python"
    marker = VENV / ".installed"
    if not marker.exists() or marker.read_text() != REQUIREMENTS.read_text():
        uv = ROOT / ".venv" / "bin" / "uv"
        uv = str(uv) if uv.exists() else "uv"
        if not python.exists():
            subprocess.run(
                [uv, "venv", "-q", "-p", sys.executable, str(VENV)], check=True
            )
        subprocess.run(
            [
                uv,
                "pip",
                "install",
                "-q",
                "--python",
                str(python),
                "-r",
                str(REQUIREMENTS),
            ],
            check=True,
        )
        marker.write_text(REQUIREMENTS.read_text())
    return str(python)


class Sampler:
    """Samples the workers' resident memory every ``every`` seconds while the load runs."""

    def __init__(self, server: Server, every: float = 0.5) -> None:
        self.server, self.every, self.peak = server, every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max([self.peak, *self.server.worker_rss_mb()])
            self._stop.wait(self.every)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()


def run_load(
    server: Server, sessions: list[dict], plan: dict, quick: bool, log=print
) -> dict:
    """Ramp simulated users; the largest step held with p95 <= 300 ms and no errors."""
    steps = QUICK_STEPS if quick else FULL_STEPS
    full = {
        **plan,
        "base_url": server.url,
        "sessions": sessions,
        "user_agent": USER_AGENT,
        "steps": steps,
        "spawn_rate": 10,  # ten new users a second, each loading the overview
        "settle_seconds": 15,
        "window_seconds": 40 if quick else 60,
        "p95_limit_ms": 300,
        "max_seconds": 1500,
    }
    plan_path, result_path = RESULTS / "load-plan.json", RESULTS / "load-result.json"
    plan_path.write_text(json.dumps(full))
    result_path.unlink(missing_ok=True)
    cpu_before, started = server.cpu_seconds(), time.monotonic()
    with Sampler(server) as sampler:
        process = subprocess.Popen(
            [
                ensure_locust(),
                str(ROOT / "bench" / "load_runner.py"),
                str(plan_path),
                str(result_path),
            ],
            stdout=subprocess.PIPE,
            stderr=open(RESULTS / "locust.log", "w"),  # noqa: SIM115
            text=True,
        )
        for line in process.stdout:
            log(f"[load] {line.strip()}")
        process.wait(timeout=full["max_seconds"] + 300)
    if process.returncode != 0:
        raise RuntimeError(
            f"locust failed ({process.returncode}), see {RESULTS / 'locust.log'}"
        )
    result = json.loads(result_path.read_text())
    requests = sum(s["requests"] for s in result["steps"])
    result["server_cpu_s"] = round(server.cpu_seconds() - cpu_before, 1)
    result["wall_s"] = round(time.monotonic() - started, 1)
    result["measured_requests"] = requests
    result["worker_peak_rss_mb"] = round(sampler.peak, 1)
    return result
