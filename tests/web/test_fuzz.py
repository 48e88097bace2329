"""Property-based fuzzing: every route and every callback, fed values of the wrong shape, never 500.

Each route of ``app.url_map`` (every method it allows, and two it does not) is called anonymously
and signed in as each role, with generated query strings, path parts and bodies of the wrong shape
and content type; each server callback of the app's callback map is called by each role with
generated values for its inputs and states (None, bools, huge ints, nan and inf, 'sNaN', 4 KB
strings, lists, nested dicts, deep nesting), and as malformed envelopes. Every answer must be
below 500, and nothing may be logged at ERROR (a handled 500 logs its traceback there). The API
is also run through schemathesis, positive and negative cases, with a bearer token.

Budget: ``KIKI_FUZZ_EXAMPLES`` examples per route and per callback (default 12, about two
minutes in all); derandomized, so a CI failure replays locally. ``KIKI_FUZZ_EXAMPLES=200
pytest tests/web/test_fuzz.py`` runs longer.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from sqlalchemy.orm import Session

from api.lifecycle_spec import OPERATIONS as LIFECYCLE_OPERATIONS
from api.spec import ENDPOINTS
from data.db import make_engine
from tests.auth import dash_calls
from tests.factories import PASSWORD, app_config, build_world, csrf_token, login
from tests.services import create_database

EXAMPLES = int(os.environ.get("KIKI_FUZZ_EXAMPLES", "12"))
ROLES = ("viewer", "analyst", "admin")
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,  # no .hypothesis/ folder in the work tree
    suppress_health_check=list(HealthCheck),
)


# --- the app under test: its own SQLite world, so generated writes touch no other test ---------


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    from app import create_app

    url = create_database("sqlite", tmp_path_factory.mktemp("fuzz"))
    engine = make_engine(url)
    with Session(engine) as session:
        world = build_world(session)
    engine.dispose()
    app = create_app(
        app_config(
            url,
            # The limits answer 429 long before a fuzz run ends: lift them to reach the code.
            RATELIMIT_USER_DEFAULT="1000000 per minute",
            KIKI_API_RATE_LIMIT="1000000 per minute",
            KIKI_API_IP_RATE_LIMIT="1000000 per minute",
            # As in production: an exception is answered 500 and logged, not raised here.
            PROPAGATE_EXCEPTIONS=False,
        )
    )
    app.kiki_world = world
    yield app
    app.server.extensions["kiki_db"].engine.dispose()


@pytest.fixture(scope="module")
def clients(fuzz_app):
    """None -> anonymous (with a CSRF cookie), role -> signed in as acme's user of that role."""
    made = {}
    anonymous = fuzz_app.server.test_client()
    made[None] = (anonymous, {"X-CSRFToken": csrf_token(anonymous)})
    for role in ROLES:
        client = fuzz_app.server.test_client()
        assert login(client, f"{role}@acme.test").status_code == 302
        client.get("/")  # Dash registers its page router at the first request
        made[role] = (client, dash_calls.csrf_headers(client))
    return made


class ErrorLog(logging.Handler):
    """Records what is logged at ERROR or above (tracebacks of handled 500s land there)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def error_log():
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


def assert_survived(response, error_log: ErrorLog, what: str) -> None:
    logged = [
        r.getMessage()[:200]
        + (logging.Formatter().formatException(r.exc_info)[-600:] if r.exc_info else "")
        for r in error_log.records
    ]
    error_log.records.clear()
    body = response.get_data()[:300].decode(errors="replace")
    assert response.status_code < 500, (
        f"{what} -> {response.status_code}: {logged or body}"
    )
    assert not logged, f"{what} logged at ERROR: {logged}"


# --- generated values ------------------------------------------------------------------------

ODD_TEXT = st.sampled_from(
    [
        "sNaN",
        "-sNaN",
        "NaN",
        "nan",
        "Infinity",
        "-inf",
        "1e999999999",
        "1E-999999999",
        "9" * 5000,
        "0x10",
        "١٢",
        "",
        " ",
        "\x00",
        "%00",
        "../../etc/passwd",
        "//evil.example",
        "javascript:alert(1)",
        "<script>",
        "x" * 4096,
        "2026-02-30",
        "-1",
        "1.5",
    ]
)


def deep(depth: int):
    value = []
    for _ in range(depth):
        value = [value]
    return value


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([0, -1, 1, 2**31, 2**63, 10**30, -(10**30)]),
    st.floats(allow_nan=True, allow_infinity=True),
    ODD_TEXT,
    st.text(max_size=30),
)
WRONG_SHAPES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=4),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=4),
    st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=8),
    st.sampled_from(
        [
            {"a": {"b": {"c": [1, {"d": None}]}}},
            [{"column_id": 1, "direction": ["asc"]}],
            [{"column_id": "revenue", "direction": "sideways"}],
            [[{"column_id": "name"}]],
            {"column_id": "name", "direction": "asc"},
            deep(200),  # deep, yet within what a JSON encoder writes
        ]
    ),
)
# Values a page could really send, so generated calls also get past the first validation.
PLAUSIBLE = st.sampled_from(
    [
        "2026-10-01",
        "2026-10-31",
        "last_30",
        "custom",
        "day",
        "week",
        "meta",
        ["meta", "google"],
        ["active"],
        "light",
        "/",
        "/campaigns",
        1,
        0,
        3,
        [{"column_id": "name", "direction": "asc"}],
        "viewer",
    ]
)
VALUES = st.one_of(WRONG_SHAPES, PLAUSIBLE)


def jsonable(value) -> bool:
    try:
        json.dumps(value, allow_nan=True)
        return True
    except (ValueError, RecursionError):
        return False


# --- every route -------------------------------------------------------------------------------


@functools.cache
def _built_app():
    """An app built at collection time, only to list its routes and callbacks (no database use)."""
    from app import create_app

    return create_app(
        app_config(f"sqlite:///{Path(tempfile.mkdtemp()) / 'list.sqlite3'}")
    )


def _rules():
    rules = _built_app().server.url_map.iter_rules()
    return sorted(
        {(rule.rule, tuple(sorted(rule.methods - {"OPTIONS"}))) for rule in rules}
    )


def _fill(rule: str, parts: list) -> str:
    """The rule's path with a generated value in each variable part."""
    parts = iter(parts)
    return re.sub(r"<[^>]+>", lambda _m: quote(str(next(parts)), safe="") or "x", rule)


QUERY_NAMES = st.sampled_from(
    [
        "start",
        "end",
        "platform",
        "granularity",
        "status",
        "search",
        "min_spend",
        "roas_min",
        "roas_max",
        "sort",
        "order",
        "page",
        "page_size",
        "action",
        "actor",
        "kind",
        "next",
        "format",
        "user",
    ]
)
QUERIES = st.lists(
    st.tuples(QUERY_NAMES, st.one_of(ODD_TEXT, st.text(max_size=20), PLAUSIBLE)),
    max_size=6,
).map(lambda pairs: urlencode([(k, str(v)) for k, v in pairs]))
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=kiki",
        "multipart/form-data",
        "text/plain",
        "application/xml",
        "application/octet-stream",
    ]
)
BODIES = st.one_of(
    st.just(b""),
    WRONG_SHAPES.filter(jsonable).map(lambda v: json.dumps(v).encode()),
    st.sampled_from(
        [
            b"[" * 20000 + b"]" * 20000,
            b'{"a":' * 5000 + b"1" + b"}" * 5000,
            b"\xff\xfe\x00not utf-8",
            b"email=a%40b.c&password=x&csrf_token=1",
            b"email=viewer%40acme.test&email=x&password[]=1",
            (
                b'--kiki\r\nContent-Disposition: form-data; name="email"; '
                b'filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nx\r\n--kiki--\r\n'
            ),
            b"--kiki\r\ngarbage without an end",
            b'{"grant_type": "password", "username": ["a"], "password": {"b": 1}}',
            b"grant_type=password&username=&password=",
            b"<xml/>",
        ]
    ),
)


@pytest.mark.parametrize(("rule", "methods"), _rules(), ids=repr)
def test_routes_answer_malformed_requests_without_a_server_error(
    fuzz_app, clients, error_log, rule, methods
):
    variables = rule.count("<")

    @FUZZ
    @given(
        who=st.sampled_from([None, *ROLES]),
        method=st.sampled_from([*methods, "PUT", "DELETE"]),
        parts=st.lists(
            st.one_of(ODD_TEXT, st.integers(), PLAUSIBLE),
            min_size=variables,
            max_size=variables,
        ),
        query=QUERIES,
        body=BODIES,
        content_type=CONTENT_TYPES,
        csrf=st.booleans(),
    )
    def call(who, method, parts, query, body, content_type, csrf):
        client, csrf_headers = clients[who]
        headers = dict(csrf_headers) if csrf else {}
        if content_type:
            headers["Content-Type"] = content_type
        path = _fill(rule, parts) + (f"?{query}" if query else "")
        sends_body = method in ("POST", "PUT", "DELETE")
        response = client.open(
            path, method=method, data=body if sends_body else None, headers=headers
        )
        assert_survived(response, error_log, f"{who} {method} {path[:200]}")

    call()


# --- every callback ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", dash_calls.server_callbacks(_built_app()))
def test_callbacks_answer_wrong_shapes_without_a_server_error(
    fuzz_app, clients, error_log, key
):
    spec = fuzz_app.callback_map[key]
    items = [f"{i['id']}.{i['property']}" for i in spec["inputs"] + spec["state"]]

    @FUZZ
    @given(
        role=st.sampled_from(ROLES),
        values=st.fixed_dictionaries({item: VALUES for item in items}),
        changed=st.sampled_from(items or ["none.none"]),
    )
    def call(role, values, changed):
        client, _ = clients[role]
        body = dash_calls.payload(fuzz_app, key, values)
        body["changedPropIds"] = [changed]
        response = dash_calls.post(client, body)
        assert_survived(response, error_log, f"{role} {key} {values!r:.300}")

    call()


def _envelopes(keys):
    key = st.sampled_from(keys)
    return st.one_of(
        WRONG_SHAPES,
        st.fixed_dictionaries(
            {"output": key},
            optional={
                "outputs": WRONG_SHAPES,
                "inputs": WRONG_SHAPES,
                "state": WRONG_SHAPES,
                "changedPropIds": WRONG_SHAPES,
            },
        ),
        st.builds(
            lambda k, v: {
                "output": k,
                "outputs": dash_calls.output_specs(k),
                "inputs": [{"id": "x", "property": "y", "value": v}],
                "state": v,
            },
            key,
            WRONG_SHAPES,
        ),
    ).filter(jsonable)


def test_callback_envelopes_of_the_wrong_shape_are_refused_cleanly(
    fuzz_app, clients, error_log
):
    keys = dash_calls.server_callbacks(fuzz_app)

    @settings(FUZZ, max_examples=EXAMPLES * 20)
    @given(role=st.sampled_from(ROLES), body=_envelopes(keys))
    def call(role, body):
        client, _ = clients[role]
        response = dash_calls.post(client, body)
        assert_survived(response, error_log, f"{role} {body!r:.300}")

    call()


# --- the API, from its OpenAPI document --------------------------------------------------------


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app.server)


@pytest.fixture(scope="module")
def api_token(fuzz_app):
    response = fuzz_app.server.test_client().post(
        "/api/v1/auth/token",
        data={
            "grant_type": "password",
            "username": "analyst@acme.test",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["access_token"]


API_OPERATIONS = [
    *(e.name for e in ENDPOINTS),
    *(o.name for o in LIFECYCLE_OPERATIONS),  # writes too: the token is an analyst's
    "issue_token",
]


@pytest.mark.parametrize("operation_id", API_OPERATIONS)
@pytest.mark.parametrize("mode", list(GenerationMode), ids=str)
def test_api_never_answers_a_server_error(
    api_schema, api_token, error_log, operation_id, mode
):
    headers = {"Authorization": f"Bearer {api_token}", "Accept-Encoding": "identity"}
    operation = api_schema.find_operation_by_id(operation_id)

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        case.call_and_validate(headers=headers, checks=[not_a_server_error])
        logged = [r.getMessage()[:300] for r in error_log.records]
        error_log.records.clear()
        assert not logged, f"{case.path} logged at ERROR: {logged}"

    call()
