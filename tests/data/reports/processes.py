"""A separate process for the exactly-once test: `python -m tests.data.reports.processes URL
SMTP_URL` builds the app (its mailer, the bound renderer), waits for the start barrier
(tests/data/alerts/processes.py wait_for_start), runs the report job once and prints how many
reports it sent."""

from __future__ import annotations

import sys

from data.reports.deliver import deliver_due_reports
from tests.data.alerts.processes import wait_for_start


def main(argv) -> None:
    from app import create_app
    from tests.data.reports.conftest import PUBLIC_URL
    from tests.factories import app_config

    url, smtp_url = argv
    server = create_app(
        app_config(
            url, KIKI_SMTP_URL=smtp_url, KIKI_PUBLIC_URL=PUBLIC_URL, KIKI_TODAY=None
        )
    ).server
    import weasyprint  # noqa: F401  loaded before the barrier: the race is the sending only

    with server.app_context():
        database = server.extensions["kiki_db"]
        wait_for_start()
        outcome = deliver_due_reports(database)
        print(int(outcome.split()[0]), flush=True)
        database.engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
