"""The OpenAPI document and the docs page describe every lifecycle operation: bodies, answers,
error statuses and the links that chain them."""

from __future__ import annotations

from api.lifecycle_spec import OPERATIONS


def _operation(document, name):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if operation["operationId"] == name:
                return path, method, operation
    raise AssertionError(f"{name} is not documented")


def test_every_lifecycle_operation_is_documented_with_its_statuses(api):
    document = api.get("/api/v1/openapi.json").json
    expected = {
        "create_campaign": ("/campaigns", "post", "201 400 401 403 409 415 422 429"),
        "edit_campaign": ("/campaigns/{campaign_id}", "patch", "200 400 401 403 404 409 415 429"),
        "delete_campaign": ("/campaigns/{campaign_id}", "delete", "204 400 401 403 404 409 415 429"),
        "submit_campaign": ("/campaigns/{campaign_id}/submit", "post", "200 400 401 403 404 409 415 422 429"),
        "approve_campaign": ("/campaigns/{campaign_id}/approve", "post", "200 400 401 403 404 409 415 422 429"),
        "reject_campaign": ("/campaigns/{campaign_id}/reject", "post", "200 400 401 403 404 409 415 422 429"),
        "withdraw_campaign": ("/campaigns/{campaign_id}/withdraw", "post", "200 400 401 403 404 409 415 422 429"),
        "approvals": ("/approvals", "get", "200 400 401 403 429"),
        "notifications": ("/notifications", "get", "200 400 401 403 429"),
        "mark_notifications_read": ("/notifications/read", "post", "200 400 401 403 409 415 422 429"),
        "ingest_metrics": ("/metrics", "post", "200 400 401 403 413 415 422 429"),
    }  # fmt: skip
    assert set(expected) == {operation.name for operation in OPERATIONS}
    for name, (path, method, statuses) in expected.items():
        found_path, found_method, operation = _operation(document, name)
        assert (found_path, found_method) == (path, method), name
        assert sorted(operation["responses"]) == statuses.split(), name
        assert operation["security"] == [{"bearerAuth": []}, {"oauth2Password": []}]


def test_bodies_and_links_are_documented(api):
    document = api.get("/api/v1/openapi.json").json
    _path, _method, create = _operation(document, "create_campaign")
    assert create["requestBody"] == {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/CampaignInput"}
            }
        },
    }
    created = create["responses"]["201"]
    assert created["headers"]["Location"]["required"] is True
    assert set(created["links"]) == {
        "campaign",
        "edit_campaign",
        "submit_campaign",
        "delete_campaign",
    }
    assert created["links"]["submit_campaign"]["parameters"] == {
        "campaign_id": "$response.body#/data/campaign_id"
    }
    _path, _method, submit = _operation(document, "submit_campaign")
    assert set(submit["responses"]["200"]["links"]) == {
        "approve_campaign",
        "reject_campaign",
        "withdraw_campaign",
    }
    schemas = document["components"]["schemas"]
    assert schemas["CampaignInput"]["required"] == [
        "name",
        "platforms",
        "budget_amount",
        "variants",
    ]
    assert schemas["RejectInput"]["required"] == ["reason"]
    names = {p["name"] for p in create["parameters"]}
    assert names == {"Idempotency-Key"}


def test_the_docs_page_lists_the_write_operations_and_their_bodies(api):
    html = api.get("/api/v1/docs").get_data(as_text=True)
    assert "<code>POST /api/v1/campaigns</code>" in html
    assert "<code>PATCH /api/v1/campaigns/{campaign_id}</code>" in html
    assert "<code>POST /api/v1/campaigns/{campaign_id}/reject</code>" in html
    assert "JSON body (<code>application/json</code>):" in html
    assert "<code>reason</code> (required)" in html
    assert "insufficient_scope" in html and "Idempotency-Key" in html


def test_the_docs_page_renders_markdown_and_leads_back_to_the_app(api):
    page = api.get("/api/v1/docs").get_data(as_text=True)
    # The "start" parameter's description says "Default: 29 days before `end`."
    assert "Default: 29 days before <code>end</code>." in page
    assert "before `end`" not in page
    assert '<a href="/" id="api-docs-home">' in page


def test_raw_html_in_a_description_is_escaped_not_rendered():
    from api.openapi import _markdown

    assert str(_markdown("Use `x` <script>alert(1)</script>")) == (
        "Use <code>x</code> &lt;script&gt;alert(1)&lt;/script&gt;"
    )
    assert str(_markdown(None)) == ""
