"""Property-based run of schemathesis against the served OpenAPI document: no 5xx, no schema drift."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.spec import ENDPOINTS
from tests.api.conftest import bearer

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
OPERATIONS = [endpoint.name for endpoint in ENDPOINTS] + ["issue_token"]


@pytest.fixture(scope="session")
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app.server)


# (schemathesis.pytest.from_fixture does not run under pytest 9, so each operation's strategy is
# driven by Hypothesis directly.)
def _steered(case, campaign_id, window):
    """Half the cases get a real campaign and a range with data, so 200s are common too."""
    if campaign_id is not None and "campaign_id" in (case.path_parameters or {}):
        case.path_parameters["campaign_id"] = campaign_id
    if window and case.query is not None and "start" in case.query:
        case.query.update(start="2026-10-19", end="2026-11-01")
    return case


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_api_conforms_to_its_openapi_document(api_schema, lab, operation_id):
    operation = api_schema.find_operation_by_id(operation_id)
    # Schemathesis's WSGI transport asks for gzip but does not decode it; compression is
    # the server's business (flask-compress), the document describes the decoded body.
    headers = {**bearer(lab["token"]), "Accept-Encoding": "identity"}
    strategy = st.builds(
        _steered,
        operation.as_strategy(),
        st.sampled_from([*lab["campaigns"], None]),
        st.booleans(),
    )

    @given(case=strategy)
    @settings(
        max_examples=20,
        deadline=None,
        database=None,  # no .hypothesis/ folder in the work tree
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()
