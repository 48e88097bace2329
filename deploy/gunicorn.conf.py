"""gunicorn settings for KIKI Analytics: `gunicorn -c deploy/gunicorn.conf.py "app:create_server()"`.

Every setting can be overridden from the environment (GUNICORN_* below) or the command line.
"""

import ctypes
import gc
import multiprocessing
import os
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8021")
# Dash callbacks spend most of their time in pandas and the database: a few processes with a
# few threads each. Each process holds its own SQLAlchemy pool (DB_POOL_SIZE + DB_MAX_OVERFLOW),
# so workers x (pool + overflow) must stay below PostgreSQL's max_connections.
workers = int(
    os.environ.get("GUNICORN_WORKERS", str(min(2 * multiprocessing.cpu_count() + 1, 9)))
)
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Connections a gthread worker holds at once (gunicorn's default); the stream-only unit
# (deploy/kiki-live.service) holds one per open browser tab.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "1000"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # above DB_STATEMENT_TIMEOUT_MS
graceful_timeout = 30
keepalive = 5
# Restart workers now and then so a slow leak never becomes an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Import the app once in the master: workers fork with the pages already registered, and a
# configuration error (no SECRET_KEY, no KIKI_ENCRYPTION_KEYS) stops the start at once.
# The factory opens no connection, so no socket is shared between workers.
preload_app = True
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'

# Prometheus multiprocess mode: every worker writes its samples into this directory and
# /metrics sums them. It must be set before the app (and prometheus_client) is imported.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="kiki-prometheus-")


# Memory per worker (docs/PRODUCTION.md, "Memory"). glibc gives threads their own malloc arenas
# (up to 8 per core), each keeping the memory its thread freed; two are enough for gthread workers
# whose Python code runs under the GIL anyway. MALLOC_ARENA_MAX in the environment is only read
# when a process starts: the master is already running when it reads this file and the workers
# are its forks, so the same limit is set here with mallopt.
M_ARENA_MAX = -8  # mallopt's parameter number (glibc's malloc.h)
MALLOC_ARENA_MAX = int(os.environ.get("MALLOC_ARENA_MAX", "2"))


def _limit_malloc_arenas(count: int) -> None:
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (e.g. macOS): nothing to set
        return
    mallopt(M_ARENA_MAX, count)


_limit_malloc_arenas(MALLOC_ARENA_MAX)


def on_starting(server):
    """A fresh start: drop the samples of processes that no longer exist."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory, exist_ok=True)


def child_exit(server, worker):
    """A worker is gone: its live gauges (pool usage) must stop counting."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def pre_fork(server, worker):
    """Keep the preloaded app's pages shared: the cyclic garbage collector writes into every object
    it examines, which copies the page into the worker. Objects that exist before the fork are
    moved out of its reach (gc.freeze); what a worker allocates is collected as usual."""
    gc.collect()
    gc.freeze()


def post_fork(server, worker):
    """Connections must never cross a fork: drop any the master might have opened."""
    app = getattr(server.app, "callable", None)
    for engine in getattr(app, "extensions", {}).get("kiki_engines", {}).values():
        engine.dispose(close=False)
    if app is not None:
        # KIKI_SCHEDULER=in-app only (production runs `flask --app app worker` instead): each
        # worker's own scheduler thread, started here because threads do not survive a fork.
        from data.scheduler import start_in_app

        start_in_app(app)


def post_worker_init(worker):
    """On SIGTERM (a restart, a deploy) open live streams end at once, and their browsers
    reconnect to a worker that stays (with Last-Event-ID: nothing is missed); left alone, each
    stream would hold the worker's shutdown for the whole graceful_timeout."""
    import signal

    from data.live_broker import end_all_streams

    stop = signal.getsignal(signal.SIGTERM)

    def end_streams_then_stop(signum, frame):
        end_all_streams()
        if callable(stop):
            stop(signum, frame)

    signal.signal(signal.SIGTERM, end_streams_then_stop)
