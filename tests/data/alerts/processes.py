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


def main(argv) -> None:
    command, url = argv[0], argv[1]
    engine = make_engine(url)
    if command == "evaluate":
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
