"""gunicorn under the bench (the app or the bare floor app), its workers' CPU and memory from /proc."""

from __future__ import annotations

import compileall
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Self

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
REDIS_URL = "redis://127.0.0.1:6379/11"  # the bench's own Redis database (flushed for cold runs)
WORKERS = 2  # "per 2-core instance"
THREADS = 4
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def app_environment(database_url: str, today: str) -> dict:
    """Production settings (not demo mode) for the app under test, on the bench's data."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "KIKI_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "KIKI_DEMO": "0",
        "SESSION_COOKIE_SECURE": "0",  # plain http on loopback
        "KIKI_TODAY": today,
        "LOG_LEVEL": "WARNING",
    }


APP_SOURCES = ("app.py", "config.py", "auth", "components", "data", "pages", "bench")
# The production unit's interpreter settings (docs/PRODUCTION.md): docstrings and asserts left out
# of the loaded modules. The app, the floor and the naive baseline all run with them.
PROCESS_ENV = {"PYTHONOPTIMIZE": "2"}
OPTIMIZE_LEVELS = [0, 2]  # .pyc for plain runs and for PYTHONOPTIMIZE=2


def compile_app() -> None:
    """`make release` of docs/PRODUCTION.md: .pyc of the app and its libraries written before
    gunicorn starts (this machine sets PYTHONDONTWRITEBYTECODE, so Python never writes them
    itself, and would compile every module from source in every process)."""
    for name in APP_SOURCES:
        path = ROOT / name
        if path.is_dir():
            compileall.compile_dir(path, quiet=1, optimize=OPTIMIZE_LEVELS)
        else:
            compileall.compile_file(path, quiet=1, optimize=OPTIMIZE_LEVELS)
    for site in {Path(p) for p in sys.path if p.endswith("site-packages")}:
        compileall.compile_dir(site, quiet=2, optimize=OPTIMIZE_LEVELS, workers=0)


class Server:
    """One gunicorn master with WORKERS gthread workers on a loopback port."""

    def __init__(self, name: str, target: str, port: int, env: dict | None = None):
        self.name, self.target, self.port = name, target, port
        self.env = env or {}
        self.process: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{port}"

    def command(self) -> list[str]:
        # The deployment's own settings file when there is one; CLI flags override it.
        config = ["-c", str(CONFIG)] if CONFIG.exists() else ["-k", "gthread"]
        return [
            str(GUNICORN),
            *config,
            "-w",
            str(WORKERS),
            "--threads",
            str(THREADS),
            "-b",
            f"127.0.0.1:{self.port}",
            self.target,
        ]

    def start(self, timeout: float = 60.0) -> Server:
        RESULTS.mkdir(parents=True, exist_ok=True)
        compile_app()
        log = open(RESULTS / f"gunicorn-{self.name}.log", "ab")  # noqa: SIM115
        env = {
            **os.environ,
            **PROCESS_ENV,
            **self.env,
            # EXTRA_PYTHONPATH: packages a bench layout needs beside the app's (bench/live.py)
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(ROOT), self.env.get("EXTRA_PYTHONPATH")])
            ),
            # No restarts mid-measurement: a slow leak must show in the memory figures.
            "GUNICORN_MAX_REQUESTS": "0",
        }
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited, see {log.name}")
            try:
                requests.get(self.url + "/healthz", timeout=2)
                if len(self.worker_pids()) == WORKERS:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(
            f"{self.name}: gunicorn did not answer within {timeout:.0f} s"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def cpu_seconds(self) -> float:
        """CPU (user + system) of all workers so far, including workers that already exited."""
        master = _stat(self.process.pid)
        total = int(master[15]) + int(master[16])  # cutime + cstime: reaped workers
        for pid in self.worker_pids():
            fields = _stat(pid)
            total += int(fields[13]) + int(fields[14]) if fields else 0
        return total / TICK

    def worker_cpu(self) -> dict[int, float]:
        """CPU (user + system) seconds of each live worker so far, by pid."""
        cpu = {}
        for pid in self.worker_pids():
            fields = _stat(pid)
            if fields:
                cpu[pid] = (int(fields[13]) + int(fields[14])) / TICK
        return cpu

    def worker_rss_mb(self) -> list[float]:
        return [_rss_mb(pid) for pid in self.worker_pids()]

    def worker_pss_uss_mb(self) -> list[tuple[float, float]]:
        """(PSS, USS) per worker: with preload_app, most of a worker's RSS is shared pages."""
        return [_pss_uss_mb(pid) for pid in self.worker_pids()]

    def worker_peak_mb(self) -> list[float]:
        """VmHWM: each live worker's peak resident memory since it started."""
        return [_status_mb(pid, "VmHWM") for pid in self.worker_pids()]


def _stat(pid: int) -> list[str]:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    # The command name may hold spaces: fields start after its closing parenthesis.
    return ["", ""] + text[text.rindex(")") + 2 :].split()


def _rss_mb(pid: int) -> float:
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except OSError:
        return 0.0
    return pages * PAGE / 2**20


def _pss_uss_mb(pid: int) -> tuple[float, float]:
    fields = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value = line.split(":", 1)
            fields[name] = int(value.split()[0])
    except (OSError, ValueError):
        return 0.0, 0.0
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return round(fields.get("Pss", 0) / 1024, 1), round(private / 1024, 1)


def _status_mb(pid: int, key: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
