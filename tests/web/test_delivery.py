"""What the browser downloads: gzip on scripts and callback JSON (never on HTML or CSV streams),
plotly.js's basic bundle, of the version plotly.py expects, drawing every trace the pages send,
and regenerator-runtime in place of Dash's @babel/polyfill."""

from __future__ import annotations

import gzip
import re

from dash.fingerprint import check_fingerprint
from plotly.offline import get_plotlyjs_version

from tests.test_app import overview_payload
from web.scripts import (
    COMPILE_HINT,
    HINTED_SUITES,
    PLOTLY_BASIC_TRACES,
    PLOTLY_PATH,
    REGENERATOR_RUNTIME,
    SUITES,
)


def _callback(client, payload: dict, **headers):
    token = client.get_cookie("_csrf_token").value
    return client.post(
        "/_dash-update-component",
        json=payload,
        headers={"X-CSRFToken": token, **headers},
    )


def test_plotly_is_the_basic_bundle_of_plotly_pys_version(client_for):
    client = client_for("acme", "viewer")
    response = client.get(PLOTLY_PATH, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    head = gzip.decompress(response.get_data())[:200].decode()
    assert "(basic - minified)" in head
    assert f"v{get_plotlyjs_version()}" in head
    plain = client.get(PLOTLY_PATH)
    assert "Content-Encoding" not in plain.headers
    assert plain.get_data() == gzip.decompress(response.get_data())
    again = client.get(PLOTLY_PATH, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304


def test_plotly_needs_a_sign_in_like_every_dash_resource(client_for):
    assert client_for().get(PLOTLY_PATH).status_code in (302, 401)


def _page_scripts(client, path: str = "/") -> list[str]:
    html = client.get(path).get_data(as_text=True)
    return re.findall(r'<script src="([^"]+)"', html)


def test_the_first_script_dash_loads_is_regenerator_runtime_not_babel_polyfill(
    client_for,
):
    client = client_for("acme", "viewer")
    first = _page_scripts(client)[0]
    assert (
        "/dash/deps/polyfill@7" in first
    )  # Dash's first script: if it changes, look again
    response = client.get(first, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.mimetype == "application/javascript"
    body = gzip.decompress(response.get_data())
    assert body == REGENERATOR_RUNTIME.read_bytes()
    assert b"regeneratorRuntime = runtime" in body and b"core-js" not in body
    # The URL carries Dash's version and the file's time: cached as long as Dash's own scripts.
    assert response.cache_control.max_age == 31536000
    assert client.get(first).get_data() == body


def test_other_dash_scripts_are_dashs_own(client_for):
    client = client_for("acme", "viewer")
    react = next(src for src in _page_scripts(client) if "/deps/react@" in src)
    assert b"regeneratorRuntime = runtime" not in client.get(react).get_data()


def test_the_polyfill_url_needs_a_sign_in_too(client_for):
    first = _page_scripts(client_for("acme", "viewer"))[0]
    assert client_for().get(first).status_code in (302, 401)


def test_every_trace_the_overview_draws_is_in_the_basic_bundle(client_for, world):
    client = client_for("acme", "viewer")
    response = _callback(client, overview_payload("2026-10-01", "2026-11-01"))
    figures = [
        response.json["response"][name]["figure"]
        for name in ("overview-trend", "overview-breakdown")
    ]
    kinds = {trace.get("type", "scatter") for f in figures for trace in f["data"]}
    assert kinds and kinds <= PLOTLY_BASIC_TRACES


def test_every_trace_type_in_the_figure_builders_is_in_the_basic_bundle():
    from pathlib import Path

    import components

    source = "".join(
        p.read_text() for p in Path(components.__file__).parent.glob("*.py")
    )
    kinds = set(re.findall(r'"type":\s*"(\w+)"', source)) - {
        "date",
        "category",
        "linear",
    }
    assert kinds and kinds <= PLOTLY_BASIC_TRACES, kinds - PLOTLY_BASIC_TRACES


def test_scripts_and_callback_json_are_gzipped_html_is_not(client_for):
    client = client_for("acme", "analyst")
    layout = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert layout.headers.get("Content-Encoding") == "gzip"
    answer = _callback(
        client,
        overview_payload("2026-10-01", "2026-11-01"),
        **{"Accept-Encoding": "gzip"},
    )
    assert answer.headers.get("Content-Encoding") == "gzip"
    assert b"overview-trend" in gzip.decompress(answer.get_data())
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200 and "Content-Encoding" not in page.headers
    sign_in = client_for().get("/login", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in sign_in.headers


def test_a_streamed_csv_export_is_not_compressed_by_the_app(client_for):
    client = client_for("acme", "analyst")
    response = client.get(
        "/export/metrics/daily.csv?start=2026-10-01&end=2026-11-01",
        headers={"Accept-Encoding": "gzip"},
    )
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True).startswith("\ufeffDate,")


def test_component_scripts_kept_gzipped_are_the_files_and_answers_are_not_kept(
    client_for,
):
    client = client_for("acme", "analyst")
    scripts = re.findall(
        r'src="(/_dash-component-suites/[^"]+\.js[^"]*)"',
        client.get("/").get_data(as_text=True),
    )
    assert scripts, "the page names no component scripts"
    for url in scripts[:4]:
        plain = client.get(url).get_data()
        for _ in range(2):  # the second answer comes from the kept bytes
            zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
            assert zipped.headers.get("Content-Encoding") == "gzip"
            assert gzip.decompress(zipped.get_data()) == plain
    plotly = gzip.decompress(
        client.get(PLOTLY_PATH, headers={"Accept-Encoding": "gzip"}).get_data()
    )
    assert plotly.startswith(b"//# allFunctionsCalledOnLoad")
    # Callback answers differ per request: never served from the kept scripts.
    gz = {"Accept-Encoding": "gzip"}
    first = _callback(client, overview_payload("2026-10-01", "2026-11-01"), **gz)
    other = _callback(client, overview_payload("2026-10-05", "2026-10-11"), **gz)
    assert first.headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(first.get_data()) != gzip.decompress(other.get_data())


def test_versioned_assets_are_cached_for_a_year_bare_ones_revalidated(client_for):
    client = client_for("acme", "viewer")
    page = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/assets/[^"]+\?m=[^"]+)"', page)
    assert any(".css" in u for u in urls) and any(".js" in u for u in urls), urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert response.cache_control.max_age == 31536000, url
        assert response.cache_control.public and not response.cache_control.no_cache
    bare = client.get(urls[0].split("?", 1)[0])
    assert bare.status_code == 200 and bare.cache_control.max_age != 31536000


def _kept_gzip(app) -> dict:
    """The bytes flask-compress keeps (its cache backend), found through its after_request hook."""
    hooks = app.server.after_request_funcs[None]
    compress = next(
        h.__self__
        for h in hooks
        if type(getattr(h, "__self__", None)).__name__ == "Compress"
    )
    return compress.cache._kept


def test_asset_files_are_gzipped_even_on_the_sign_in_page(client_for):
    sign_in = client_for().get("/login").get_data(as_text=True)
    page = client_for("acme", "viewer").get("/").get_data(as_text=True)
    # Stylesheets and scripts (the brand icon, 250 bytes, is below gzip's minimum size).
    urls = re.findall(
        r'(?:href|src)="(/assets/[^"]+\.(?:css|js)(?:\?[^"]*)?)"', sign_in + page
    )
    assert any("bootstrap" in u for u in urls) and any("?m=" in u for u in urls), urls
    client = client_for()  # anonymous: the sign-in page needs the stylesheets too
    for url in urls:
        plain = client.get(url)
        assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
        for _ in range(2):  # the second answer comes from the kept bytes
            zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
            assert zipped.headers.get("Content-Encoding") == "gzip", url
            assert gzip.decompress(zipped.get_data()) == plain.get_data()
            assert zipped.headers["Content-Length"] == str(len(zipped.get_data()))
        bootstrap_size = len(zipped.get_data())
        again = client.get(
            url,
            headers={
                "Accept-Encoding": "gzip",
                "If-None-Match": zipped.headers["ETag"],
            },
        )
        assert again.status_code == 304, url
    css = next(u for u in urls if "bootstrap" in u)
    zipped = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert len(zipped.get_data()) < len(client.get(css).get_data()) / 4, bootstrap_size


def test_kept_asset_bytes_grow_with_files_not_with_what_a_url_says(app, client_for):
    client = client_for()
    gz = {"Accept-Encoding": "gzip"}
    client.get("/assets/kiki.css?m=1", headers=gz)
    kept = len(_kept_gzip(app))
    for version in range(2, 30):
        assert (
            client.get(f"/assets/kiki.css?m={version}", headers=gz).status_code == 200
        )
    assert client.get("/assets/no-such-file.css?m=1", headers=gz).status_code == 404
    assert len(_kept_gzip(app)) == kept


def _suite_file(src: str) -> tuple[str, str]:
    """A component-suite script's URL as (package, path in it), its fingerprint taken out."""
    package, fingerprinted = src.split("?", 1)[0][len(SUITES) :].split("/", 1)
    return package, check_fingerprint(fingerprinted)[0]


def test_dashs_renderer_and_react_carry_the_compile_hint_and_nothing_else_does(
    client_for,
):
    client = client_for("acme", "viewer")
    scripts = [src for src in _page_scripts(client) if src.startswith(SUITES)]
    hinted = [src for src in scripts if _suite_file(src) in HINTED_SUITES]
    # Each hinted file is still one the page loads: a Dash upgrade that renames one fails here.
    assert len(hinted) == len(HINTED_SUITES), (hinted, scripts)
    gz = {"Accept-Encoding": "gzip"}
    for src in scripts:
        plain = client.get(src)
        assert plain.status_code == 200, src
        body = plain.get_data()
        assert body.startswith(COMPILE_HINT) == (src in hinted), src
        assert not body[len(COMPILE_HINT) :].startswith(COMPILE_HINT), src
        for _ in range(2):  # the second answer comes from the kept gzip
            zipped = client.get(src, headers=gz)
            assert zipped.headers.get("Content-Encoding") == "gzip", src
            assert gzip.decompress(zipped.get_data()) == body
            assert zipped.headers["Content-Length"] == str(len(zipped.get_data()))


def test_an_unversioned_hinted_script_is_revalidated_and_needs_a_sign_in(client_for):
    client = client_for("acme", "viewer")
    package, path = next(iter(sorted(HINTED_SUITES)))
    unversioned = (
        f"{SUITES}{package}/{path}"  # revalidated by ETag, not cached for a year
    )
    first = client.get(unversioned)
    assert first.status_code == 200 and first.get_data().startswith(COMPILE_HINT)
    again = client.get(unversioned, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert client_for().get(unversioned).status_code in (302, 401)


PRELOAD = re.compile(r'<link rel="preload" href="([^"]+)" as="script">')


def test_pages_with_charts_preload_the_graph_chunk_and_plotly(client_for):
    client = client_for("acme", "analyst")
    wanted = ["/_dash-component-suites/dash/dcc/async-graph.js", PLOTLY_PATH]
    for path in ("/", "/?start=2026-10-05&end=2026-11-01", "/campaigns/1"):
        page = client.get(path).get_data(as_text=True)
        assert PRELOAD.findall(page) == wanted, path
        head = page.split("</head>")[0]
        assert all(url in head for url in wanted), path
    for path in ("/campaigns", "/profile", "/no-such-page"):
        assert PRELOAD.findall(client.get(path).get_data(as_text=True)) == [], path
    for url in wanted:  # each a script the app serves
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype in ("application/javascript", "text/javascript")


ICON_LINK = re.compile(
    r'<link rel="icon" type="image/svg\+xml" href="(/assets/favicon\.svg\?m=\d+)">'
)


def test_every_page_links_the_brand_icon_not_dashs(client_for):
    """Dash pages, the sign-in form and the API reference all show KIKI's mark in the tab."""
    viewer = client_for("acme", "viewer")
    pages = {path: viewer.get(path) for path in ("/", "/campaigns", "/campaigns/1")}
    pages["/login"] = client_for().get("/login")
    pages["/api/v1/docs"] = client_for().get("/api/v1/docs")
    for path, response in pages.items():
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert len(ICON_LINK.findall(html)) == 1, path
        assert "_favicon.ico" not in html, path


def test_the_brand_icon_is_a_small_svg_cached_for_a_year_without_a_sign_in(client_for):
    html = client_for().get("/login").get_data(as_text=True)
    url = ICON_LINK.search(html).group(1)
    response = client_for().get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.get_data().startswith(b"<svg") and len(response.get_data()) < 1024
    assert response.cache_control.max_age == 31536000
