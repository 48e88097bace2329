"""components/alerts.py: what a rule's row says it found, in one sentence, on fixed rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from components.alerts import condition_words, finding_words, rule_list

CHECKED = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)


def row(**fields) -> dict:
    return {
        "rule_id": 1, "name": "Meta CPA", "condition": "cpa_above", "target": "platform",
        "platform": "meta", "campaign_name": None, "threshold": Decimal(40),
        "window_days": 7, "min_spend": None, "state": "ok", "is_active": True,
        "snoozed_until": None, "last_evaluated_at": CHECKED, "last_value": None,
        "last_message": None, **fields,
    }  # fmt: skip


def test_the_finding_is_the_evaluations_sentence_capitalised():
    found = row(last_message="no value: no conversions in the window")
    assert finding_words(found) == "No value: no conversions in the window"


def test_without_a_message_the_value_is_shown_in_the_metrics_unit():
    assert finding_words(row(last_value=Decimal("41.235"))) == "$41.24"
    assert finding_words(row()) == "—"


def test_a_zero_conversions_rule_without_a_floor_reads_as_above_nothing_spent():
    words = condition_words(row(condition="zero_conversions", window_days=3))
    assert words == "No conversions over the last 3 days with spend above $0.00"


def test_the_rule_list_says_one_sentence_per_check_and_an_error_in_red():
    failed = row(state="error", last_message="LookupError: campaign 9 is deleted")
    text = str(rule_list(pd.DataFrame([failed]), can_edit=False, now=CHECKED))
    assert "LookupError: campaign 9 is deleted" in text
    assert text.count("LookupError") == 1  # not the value line and the message line
    assert "text-danger-emphasis" in text
