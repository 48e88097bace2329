"""The local production topology (deploy/local-cluster, docs/TOPOLOGY.md) for the whole session:
brought up once by its own `up` command and stopped by `down` after the last test.

Opt-in (--topology or KIKI_TOPOLOGY=1); once asked for, nothing is skipped: a missing tool
(PgBouncer, nginx, initdb) makes `up` fail and every test with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ROOT / "deploy" / "local-cluster"
UP_TIMEOUT_SECONDS = 600


def cluster_command(command: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CLUSTER / command), *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=UP_TIMEOUT_SECONDS,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def cluster_dir() -> Path:
    return Path(os.environ.get("KIKI_CLUSTER_DIR") or ROOT / "instance" / "cluster")


def bring_up() -> dict:
    """`up` (idempotent: it starts only what is not running) and the state it wrote."""
    started = time.monotonic()
    result = cluster_command("up")
    assert result.returncode == 0, (
        f"deploy/local-cluster/up failed:\n{result.stdout}\n{result.stderr}"
    )
    state = json.loads((cluster_dir() / "cluster.json").read_text())
    state["up_wall_seconds"] = round(time.monotonic() - started, 1)
    return state


@pytest.fixture(scope="session")
def cluster():
    state = bring_up()
    print(f"\n[topology] up in {state['up_wall_seconds']} s")
    yield state
    result = cluster_command("down")
    assert result.returncode == 0, f"down failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="session")
def logins(cluster) -> dict:
    """(org, role) -> (email, password) of the demo users `up` loaded."""
    users = json.loads(Path(cluster["logins"]).read_text())
    return {(u["org"], u["role"]): (u["email"], u["password"]) for u in users}
