"""The report's fixed prose: how to rerun it, how each figure is taken, what is out of reach."""

HOW_TO_RUN = """\
## How to run it

```
make bench                                   # 1M and 10M rows, every figure (10M: about an hour)
make bench BENCH_ARGS=--quick                # 1M only, shorter runs and load steps (~15-20 min)
make bench BENCH_ARGS="--scales 10m --no-load"
make bench BENCH_ARGS=--rebuild              # regenerate the bench databases
```

Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and Redis on 127.0.0.1:6379, Debian's
`chromium`, `chromium-driver` and `wrk` (installed if missing). Each scale lives in its own
database (`kiki_bench_1m`, `kiki_bench_10m`), generated once by `data.demo.bulk_load_metrics`
(COPY, then the daily rollup and VACUUM ANALYZE) and reused while its row count matches. The
load generator, locust, lives in `bench/.venv` (pinned in `bench/requirements.txt`), apart from
the app's venv. Every request goes to 127.0.0.1 only, and every loop is bounded in count and time.
"""

METHOD = """\
## How each figure is taken

- **Servers.** The app runs as in production: `gunicorn -c deploy/gunicorn.conf.py
  "app:create_server()"` with 2 gthread workers (4 threads) on this 2-core machine, PostgreSQL,
  Redis (database 11, private to the bench) for the cache and the rate limits, `KIKI_TODAY`
  pinned to the data's last day. `GUNICORN_MAX_REQUESTS=0` so no worker restarts mid-measurement
  (a slow leak has to show in the memory figures). The floor is a bare `dash.Dash` + dbc app with
  one no-op callback of the same shape as the app's cheapest callback (`set_overview_refresh`:
  one input, two outputs, no data), served by the same gunicorn settings at the same time.
- **Users.** 100 analysts of the bench organization sign in through the real form (argon2, CSRF).
  Rate limits are not raised: requests rotate over these sessions, so no user comes near the
  per-user limit. Simulated users share the 100 sessions round-robin (25 per session at 2,500).
- **Warm figures** come from `wrk` (one thread, 8 connections = 2 workers x 4 threads) after a
  priming second; CPU per request is the workers' utime+stime from /proc (reaped workers
  included) divided by the requests served. Each no-op run is taken twice, interleaved with the
  floor, and the faster kept (noise on a shared machine only ever slows a run down).
- **Cold figures**: the bench's Redis database is flushed before each request, one request at a
  time. **Raw SQL**: the exact statements the callback ran (recorded in an in-process app with
  the cache off; the signed-in user's own row excluded), replayed back to back on one raw
  psycopg connection; median of 9 after one warm-up.
- **Naive baseline**: a fresh process builds the app as a worker does, then reads every
  performance_metrics row of the organization (joined with campaigns) into pandas and computes
  the overview there (KPIs for the current and previous period, daily trend, platforms, top 5);
  the median of 3. Memory: that process's peak resident size against the app workers' peak.
- **Concurrent users**: locust (FastHttpUser) on the same machine. Each user loads the overview
  (page, `_dash-layout`, `_dash-dependencies` and the callbacks the browser fired; scripts are in
  its browser cache), then every 20-40 s: changes the overview's range (a preset or one of the last
  six months: preset callback + overview), filters campaigns (navigate, table, a search or platform
  filter), opens one of three campaigns, or goes back to the overview. Steps of users; each step
  is measured for a window after spawning and settling; a step is held when its p95 is at most
  300 ms with no failed request.
- **Export**: the route streams `GET /export/metrics/daily.csv` for the days that hold about a
  million rows; the baseline is `COPY (the route's own SELECT) TO STDOUT (FORMAT csv, HEADER)` on a
  raw connection. Worker memory is sampled every 20 ms.
- **Chromium**: a fresh profile per first visit (cold browser cache, warm server cache), repeat
  visits in the same browser. The time is `performance.now()` (ms since navigation start) at the
  first animation frame where every `.js-plotly-plot` holds data and no Dash loading marker is
  left. Callbacks counted from the Performance API. Bytes: the document and every GET resource the
  browser loaded, fetched again with `Accept-Encoding: gzip`, plus the callback responses.
- **Superset anchor** (from the issue): 4.6-5.1 s to charts drawn with its cache warm, 2.9 MB on
  a first visit, ~75 ms and 80 ms CPU per warm chart-data request, ~22 requests/s per chart with
  2 workers.
"""

OUT_OF_REACH = """\
## What is out of reach here, and why

(Filled in from the latest run's failures; see the commit history of this file.)
"""
