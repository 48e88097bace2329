"""Dash's scripts made lighter: plotly.js's basic bundle, regenerator-runtime, V8 compile hints.

Dash's renderer loads plotly.js from PLOTLY_PATH when the first graph renders. The app's figures
use only scatter, bar and pie traces, which plotly.js's "basic" partial bundle of the same
version has (MIT, from the npm package plotly.js-basic-dist-min), a fraction of the full bundle.

Dash's first script is @babel/polyfill 7 (core-js 2 and regenerator-runtime): the babel helpers
of Dash's own bundles need only its regenerator-runtime (``regeneratorRuntime``), and every
browser the app supports has the rest natively. Evaluating core-js, and its replacements of
built-ins such as ``String.prototype.trim`` that the renderer then calls, was a visible share of
a first visit's main-thread time. So the polyfill's URL answers with regenerator-runtime alone
(MIT, npm package regenerator-runtime 0.14.1; @babel/polyfill 7.12 bundles 0.13, whose API is the
same). A browser without native ES2017 (Internet Explorer, Safari before 11) is not supported.

The plotly bundle is served with V8's explicit compile hint in front (COMPILE_HINT): Chromium then
compiles all of it on a background thread while it downloads, instead of compiling each function
on the page's main thread the first time it runs; other browsers read the line as a comment. So
are Dash's renderer, React and ReactDOM (hint_suite_scripts).

Figures behind these choices: docs/BENCHMARKS.md, "Figures behind code choices".
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from pathlib import Path

from dash.fingerprint import check_fingerprint
from flask import Flask, Request, current_app, request

SUITES = "/_dash-component-suites/"
PLOTLY_PATH = f"{SUITES}plotly/package_data/plotly.min.js"
STATIC = Path(__file__).with_name("static")  # vendored scripts, each beside its licence
PLOTLY_BASIC = STATIC / "plotly-basic-4.1.1.min.js"
PLOTLY_BASIC_TRACES = frozenset({"scatter", "bar", "pie"})
# Dash's @babel/polyfill as (package, path in it); its URL carries a fingerprint.
POLYFILL = ("dash", "deps/polyfill@7.12.1.min.js")
REGENERATOR_RUNTIME = STATIC / "regenerator-runtime-0.14.1.js"
ONE_YEAR = 31536000

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
def vendored_script(name: str) -> tuple[bytes, bytes, str]:
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
    raw, packed, etag = vendored_script(name)
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


def hint_suite_scripts(response):
    """after_request, run before flask-compress's: Dash's renderer, React and ReactDOM served
    with COMPILE_HINT in front, as the plotly bundle is.

    Nearly every function of these three runs while the first page renders, so compiling them
    on a background thread as they download takes that work off the main thread, which is what
    a first visit waits on. Hinting every large script (dcc, dbc, the date picker's too) did not
    draw the charts sooner: eager compiling of code that the page never calls competes for the
    same cores. The hinted bytes are what flask-compress gzips and keeps: after a file's first
    request the hint costs one copy of its bytes.
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


def init_app(app: Flask) -> None:
    """Gzip the vendored scripts now: under gunicorn's preload_app that is once in the master,
    not in each worker's first answer, which a first visit waited for."""
    for name in VENDORED:
        vendored_script(name)
