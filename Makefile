# Two commands on a fresh machine: `make run` (the embedded demo) and `make test` (the test suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test test-optimized test-topology cluster-up cluster-down lint bench bench-alerts bench-pdf lighthouse screenshots install install-dev release

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8

# --compile-bytecode: the libraries' .pyc are written once here, not compiled again by every
# process that imports them (where PYTHONDONTWRITEBYTECODE is set, as on this machine, every
# start compiled ~12,000 lines of redis alone, and kept the compiler's garbage: docs/PRODUCTION.md).
$(VENV)/.runtime: requirements.txt | $(BIN)/uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime

# Production (docs/PRODUCTION.md): the runtime venv, and .pyc of the app and its libraries at both
# levels the service may run with (plain, and PYTHONOPTIMIZE=2 as the systemd unit sets).
release: install
	$(BIN)/python -m compileall -q -j 0 -o 0 -o 2 $(VENV)/lib app.py config.py api auth components data exports pages shell web
install-dev: $(VENV)/.dev

run: install
	$(BIN)/python app.py

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Production runs with PYTHONOPTIMIZE=2 (docs/PRODUCTION.md): the app, every callback and route
# and the browser flows that write (sign-in, lifecycle, alerts, reports, uploads) once more that way
# (pytest rewrites its own asserts, so they still run). The browser walks that measure only the
# client (axe, layout shift, the gallery, keyboard, the read-only pages) run once, in `make test`:
# optimisation changes the server's Python, which the callback and route tests cover whole.
OPTIMIZED_BROWSER := $(addprefix tests/browser/,test_first_load_browser.py test_accounts_browser.py \
	test_lifecycle_browser.py test_alerts_browser.py test_reports_browser.py test_creatives_browser.py)
test-optimized: install-dev
	PYTHONOPTIMIZE=2 $(BIN)/python -m pytest -q tests/test_app.py tests/auth/test_forged_callbacks.py tests/web/test_delivery.py tests/exports $(OPTIMIZED_BROWSER)

# The local production topology (docs/TOPOLOGY.md): PostgreSQL primary + streaming replica behind
# PgBouncer, Redis, 2 gunicorn instances behind nginx, on private loopback ports.
cluster-up: install
	deploy/local-cluster/up $(CLUSTER_ARGS)

cluster-down:
	deploy/local-cluster/down $(CLUSTER_ARGS)

# The tests marked topology (deselected by `make test`): the fixture brings the cluster up, then down.
test-topology: install-dev
	$(BIN)/python -m pytest --topology -v -s tests/topology $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

bench: install-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

# Issue 30's alert targets (fire latency, SIGKILL mid-evaluation x20) on SQLite and PostgreSQL, ~15 min.
bench-alerts: install-dev
	$(BIN)/python -m bench.alerts $(BENCH_ARGS)

# Issue 31's PDF targets (overview <= 2 s; 5,000 campaign rows <= 10 s and <= 600 MB), beside the
# CSV of the same rows, median of 3 runs; its own database kiki_bench_pdf (~10 s to build), ~5 min.
bench-pdf: install-dev
	$(BIN)/python -m bench.pdf $(BENCH_ARGS)

# Lighthouse 12.8.2 (the last to run on Node 20; 13 needs Node 22) as pinned in its lockfile, then
# every signed-in page, desktop and mobile, into docs/BENCHMARKS.md. The script downloads nothing:
# Debian's Chromium, never a browser of puppeteer's.
LIGHTHOUSE_ARGS ?= --write
lighthouse: install-dev
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix bench/lighthouse --no-audit --no-fund
	$(BIN)/python -m bench.lighthouse $(LIGHTHOUSE_ARGS)

# The README's screenshots (docs/screenshots/) from the demo data, in Debian's Chromium.
screenshots: install-dev
	$(BIN)/python -m bench.screenshots $(SCREENSHOT_ARGS)
