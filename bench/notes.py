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

OPTIMIZED = """\
## What was optimized, measured before and after

| change | before | after |
|---|---|---|
| whole callback responses cached as sent (one Redis MGET with the organization's generation; overview, campaigns table, campaign detail) | warm overview 39 req/s, 14.4 ms CPU per request | 190-290 req/s, 4.0-4.6 ms CPU (what the app's no-op costs) |
| gzip for scripts, styles and JSON (`Dash(compress=True)`, flask-compress pinned) and plotly.js's basic bundle (scatter, bar, pie) of the same version | first load 6.39 MB, plotly.js 4.8 MB | 0.99 MB, plotly.js 0.40 MB |
| CSV export sends COPY's rows in 64 KB writes, not one write per row | 8.28 s for 999,000 rows, 6.0x COPY | 1.6-3.3 s, 1.1-1.4x COPY |
| session user loaded with one Core query instead of `Session.get` + a lazy load of its organization | no-op 5.72 ms CPU, 258 req/s | 4.67 ms, 306 req/s |
| `add_derived_metrics` builds columns first, the frame once | cold overview 35.9 ms CPU (in-process) | 33.4 ms |
| one computation per missing answer (a lock in the cache; identical requests wait for it) | 10M: warm overview p95 426 ms, ramp broke at 1,000 users (p95 4 s) | warm p95 62 ms, 1,500 users held (p95 87 ms) |
| PostgreSQL connections with `jit=off` | 10M top campaigns 494-694 ms | 342-401 ms |
| BRIN index on `performance_metrics.date` (migration 0002) | 535-856 ms (bitmap index scan 73 ms) | 447-657 ms (0.7 ms) |

Levers of the issue already in place before this work: figures are plain dicts (no
`go.Figure`), the overview reads the daily rollup, the campaigns table is paged on the server
(25 rows per response), exports stream from a plain route (COPY), not `dcc.send_data_frame`.
"""

OUT_OF_REACH = """\
## What is out of reach on this machine, and why

- **Per-request overhead (1.5x a bare no-op) and warm throughput (0.5x the floor).** The bare
  no-op costs ~0.75 ms of CPU. The app's own work on every request is ~3.9 ms: the session's
  user read from the database (a revoked session must end on its next request), the pool's
  pre-ping, Flask-Limiter's moving window in Redis (two per-user limits plus the window stats
  for the X-RateLimit headers: three round trips), the CSRF check, the session cookie signed
  again (idle timeout), security headers and a fresh CSRF cookie, the request id, Prometheus
  samples, the cached-response lookup. A profile splits it roughly: user + pre-ping 30 %,
  rate limiter 25 %, session and CSRF 20 %, Dash's dispatch 15 %, headers and metrics 10 %.
  1.5x would leave 0.4 ms for all of it, which means dropping security that PRODUCT.md
  requires. A warm data callback now costs the same as the app's no-op (ratio ~1.0 in the
  tables): the data work is gone, what is left is that per-request machinery, and the
  throughput ratio to the bare floor follows from it.
- **Cold latency within 1.5x of the raw SQL** holds only where the SQL dominates (the campaigns
  table at 10M rows). A cold callback also builds DataFrames, components and JSON (~30 ms of
  Python for the overview), fills the read and response caches and carries the per-request
  work above, so a 4-5 ms query (campaign detail) or the overview's 45 ms at 1M rows cannot
  be within 1.5x.
- **Overview p95 at 10M within 1.2x of 1M, cold.** The KPIs and both charts read the daily
  rollup (days x platforms: the same size at 1M and 10M); the top-five-campaigns table must
  rank every campaign over the range, which is ten times the raw rows at 10M. Moving the table
  into its own callback would keep the charts flat but adds a fourth callback to the first
  load and a request to every navigation (fewer users per instance), so it stays one
  callback. Warm answers are the same bytes from Redis at both scales; their p95 ratio
  (1.3x) is this machine's noise: the app's no-op p95 itself moved 2x between the two scales'
  runs.
- **Ten times less memory per worker than the naive baseline**, counted strictly as resident
  size: both processes hold the same ~150 MB of libraries (pandas 41 MB, Dash 16, SQLAlchemy
  15, numpy 15, the app 12, psycopg 9, ...), so the ratio is ~9.5x (1,390 MB against 146 MB).
  Counted as what a worker costs under gunicorn's preload (its private pages, USS ~83 MB; PSS
  ~101 MB) it is 14-17x.
- **100x faster than the naive baseline**, counted against the cold overview (the same work
  from the database): ~80x (7.9 s against ~100 ms). Against the overview as users get it
  (warm, p50 ~28 ms) it is ~290x.
- **2,500 concurrent users per 2-core instance.** The ramp holds 1,500 users at both scales
  (p95 68 and 87 ms; an earlier run held 2,000 at p95 140 ms); 2,000 then collapses. The load
  generator runs on the same two cores (~0.3 core), and the machine is shared: the load
  average reached 6-7 on 2 cores at the failing steps (see the tables), so the app had about
  one core. 2,500 users is ~190 req/s x ~4.6 ms
  = ~0.9 core of app CPU plus PostgreSQL and Redis: within an idle 2-core instance's reach,
  but not measurable here.
- **Charts drawn within 1 s.** A repeat visit needs the page, `_dash-layout`,
  `_dash-dependencies`, the router and shell callbacks, then the overview callback, then two
  charts drawn: 0.74-0.77 s in the latest run (0.6-1.1 s across runs on this shared machine),
  6x faster than the Superset anchor (4.6-5.1 s). A first visit also downloads and compiles
  ~1 MB gzip (3.4 MB) of JavaScript (React, Dash's renderer and components, dbc, plotly.js
  basic): 1.4-1.6 s, about 3x faster than the anchor, not 5x.
"""
