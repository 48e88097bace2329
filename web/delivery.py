"""What the browser downloads compressed and cached: gzip settings, kept gzip, year-long /assets/.

Compression is Dash's own (``Dash(compress=True)``, flask-compress); these settings keep it off
HTML (the sign-in form holds a CSRF token beside reflected input: no BREACH oracle) and off
streamed exports (a million-row CSV would cost seconds of CPU; nginx may gzip those instead).

The app's own /assets/ files are gzipped too (buffer_asset_files). Their URLs carry the file's
modification time (``?m=``), so they are cached for a year: a changed file gets a new URL.
Dash's default has the browser revalidate the stylesheets and scripts on every visit, four round
trips before a repeat visit can render. The smaller scripts and compile hints: web/scripts.py.

Figures behind these choices: docs/BENCHMARKS.md, "Figures behind code choices".
"""

from __future__ import annotations

from dash.fingerprint import check_fingerprint
from flask import Flask, Request, g, request

from web import scripts
from web.scripts import ONE_YEAR, SUITES

ASSETS = "/assets/"
COMPRESS_MIMETYPES = [
    "application/javascript",
    "text/javascript",
    "text/css",
    "application/json",
]


def suite_cache_key(req: Request) -> str:
    """flask-compress's cache key: a component-suite file's package and path, an /assets/ file's
    path and version (see buffer_asset_files), or "" (not kept).

    Dash reads and flask-compress gzips every script afresh for each request, CPU a first visit
    waits on before anything else can start. A file's bytes never change while the process runs
    (the fingerprint in its URL only steers browser caching), and only the files Dash registered
    answer 200: a fixed, small set.
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


COMPRESS_SETTINGS = {
    "COMPRESS_MIMETYPES": COMPRESS_MIMETYPES,
    "COMPRESS_ALGORITHM": ["gzip"],
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 500,
    "COMPRESS_STREAMS": False,
    "COMPRESS_CACHE_KEY": suite_cache_key,
    "COMPRESS_CACHE_BACKEND": SuiteCache,
}


def cache_versioned_assets(response):
    """after_request: an /assets/ file named with its modification time is cached for a year."""
    if (
        request.path.startswith(ASSETS)
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
    (COMPRESS_STREAMS is off, for the CSV exports): Bootstrap's stylesheet went out unzipped.
    The gzipped bytes are kept under the path and send_file's ETag, which the file's
    modification time and size make: an edited file is gzipped afresh, and only files that
    exist are kept, whatever a client puts in the URL.
    """
    etag, _weak = response.get_etag()
    if (
        etag
        and request.method == "GET"
        and request.path.startswith(ASSETS)
        and response.status_code == 200
        and response.direct_passthrough
        and response.mimetype in COMPRESS_MIMETYPES
    ):
        response.direct_passthrough = False
        response.make_sequence()
        g.asset_cache_key = f"{request.path}@{etag}"
    return response


def init_app(app: Flask) -> None:
    """Call before the Dash app is built: flask-compress reads its settings then."""
    for name, value in COMPRESS_SETTINGS.items():
        app.config.setdefault(name, value)
    scripts.init_app(app)
