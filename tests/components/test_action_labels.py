"""Audit action names read in one style on the audit log, whichever way a module spelled them."""

from __future__ import annotations

import pytest

from components.accounts import action_label


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("login_failed", "Login failed"),
        ("budget_approved", "Budget approved"),
        ("alert_rule.create", "Alert rule created"),
        ("alert_rule.unsnooze", "Alert rule unsnoozed"),
        ("report.send_now", "Report sent now"),
        ("webhook.delete", "Webhook deleted"),
        ("report.frobnicate", "Report frobnicate"),  # an unknown verb stays readable
    ],
)
def test_dotted_and_underscored_actions_read_alike(action, label):
    assert action_label(action) == label
