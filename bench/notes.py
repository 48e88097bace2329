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
  "app:create_server()"` with `PYTHONOPTIMIZE=2` and the `.pyc` files written first (the systemd
  unit and `make release` of docs/PRODUCTION.md; the floor and the naive baseline run the same
  way), 2 gthread workers (4 threads) on this 2-core machine, PostgreSQL,
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
  floor, and the faster kept (noise on a shared machine only ever slows a run down). wrk keeps
  its 8 connections open, and in about half the runs one gunicorn worker had accepted all of
  them while the other idled (half the req/s, more CPU per request, for the floor and the app
  alike; seen in the 2026-12-02 run as 470-530 against 1,040-1,190 req/s for the same no-op). A
  run now counts only when the least busy worker did at least half the busiest one's work; up
  to six runs are taken, and the raw JSON says how many were discarded
  (`unbalanced_runs_discarded`). Many users (the locust ramp) open many connections, so the
  load spreads there by itself.
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
| session 2: the signed-in user kept per process, dropped on any write to users/organizations (pool check-in + Redis pub/sub); X-RateLimit headers only on the API and on refusals (this run also used Flask-Limiter's sliding-window counter; the exact moving window is back since, as it could let an 11th sign-in through a 10-per-minute limit; one limiter hit costs 0.029-0.030 ms of CPU either way); the session cookie re-signed once a minute (idle timeout checked on the server) and the CSRF cookie sent only when it changes; pool gauges sampled once a second | app no-op 1.97 ms CPU in-process (bare Dash 0.19); under gunicorn 5.3-5.7x the bare no-op | 0.83 ms in-process; 3.3x under gunicorn (same harness, loaded machine) |
| overview: each read one statement (fee rate and counts travel with the sums), top campaigns ranked on two sums and summed in full only for the five it keeps, and the table in its own callback (KPIs and charts from the rollup no longer wait for the ranking) | cold overview 39-51 ms at 1M (11 statements), 215-275 ms at 10M | KPIs + charts 10-12 ms at 1M (3 statements), 11-13 ms at 10M; the table 24-39 ms at 1M, 137-176 ms at 10M (in-process, Redis flushed per request) |
| the organization's cache generation read once per request (the response cache's MGET already has it) | 3 extra Redis round trips per cold overview | none |
| campaign detail reads the fee rate once, not four times | 13 statements, 29.6 ms wall in-process (cold) | 9 statements, 21.1 ms |
| gunicorn: `gc.collect(); gc.freeze()` before each fork, two malloc arenas per process | worker peak RSS 153 MB, PSS 102, USS 86 (a heavier mixed load than the bench's) | 142-147 MB, PSS 73-80, USS 46-54; 7-13 % less CPU per request |
| session 3: the overview's and the campaign list's statements built once per shape (organization, dates and platforms bound at execution, so SQLAlchemy reuses the memoized cache key and compiled SQL), and the derived metrics computed on plain lists with the frame built once | cold overview 30-39 ms CPU, cold campaigns table 26-30 ms CPU (in-process, Redis flushed per request); 1.6 ms per metrics frame | 19-23 ms, 13-18 ms; 0.4-0.5 ms |
| session 3: cached answers fresh for `CACHE_TIMEOUT` ± 20 % (not all expiring together), and a stale answer of the same generation served while the first request to find it recomputes it | 10M ramp broken at 1,000 users, p95 1.8 s on every request: ~20 ranking and list queries of 0.5-3.6 s within 10 s, 300 s after the load began (the answers computed at its start expiring together) | this run: 10M step of 1,000 users held at p95 33 ms; the recomputations five minutes in spread over ~3 minutes |
| session 3: `.pyc` written at install and release (this machine sets `PYTHONDONTWRITEBYTECODE`, so every process compiled every module from source, and kept the compiler's garbage), and the service run with `PYTHONOPTIMIZE=2` (no docstrings or asserts in memory; the whole test suite passes so) | a worker after sign-in and 28 overviews: 139 MB resident (from source) | 133 MB from `.pyc`, 117 MB with `PYTHONOPTIMIZE=2`; in this run a worker's peak while serving 128 MB (149 MB in the previous report), 10.7x less than the naive process (9.4x) |
| sessions 4-5: versioned `/assets/` files (their URLs carry the file's mtime) sent with `Cache-Control: max-age=31536000` | a repeat visit revalidated four stylesheets and scripts (four 304 round trips, 74-245 ms into the navigation on a loaded machine) before it could render | none: they come from the browser's cache |
| sessions 4-5: the default per-user rate limit is one rule (1200 a minute), not two (each rule is one Redis round trip of the moving-window script on every request; docs/SECURITY.md) | app no-op 1.31-1.41 ms CPU in-process (bare Dash 0.34) | 1.07-1.11 ms |
| sessions 4-5: campaign detail's ten statements built once (organization, campaign and dates bound at execution, as the overview's), and each frame built once from plain columns | cold campaign detail 20.3-21.5 ms CPU, 23.3-24.6 ms wall (in-process, Redis flushed per request) | 13.9-14.6 ms CPU, 16.8-18.1 ms wall |
| sessions 4-5: no date in the response cache's keys (the ranges are in the body) | at midnight every organization's cached answers missed together | they live out their time |

Levers of the issue already in place before this work: figures are plain dicts (no
`go.Figure`), the overview reads the daily rollup, the campaigns table is paged on the server
(25 rows per response), exports stream from a plain route (COPY), not `dcc.send_data_frame`.
"""

OUT_OF_REACH = """\
## What is out of reach on this machine, and why

**This run's machine was about three times slower than the previous session's**, so compare
ratios, not absolute figures, with earlier reports: the bare Dash no-op cost 1.05-1.24 ms of CPU
per request (0.35-0.37 ms in the previous report), the same commit's app no-op measured
in-process 2.4-2.9 ms (0.83 ms then), a repeat visit in Chromium (all scripts cached, nothing
computed by the server) took ~1.0 s (0.45 s then), and a plain 10M-iteration Python loop 1.1 s.

- **Per-request overhead (1.5x a bare no-op) and warm throughput (0.5x the floor).** App no-op
  5.12 ms CPU against the bare no-op's 1.05 ms at 1M (4.9x), 4.53 against 1.24 at 10M (3.7x);
  3.6x in the previous report. A warm data callback costs what the no-op costs (one Redis MGET
  and the stored bytes), so its throughput ratio is the no-op's. What is left, measured
  in-process by switching each part off: Flask-Limiter's two per-user limits (about 40 % of it:
  two Redis round trips of the moving-window script and Flask-Limiter's own bookkeeping), then
  the signed session cookie, Flask-WTF's CSRF check (an HMAC), Flask-Login's session-protection
  hash, the guard's reading of the callback's outputs, security headers and Prometheus samples.
  1.5x would leave ~0.1 ms (on the previous machine) for all of them: it means dropping a per-user
  rate limit or the CSRF check that PRODUCT.md requires. The signed-in user is not read from the
  database per request (auth/user_cache.py; 0 statements per no-op, checked this session).
- **Cold latency within 1.5x of the raw SQL** holds where the SQL dominates: the campaigns table
  (1.43x at 1M, 0.95x at 10M), the top-campaigns table at 10M (1.17x) and the search at 10M
  (0.96x); at 1M the top-campaigns table (1.55x) and the search (1.53x) are just over. The
  overview's KPIs and charts need 3 statements of ~3-5 ms on the rollup: the callback's other
  ~35 ms are the per-request work above plus Python (three small frames, eight KPI cards, two
  figures, JSON), so the ratio is 7-13x however fast it gets. This session took its Python from
  30-39 to 19-23 ms of CPU in-process (statements built once, derived metrics on plain lists).
  The same holds for campaign detail (10 statements, 5-6 ms of SQL; 68-73 ms cold); its reads
  still build their statements on every call (the overview's treatment was not applied to it).
- **Overview p95 at 10M within 1.2x of 1M** passes for the KPIs and charts (0.8x cold, 1.15x
  warm). The top-campaigns table ranks every campaign over the range, ten times the campaigns and
  rows at 10M, so its cold p95 grows with them (4.9x; 516 ms at 10M); warm it is the same bytes
  from Redis (1.15x). A campaign-by-day rollup would halve the ranking (measured on a copy in an
  earlier session: 75 ms at 10M), not make it flat; not built.
- **100x faster than the naive baseline**: 87x in this run (9.83 s against the overview's two
  cold callbacks, 37.75 + 74.77 ms), 97x in the previous report. The overview's own callback is
  13x its SQL; the top-campaigns ranking (48 ms of SQL at 1M) is most of the sum. Against the
  overview as users get it (warm, one Redis read) it is over 200x.
- **Concurrent users** held 1,500 at both scales (p95 78 and 230 ms), 3,500 and 4,000 in the
  previous report on the faster machine: each step failed at 2,000 users with the load average
  at 5.5-7 on 2 cores, the app, PostgreSQL, Redis and locust all on them. The gunicorn access log
  of the broken 1M step shows p95 58 ms inside the workers against 4.3 s seen by locust: requests
  waited for CPU, not for the database. One real fault was found and fixed on the way (the
  first run of this session broke at 1,000 users at 10M): every cached answer computed when the
  load began expired together five minutes later; with the spread expiries and stale-while-
  refresh, the 1,000-user step held at p95 33 ms and the recomputations spread over ~3 minutes.
- **Charts drawn within 1 s of navigation** failed on this machine for the first visit at both
  scales (1.74-1.81 s) and, by 16-18 ms, for the repeat visit. The bare Dash page's first visit
  took 2.07 s in the same run (1.09 s in the previous report). A first visit compiles ~1 MB gzip of
  JavaScript in a browser launched a moment before: a Chromium trace on an idle machine showed
  ~650 ms of main-thread work for ~690 ms to charts drawn (plotly.js ~265 ms, Dash's renderer
  ~100, react-dom ~55); the previous session measured 0.68-0.75 s idle.
"""
