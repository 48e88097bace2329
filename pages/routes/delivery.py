"""What the browser downloads: gzip for scripts, styles and JSON, and a smaller plotly.js.

Compression is Dash's own (``Dash(compress=True)``, flask-compress); these settings keep it off
HTML (the sign-in form holds a CSRF token beside reflected input: no BREACH oracle) and off
streamed exports (a million-row CSV would cost seconds of CPU; nginx may gzip those instead).

Dash's renderer loads plotly.js from PLOTLY_PATH when the first graph renders. The full bundle
is 4.8 MB (1.5 MB gzip); the app's figures use only scatter and bar traces, which plotly.js's
"basic" partial bundle of the same version has (1.2 MB, 0.4 MB gzip; MIT, from the npm package
plotly.js-basic-dist-min).

The bundle is served with V8's explicit compile hint in front (COMPILE_HINT): Chromium then
compiles all of it on a background thread while it downloads, instead of compiling each function
on the page's main thread the first time it runs. On a first visit (no code cache yet) that is
~40-80 ms less main-thread work before the overview's charts are drawn; other browsers read the
line as a comment.

The app's own /assets/ files carry their modification time in the URL (``?m=``), so they are
cached for a year: a changed file gets a new URL. Dash's default has the browser revalidate the
stylesheets and scripts on every visit, four round trips before a repeat visit can render.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from pathlib import Path

from dash.fingerprint import check_fingerprint
from flask import Flask, Request, current_app, request

PLOTLY_PATH = "/_dash-component-suites/plotly/package_data/plotly.min.js"
PLOTLY_BASIC = Path(__file__).with_name("static") / "plotly-basic-4.1.1.min.js"
PLOTLY_BASIC_TRACES = frozenset({"scatter", "bar", "pie"})
COMPRESS_SETTINGS = {
    "COMPRESS_MIMETYPES": [
        "application/javascript",
        "text/javascript",
        "text/css",
        "application/json",
    ],
    "COMPRESS_ALGORITHM": ["gzip"],
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 500,
    "COMPRESS_STREAMS": False,
}
SUITES = "/_dash-component-suites/"
ONE_YEAR = 31536000


def suite_cache_key(req: Request) -> str:
    """flask-compress's cache key: a component-suite file's package and path, or "" (not kept).

    Dash reads and flask-compress gzips every script afresh for each request: ~30 ms of CPU per
    first visit, while the browser waits for the page's scripts before anything else can start.
    A file's bytes never change while the process runs (the fingerprint in its URL only steers
    browser caching), and only the files Dash registered answer 200: a fixed, small set.
    """
    args = req.view_args or {}
    if req.method != "GET" or not req.path.startswith(SUITES):
        return ""
    if "package_name" not in args or "fingerprinted_path" not in args:
        return ""
    path, _fingerprinted = check_fingerprint(args["fingerprinted_path"])
    return f"{args['package_name']}/{path}"


class SuiteCache:
    """flask-compress's cache backend: keeps the gzipped component-suite files, nothing else.

    flask-compress consults it for every compressed answer (callbacks and layouts included) under
    "<algorithm>;<suite_cache_key>"; a key with an empty suite part is never stored.
    """

    def __init__(self) -> None:
        self._kept: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self._kept.get(key)

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";"):
            self._kept[key] = value


COMPRESS_SETTINGS["COMPRESS_CACHE_KEY"] = suite_cache_key
COMPRESS_SETTINGS["COMPRESS_CACHE_BACKEND"] = SuiteCache


# V8's explicit compile hint: compile every function of the script eagerly, off the main thread.
COMPILE_HINT = b"//# allFunctionsCalledOnLoad\n"


@functools.cache
def _plotly_basic() -> tuple[bytes, bytes, str]:
    """(the bundle as served, gzipped once per process, its ETag)."""
    raw = COMPILE_HINT + PLOTLY_BASIC.read_bytes()
    return raw, gzip.compress(raw, 9), hashlib.sha256(raw).hexdigest()[:32]


def serve_plotly_basic():
    """before_request: answer Dash's plotly.js URL with the basic bundle (revalidated by ETag)."""
    if request.path != PLOTLY_PATH:
        return None
    raw, packed, etag = _plotly_basic()
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    response = current_app.response_class(
        packed if gzipped else raw, mimetype="application/javascript"
    )
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = "no-cache"  # the URL has no version: revalidate
    response.set_etag(etag + ("-gz" if gzipped else ""))
    return response.make_conditional(request)


def cache_versioned_assets(response):
    """after_request: an /assets/ file named with its modification time is cached for a year."""
    if (
        request.path.startswith("/assets/")
        and request.args.get("m")
        and response.status_code in (200, 304)
    ):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR
    return response


def init_app(app: Flask) -> None:
    """Call before the Dash app is built: flask-compress reads its settings then."""
    for name, value in COMPRESS_SETTINGS.items():
        app.config.setdefault(name, value)
    # Gzip the bundle now: under gunicorn's preload_app that is once in the master, not in each
    # worker's first answer (~50 ms of level-9 gzip on an idle core, which a first visit waited for).
    _plotly_basic()
    app.before_request(serve_plotly_basic)
    app.after_request(cache_versioned_assets)
