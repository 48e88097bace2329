"""No page, callback, export or cache entry of one organization holds another organization's rows."""

from __future__ import annotations

import io
import pickle

import pytest
from pypdf import PdfReader

from data.cache import cache
from tests.auth import dash_calls

GLOBEX_ONLY = "Black Friday Electronics"  # a globex campaign of the golden data
ACME_ONLY = "Spring Hiking Boots"  # an acme campaign of the golden data
WIDE = {"start": "2026-01-01", "end": "2026-12-31"}


def everything_seen(app, world, client) -> str:
    """The text of every page, every page layout and every server callback, as ``client``."""
    paths = [path for path, _ in dash_calls.page_paths(world)]
    values = dash_calls.layout_values(app, client, paths)
    # Widen the date pickers so every campaign of the golden data is in range.
    for key in list(values):
        if key.endswith(".start_date"):
            values[key] = WIDE["start"]
        elif key.endswith(".end_date"):
            values[key] = WIDE["end"]
    seen = [client.get(path).get_data(as_text=True) for path in paths]
    for path in paths:
        body = dash_calls.payload(
            app, dash_calls.ROUTER, {"_pages_location.pathname": path}
        )
        seen.append(dash_calls.post(client, body).get_data(as_text=True))
    for key in dash_calls.server_callbacks(app):
        if key != dash_calls.ROUTER:
            seen.append(
                dash_calls.post(client, dash_calls.payload(app, key, values)).get_data(
                    as_text=True
                )
            )
    return "\n".join(seen)


@pytest.mark.parametrize("role", ["viewer", "analyst", "admin"])
def test_acme_sees_no_globex_row_anywhere(app, world, client_for, role):
    seen = everything_seen(app, world, client_for("acme", role))
    assert ACME_ONLY in seen  # the pages did show data: the check below means something
    assert GLOBEX_ONLY not in seen


def test_globex_sees_its_own_campaign_and_none_of_acme(app, world, client_for):
    seen = everything_seen(app, world, client_for("globex", "admin"))
    assert GLOBEX_ONLY in seen
    assert ACME_ONLY not in seen


def campaign_callbacks_text(app, client, values) -> str:
    texts = [
        dash_calls.post(client, dash_calls.payload(app, key, values)).get_data(
            as_text=True
        )
        for key in dash_calls.server_callbacks(app)
        if key.startswith(("..campaign-", "campaign-"))
    ]
    assert texts
    return "\n".join(texts)


def test_another_organizations_campaign_page_shows_nothing_of_it(
    app, world, client_for
):
    globex_campaign = world["campaigns"]["5"]
    acme = client_for("acme", "admin")
    values = dash_calls.layout_values(app, acme, [f"/campaigns/{globex_campaign}"])
    values.update(
        {
            "campaign-dates.start_date": WIDE["start"],
            "campaign-dates.end_date": WIDE["end"],
            "campaign-id.data": globex_campaign,
        }
    )
    assert GLOBEX_ONLY not in campaign_callbacks_text(app, acme, values)
    assert GLOBEX_ONLY in campaign_callbacks_text(
        app, client_for("globex", "admin"), values
    )


def export_paths(app, world) -> list[str]:
    """A request for every export rule, with a range that covers the golden data."""
    paths = []
    for rule in app.server.url_map.iter_rules():
        if not rule.rule.startswith("/export/"):
            continue
        query = "start=2026-01-01&end=2026-12-31"
        if "<kind>" in rule.rule:
            for kind in (
                "trend",
                "platforms",
                "daily",
                "metrics",
                "deployments",
                "variants",
            ):
                path = rule.rule.replace("<kind>", kind)
                paths.append(f"{path}?{query}&campaign={world['campaigns']['5']}")
        elif "<campaign_id>" in rule.rule:  # the campaign PDF: one campaign of each
            for golden in ("1", "5"):
                number = str(world["campaigns"][golden])
                paths.append(f"{rule.rule.replace('<campaign_id>', number)}?{query}")
        else:
            paths.append(f"{rule.rule}?{query}")
    return paths


def export_text(response) -> str:
    """The export's text; a PDF's compressed streams read back as the text a reader sees."""
    if response.mimetype != "application/pdf":
        return response.get_data(as_text=True)
    reader = PdfReader(io.BytesIO(response.get_data()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_exports_hold_only_the_callers_organization(app, world, client_for):
    acme, globex = client_for("acme", "admin"), client_for("globex", "admin")
    seen_acme, seen_globex = [], []
    for path in export_paths(app, world):
        seen_acme.append(export_text(acme.get(path)))
        seen_globex.append(export_text(globex.get(path)))
    assert len(seen_acme) >= 3
    assert GLOBEX_ONLY not in "".join(seen_acme) and ACME_ONLY in "".join(seen_acme)
    assert ACME_ONLY not in "".join(seen_globex) and GLOBEX_ONLY in "".join(seen_globex)


def test_cache_entries_are_keyed_and_filled_per_organization(app, world, client_for):
    everything_seen(app, world, client_for("acme", "viewer"))
    everything_seen(app, world, client_for("globex", "admin"))
    acme, globex = world["orgs"]["acme"], world["orgs"]["globex"]
    with app.server.app_context():
        backend = cache.cache
        entries = {
            key: backend.get(key) for key in list(getattr(backend, "_cache", {}))
        }
    acme_entries = {k: v for k, v in entries.items() if f":org{acme}:" in k}
    globex_entries = {k: v for k, v in entries.items() if f":org{globex}:" in k}
    assert acme_entries and globex_entries, sorted(entries)[:10]
    acme_bytes = b"".join(pickle.dumps(v) for v in acme_entries.values())
    globex_bytes = b"".join(pickle.dumps(v) for v in globex_entries.values())
    assert GLOBEX_ONLY.encode() not in acme_bytes
    assert ACME_ONLY.encode() not in globex_bytes
    assert GLOBEX_ONLY.encode() in globex_bytes
