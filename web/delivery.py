"""What the browser downloads: gzip for scripts, styles and JSON, and a smaller plotly.js.

Compression is Dash's own (``Dash(compress=True)``, flask-compress); these settings keep it off
HTML (the sign-in form holds a CSRF token beside reflected input: no BREACH oracle) and off
streamed exports (a million-row CSV would cost seconds of CPU; nginx may gzip those instead).

Dash's renderer loads plotly.js from PLOTLY_PATH when the first graph renders. The full bundle
is 4.8 MB (1.5 MB gzip); the app's figures use only scatter and bar traces, which plotly.js's
"basic" partial bundle of the same version has (1.2 MB, 0.4 MB gzip; MIT, from the npm package
plotly.js-basic-dist-min).

Dash's first script is @babel/polyfill 7 (core-js 2 and regenerator-runtime, 34 KB gzip): the
babel helpers of Dash's own bundles need only its regenerator-runtime (``regeneratorRuntime``),
and every browser the app supports has the rest natively. Evaluating core-js, and its
replacements of built-ins such as ``String.prototype.trim`` that the renderer then calls, cost
about a tenth of a first visit's main-thread time (100-200 ms of 0.9-1.1 s to charts drawn,
headless Chromium, 2 cores). So the polyfill's URL answers with regenerator-runtime alone (MIT,
npm package regenerator-runtime 0.14.1; @babel/polyfill 7.12 bundles 0.13, whose API is the same).
A browser without native ES2017 (Internet Explorer, Safari before 11) is not supported.

The plotly bundle is served with V8's explicit compile hint in front (COMPILE_HINT): Chromium then
compiles all of it on a background thread while it downloads, instead of compiling each function
on the page's main thread the first time it runs. On a first visit (no code cache yet) that is
~40-80 ms less main-thread work before the overview's charts are drawn; other browsers read the
line as a comment. So are Dash's renderer, React and ReactDOM (hint_suite_scripts).

The app's own /assets/ files are gzipped too (buffer_asset_files). Their URLs carry the file's
modification time (``?m=``), so they are cached for a year: a changed file gets a new URL.
Dash's default has the browser revalidate the stylesheets and scripts on every visit, four round
trips before a repeat visit can render.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from pathlib import Path

import dash
from dash._pages import _path_to_page  # what Dash's router calls
from dash.fingerprint import check_fingerprint
from flask import Flask, Request, current_app, g, request

PLOTLY_PATH = "/_dash-component-suites/plotly/package_data/plotly.min.js"
# What a page with charts loads once its layout has rendered: dcc's graph chunk and plotly.js
# (see preload_chart_scripts).
CHART_SCRIPTS = ("/_dash-component-suites/dash/dcc/async-graph.js", PLOTLY_PATH)
STATIC = Path(__file__).with_name("static")  # vendored scripts, each beside its licence
PLOTLY_BASIC = STATIC / "plotly-basic-4.1.1.min.js"
PLOTLY_BASIC_TRACES = frozenset({"scatter", "bar", "pie"})
# Dash's @babel/polyfill as (package, path in it); its URL carries a fingerprint.
POLYFILL = ("dash", "deps/polyfill@7.12.1.min.js")
REGENERATOR_RUNTIME = STATIC / "regenerator-runtime-0.14.1.js"
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
ASSETS = "/assets/"
ONE_YEAR = 31536000


def suite_cache_key(req: Request) -> str:
    """flask-compress's cache key: a component-suite file's package and path, an /assets/ file's
    path and version (see buffer_asset_files), or "" (not kept).

    Dash reads and flask-compress gzips every script afresh for each request: ~30 ms of CPU per
    first visit, while the browser waits for the page's scripts before anything else can start.
    A file's bytes never change while the process runs (the fingerprint in its URL only steers
    browser caching), and only the files Dash registered answer 200: a fixed, small set.
    """
    if asset_key := g.get("asset_cache_key"):
        return asset_key
    args = req.view_args or {}
    if req.method != "GET" or not req.path.startswith(SUITES):
        return ""
    if "package_name" not in args or "fingerprinted_path" not in args:
        return ""
    path, _fingerprinted = check_fingerprint(args["fingerprinted_path"])
    return f"{args['package_name']}/{path}"


class SuiteCache:
    """flask-compress's cache backend: keeps the gzipped component-suite and /assets/ files.

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
# Dash's own scripts served with the hint in front, as (package, path in it): the three whose
# functions nearly all run before the first chart is drawn (see hint_suite_scripts).
HINTED_SUITES = frozenset(
    {
        ("dash", "dash-renderer/build/dash_renderer.min.js"),
        ("dash", "deps/react-dom@18.3.1.min.js"),
        ("dash", "deps/react@18.3.1.min.js"),
    }
)


# name -> (file, what goes in front of it): the scripts answered in place of Dash's.
VENDORED = {
    "plotly": (PLOTLY_BASIC, COMPILE_HINT),
    "regenerator-runtime": (REGENERATOR_RUNTIME, b""),
}


@functools.cache
def _vendored(name: str) -> tuple[bytes, bytes, str]:
    """(a vendored script as served, gzipped once per process, its ETag)."""
    path, prefix = VENDORED[name]
    raw = prefix + path.read_bytes()
    return raw, gzip.compress(raw, 9), hashlib.sha256(raw).hexdigest()[:32]


def _substitute_for(req: Request) -> tuple[str, bool] | None:
    """(the vendored script answering this URL, whether its URL is fingerprinted), or None."""
    if not req.path.startswith(SUITES):
        return None
    if req.path == PLOTLY_PATH:
        return "plotly", False
    args = req.view_args or {}
    if args.get("package_name") != POLYFILL[0] or "fingerprinted_path" not in args:
        return None
    path, fingerprinted = check_fingerprint(args["fingerprinted_path"])
    return ("regenerator-runtime", fingerprinted) if path == POLYFILL[1] else None


def serve_vendored_scripts():
    """before_request: answer Dash's plotly.js and polyfill URLs with the smaller scripts.

    The polyfill's URL carries Dash's version and the installed file's time, as Dash's own
    answers do, so it is cached for a year as Dash would; plotly.js's URL has no version, so it
    is revalidated by ETag.
    """
    substitute = _substitute_for(request)
    if substitute is None:
        return None
    name, fingerprinted = substitute
    raw, packed, etag = _vendored(name)
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    response = current_app.response_class(
        packed if gzipped else raw, mimetype="application/javascript"
    )
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    if fingerprinted:
        response.cache_control.max_age = ONE_YEAR
    else:
        response.headers["Cache-Control"] = "no-cache"
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


def buffer_asset_files(response):
    """after_request, run just before flask-compress's: an /assets/ file read into memory, so
    that it is gzipped like every other stylesheet and script.

    Dash answers /assets/ with send_file, a stream, and flask-compress passes streams by
    (COMPRESS_STREAMS is off, for the CSV exports): Bootstrap's stylesheet went out as 232 KB
    where gzip makes it 31 KB. The gzipped bytes are kept under the path and send_file's ETag,
    which the file's modification time and size make: an edited file is gzipped afresh, and
    only files that exist are kept, whatever a client puts in the URL.
    """
    etag, _weak = response.get_etag()
    if (
        etag
        and request.method == "GET"
        and request.path.startswith(ASSETS)
        and response.status_code == 200
        and response.direct_passthrough
        and response.mimetype in COMPRESS_SETTINGS["COMPRESS_MIMETYPES"]
    ):
        response.direct_passthrough = False
        response.make_sequence()
        g.asset_cache_key = f"{request.path}@{etag}"
    return response


def hint_suite_scripts(response):
    """after_request, run before flask-compress's: Dash's renderer, React and ReactDOM served
    with COMPILE_HINT in front, as the plotly bundle is.

    Nearly every function of these three runs while the first page renders, so compiling them
    on a background thread as they download takes that work off the main thread, which is what
    a first visit waits on (a CPU profile of one: ~220 ms in the renderer, ~100 ms in React).
    Measured side by side on the overview at 1M rows, fresh Chromium each visit, 24 interleaved
    pairs: charts drawn 1,092 -> 983 ms median, main-thread task time 1,032 -> 880 ms. Hinting
    every large script (dcc, dbc, the date picker's too) cut task time further but not the time
    to charts drawn (885 -> 870 ms, faster in 5 of 12 pairs): eager compiling of code that the
    page never calls competes for the same two cores. The hinted bytes are what flask-compress
    gzips and keeps: after a file's first request the hint costs one copy of its bytes.
    """
    args = request.view_args or {}
    if (
        request.method != "GET"
        or not request.path.startswith(SUITES)
        or response.status_code != 200
        or response.direct_passthrough
        or "fingerprinted_path" not in args
    ):
        return response
    path, _fingerprinted = check_fingerprint(args["fingerprinted_path"])
    if (args.get("package_name"), path) in HINTED_SUITES:
        response.set_data(COMPILE_HINT + response.get_data())
    return response


def preload_chart_scripts(app: dash.Dash) -> None:
    """The page of a registered page with ``charts=True`` asks for CHART_SCRIPTS at once.

    Dash's renderer asks for dcc's graph chunk only when the first graph mounts, and plotly.js
    only after that chunk has run: on a first visit both downloads began after the layout had
    come and been rendered, and the charts waited for them. Preloaded (``<link rel=preload>``)
    they download beside the page's other scripts, and the renderer's requests for the same
    URLs are answered from the browser's memory. Pages without charts are not sent them.
    """
    interpolate = app.interpolate_index

    def interpolate_index(**parts):
        page, _variables = _path_to_page(dash.strip_relative_path(request.path))
        if page and page.get("charts"):
            links = "".join(
                f'<link rel="preload" href="{url}" as="script">'
                for url in CHART_SCRIPTS
            )
            parts["css"] = links + parts.get("css", "")
        return interpolate(**parts)

    app.interpolate_index = interpolate_index


BRAND_ICON = Path(__file__).resolve().parents[1] / "assets" / "favicon.svg"


def brand_icon_url() -> str:
    """The brand mark's URL, versioned by the file's time: cached for a year (cache_versioned_assets)
    and fetched again only when the file changes."""
    return f"{ASSETS}{BRAND_ICON.name}?m={BRAND_ICON.stat().st_mtime_ns}"


def brand_icon_link() -> str:
    return f'<link rel="icon" type="image/svg+xml" href="{brand_icon_url()}">'


def use_brand_icon(app: dash.Dash) -> None:
    """Every Dash page's tab shows KIKI's mark (assets/favicon.svg), not Dash's default icon.

    Dash links its own /_favicon.ico (Plotly's logo, 15 KB, sent without a cache lifetime: a
    first visit fetched it twice) unless assets/ holds a favicon.ico. The mark is a 250-byte SVG,
    which every browser the app supports shows as a tab icon. The sign-in and API reference
    pages, which Flask renders, link the same file (``brand_icon_link`` in their templates).
    """
    interpolate = app.interpolate_index

    def interpolate_index(**parts):
        parts["favicon"] = brand_icon_link()
        return interpolate(**parts)

    app.interpolate_index = interpolate_index


def init_app(app: Flask) -> None:
    """Call before the Dash app is built: flask-compress reads its settings then."""
    for name, value in COMPRESS_SETTINGS.items():
        app.config.setdefault(name, value)
    # Gzip the scripts now: under gunicorn's preload_app that is once in the master, not in each
    # worker's first answer (~50 ms of level-9 gzip on an idle core, which a first visit waited for).
    for name in VENDORED:
        _vendored(name)
    app.before_request(serve_vendored_scripts)
    app.after_request(cache_versioned_assets)
    app.jinja_env.globals["brand_icon_link"] = brand_icon_link


def init_dash(app: Flask) -> None:
    """Call after the Dash app is built: Flask runs after_request hooks last registered first,
    so these run before flask-compress's, which Dash registered."""
    app.after_request(buffer_asset_files)
    app.after_request(hint_suite_scripts)
