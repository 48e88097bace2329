"""A long document's layout in a child process: the same PDF as in the app process, and an
error (never a partial file) when it fails or passes its deadline."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from exports.pdf_layout import LayoutError, layout_in_child
from tests.exports.test_pdf_exports import ROUTES, pdf_of, route, text_of

HTML = "<!doctype html><html><body><h1>Child</h1><table>{}</table></body></html>"


def test_a_document_is_laid_out_in_the_child():
    rows = "".join(f"<tr><td>Row {n:03d}</td></tr>" for n in range(300))
    body = layout_in_child(HTML.format(rows), "http://localhost/", timeout=60)
    text = text_of(PdfReader(io.BytesIO(body)))
    assert "Child" in text and "Row 000" in text and "Row 299" in text


def test_a_layout_past_its_deadline_is_an_error():
    with pytest.raises(LayoutError, match="longer than"):
        layout_in_child(HTML.format(""), "http://localhost/", timeout=0.001)


def test_a_route_above_the_row_threshold_answers_the_childs_pdf(
    client_for, world, monkeypatch
):
    monkeypatch.setattr("exports.pdf_document.CHILD_LAYOUT_ROWS", 1)
    calls = []
    real = layout_in_child

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("exports.pdf_document.layout_in_child", counted)
    text = text_of(pdf_of(client_for("acme", "analyst").get(route(ROUTES[0], world))))
    assert calls and "$3,021.95" in text and "Page 1 of" in text


def test_a_failed_child_layout_is_an_error_not_a_pdf(client_for, world, monkeypatch):
    monkeypatch.setattr("exports.pdf_document.CHILD_LAYOUT_ROWS", 1)
    monkeypatch.setattr("exports.pdf_document.LAYOUT_TIMEOUT_SECONDS", 0.001)
    response = client_for("acme", "analyst").get(route(ROUTES[0], world))
    assert response.status_code == 503
    assert response.json["error"]["code"] == "pdf_failed"
    assert not response.get_data().startswith(b"%PDF")
