"""What simulated users send: request sequences built from the payloads a real browser sent."""

from __future__ import annotations

import datetime as dt

from bench.client import with_inputs

OVERVIEW_KEY = "..overview-kpis.children"
TOP_KEY = (
    "overview-top.children"  # the top-campaigns table: its own callback, one output
)
CAMPAIGNS_KEY = "..campaigns-table.data"
PRESET = {
    "output": "..overview-dates.start_date...overview-dates.end_date...overview-preset.value..",
    "outputs": [
        {"id": "overview-dates", "property": "start_date"},
        {"id": "overview-dates", "property": "end_date"},
        {"id": "overview-preset", "property": "value"},
    ],
    "inputs": [
        {"id": "overview-preset", "property": "value", "value": "last_7"},
        {"id": "overview-dates", "property": "start_date", "value": None},
        {"id": "overview-dates", "property": "end_date", "value": None},
    ],
    "changedPropIds": ["overview-preset.value"],
    "state": [],
}
# The overview's KPIs and charts come inside its layout (pages/overview.py), so a first load
# does not send their callback: the bench clicks "Week" once the page has loaded to see it, and
# sets the granularity back to the page's default (a day) in the captured request.
SHOW_BY_WEEK = "label[for^='_dbcprivate_radioitems_overview-granularity_input_week']"
ROUTER_KEY = ".._pages_content.children..._pages_store.data.."
SEARCHES = ["Bench 00", "Bench 01", "Bench 002", "Bench 0099", "Bench 1"]


def request_name(payload: dict) -> str:
    """A short label per callback for the load statistics."""
    key = payload.get("output", "")
    for prefix, name in (
        ("..shell-nav", "shell navigation"),
        (ROUTER_KEY, "page router"),
        (OVERVIEW_KEY, "overview"),
        (TOP_KEY, "overview top campaigns"),
        ("..overview-dates", "overview preset"),
        (CAMPAIGNS_KEY, "campaigns table"),
    ):
        if key.startswith(prefix):
            return "POST " + name
    return "POST " + key.strip(".").split(".")[0]


def post(payload: dict) -> dict:
    return {
        "method": "POST",
        "path": "/_dash-update-component",
        "body": payload,
        "name": request_name(payload),
    }


def get(path: str, name: str, referrer: str | None = None) -> dict:
    """A GET; ``referrer`` the page address it is sent from (the browser's Referer)."""
    return {
        "method": "GET",
        "path": path,
        "body": None,
        "name": name,
        "referrer": referrer,
    }


def find(payloads: list[dict], prefix: str) -> dict:
    return next(p for p in payloads if p.get("output", "").startswith(prefix))


def overview_request(clicked: list[dict]) -> dict:
    """The overview's KPIs-and-charts request for the page's default filters, from the
    requests that the click on ``SHOW_BY_WEEK`` sent."""
    return with_inputs(
        find(clicked, OVERVIEW_KEY), {"overview-granularity.value": "day"}
    )


def router(pathname: str, search: str = "") -> dict:
    """The page router's request, as the browser sends it when a link is followed.

    A first load sends none (the page comes with the layout, shell/page_container.py), so the
    payloads captured from page loads lack it; every in-app navigation of the plan has it first.
    """
    changed = ["_pages_location.pathname", "_pages_location.search"]
    return {
        "output": ROUTER_KEY,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": changed,
        "parsedChangedPropsIds": changed,
    }


def page_path(name: str) -> str:
    """The address of a captured page: "overview", "campaigns" or "detail:<id>"."""
    if name.startswith("detail:"):
        return f"/campaigns/{name.split(':', 1)[1]}"
    return {"overview": "/", "campaigns": "/campaigns"}[name]


def navigation(name: str, payloads: list[dict]) -> list[dict]:
    """Following a link to a captured page: the router, then the page's own callbacks."""
    own = [p for p in payloads if p.get("output") != ROUTER_KEY]
    return [post(router(page_path(name))), *map(post, own)]


def ranges(today: dt.date) -> list[tuple[str, str, str | None]]:
    """(start, end, preset or None): the presets, and the last six calendar months."""
    found = [
        ((today - dt.timedelta(days=n - 1)).isoformat(), today.isoformat(), f"last_{n}")
        for n in (7, 30, 90)
    ]
    first = today.replace(day=1)
    for _ in range(6):
        last = first - dt.timedelta(days=1)
        first = last.replace(day=1)
        found.append((first.isoformat(), last.isoformat(), None))
    return found


def overview_with_range(overview: dict, start: str, end: str) -> dict:
    return with_inputs(
        overview,
        {"overview-dates.start_date": start, "overview-dates.end_date": end},
    )


def build_plan(captured: dict[str, list[dict]], today: dt.date, overview: dict) -> dict:
    """first_load and weighted actions from captured page loads: "overview", "campaigns",
    and "detail:<id>" (each the callback payloads of one page load, in order), and the
    overview's KPIs-and-charts request (``overview_request``), which a first load does not send."""
    home, listing = captured["overview"], captured["campaigns"]
    top = find(home, TOP_KEY)
    table = find(listing, CAMPAIGNS_KEY)
    change_range = []
    for start, end, preset in ranges(today):
        steps = []
        if preset:
            steps.append(post(with_inputs(PRESET, {"overview-preset.value": preset})))
        # A new range fires both overview callbacks, as the browser does.
        steps.append(post(overview_with_range(overview, start, end)))
        steps.append(post(overview_with_range(top, start, end)))
        change_range.append(steps)
    filters = [{"campaigns-search.value": s} for s in SEARCHES]
    filters += [
        {"campaigns-platforms.value": [p]} for p in ("meta", "google", "tiktok")
    ]
    filter_campaigns = [
        [*navigation("campaigns", listing), post(with_inputs(table, values))]
        for values in filters
    ]
    details = [navigation(k, v) for k, v in captured.items() if k.startswith("detail:")]
    return {
        "first_load": [
            [
                get("/", "GET page"),
                # Sent from the page, as the browser does: the layout holds the overview.
                get("/_dash-layout", "GET _dash-layout", referrer="/"),
                get("/_dash-dependencies", "GET _dash-dependencies", referrer="/"),
                *map(post, home),
            ]
        ],
        "actions": {
            "change the overview's range": {"weight": 4, "variants": change_range},
            "filter campaigns": {"weight": 2, "variants": filter_campaigns},
            "open a campaign": {"weight": 1, "variants": details},
            "back to the overview": {
                "weight": 2,
                "variants": [navigation("overview", home)],
            },
        },
    }
