"""Separate processes for the exactly-once tests: `python -m tests.data.alerts.processes
evaluate URL LIMIT` evaluates due rules (claiming LIMIT at a time) and prints how many it wrote;
`… jobs URL` runs the due test jobs once, each appending "pid name" to KIKI_TEST_JOB_LOG."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

from sqlalchemy.orm import sessionmaker

from data.alerts.evaluate import evaluate_due
from data.db import Database, make_engine
from data.scheduler import Job, run_due_jobs


def record(name):
    def run(_database):
        with open(os.environ["KIKI_TEST_JOB_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {name}\n")
        time.sleep(0.2)  # long enough for the other process to try the same job
        return "recorded"

    return run


TEST_JOBS = tuple(
    Job(name, dt.timedelta(seconds=60), record(name)) for name in ("t-a", "t-b", "t-c")
)


START_ENV = "KIKI_TEST_START_DIR"


def wait_for_start() -> None:
    """With KIKI_TEST_START_DIR: say "ready" (a file named by the pid), then wait for the file
    "go", so that processes started one after the other begin together (on a loaded machine
    the first one's start-up could outlast the second's whole run)."""
    folder = os.environ.get(START_ENV)
    if not folder:
        return
    open(os.path.join(folder, str(os.getpid())), "w").close()
    deadline = time.monotonic() + 60
    while not os.path.exists(os.path.join(folder, "go")):
        if time.monotonic() > deadline:
            raise SystemExit("never told to start")
        time.sleep(0.01)


def main(argv) -> None:
    command, url = argv[0], argv[1]
    engine = make_engine(url)
    if command == "evaluate":
        wait_for_start()
        written = evaluate_due(
            sessionmaker(engine, expire_on_commit=False), limit=int(argv[2])
        )
        print(written, flush=True)
    elif command == "jobs":
        database = Database()
        database.engine = engine
        database.sessionmaker = sessionmaker(engine, expire_on_commit=False)
        print(" ".join(run_due_jobs(database, TEST_JOBS)), flush=True)
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
