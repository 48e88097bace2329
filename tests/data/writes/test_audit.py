"""data/writes/audit.py reads: scoped to the organization, filtered, paged, exported in chunks; admin only."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data.filters import DateRange, InvalidFilter
from data.models import AuditLog, Organization, User
from data.scope import PermissionDenied, Scope
from data.writes.audit import (
    AUDIT_COLUMNS,
    AuditFilters,
    audit_actions,
    audit_entries,
    iter_audit_entries,
    parse_audit_filters,
)


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, tzinfo=dt.UTC)


@pytest.fixture
def log(session):
    """Org "a": 6 events by two actors over Oct 1-5 (one at 23:59 on Oct 3); org "b": 3 of its own."""
    a, b = Organization(slug="a", name="A"), Organization(slug="b", name="B")
    session.add_all([a, b])
    session.flush()
    ann = User(
        organization_id=a.id,
        email="ann@a.test",
        name="Ann",
        role="admin",
        password_hash="x",
    )
    bob = User(
        organization_id=a.id,
        email="bob_1@a.test",
        name="Bob",
        role="viewer",
        password_hash="x",
    )
    eve = User(
        organization_id=b.id,
        email="eve@b.test",
        name="Eve",
        role="admin",
        password_hash="x",
    )
    session.add_all([ann, bob, eve])
    session.flush()
    rows = [
        (a, ann, "login_succeeded", at(1)),
        (a, bob, "login_failed", at(2)),
        (a, ann, "role_changed", at(3, 23)),
        (a, ann, "user_created", at(4)),
        (a, bob, "login_succeeded", at(5)),
        (a, None, "user_created", at(5, 13)),
        (b, eve, "login_succeeded", at(2)),
        (b, eve, "role_changed", at(3)),
        (b, eve, "export_made", at(4)),
    ]
    for org, actor, action, when in rows:
        session.add(
            AuditLog(
                organization_id=org.id,
                actor_user_id=actor.id if actor else None,
                action=action,
                ip_address="10.1.1.1",
                details={"who": actor.name if actor else None, "secret": "=cmd"},
                created_at=when,
            )
        )
    session.flush()
    return Scope(a.id, "admin", ann.id), Scope(b.id, "admin", eve.id)


OCTOBER = AuditFilters(DateRange(dt.date(2026, 10, 1), dt.date(2026, 10, 31)))


def test_entries_are_the_organizations_own_newest_first(session, log):
    scope_a, scope_b = log
    frame, total = audit_entries(session, scope_a, OCTOBER, 0, 50)
    assert list(frame.columns) == AUDIT_COLUMNS
    assert total == 6
    assert frame["action"].tolist() == [
        "user_created",
        "login_succeeded",
        "user_created",
        "role_changed",
        "login_failed",
        "login_succeeded",
    ]
    assert pd.isna(frame["actor_email"].iloc[0])  # the system, not a person
    assert frame["actor_email"].iloc[1] == "bob_1@a.test"
    assert "eve@b.test" not in frame["actor_email"].tolist()
    frame_b, total_b = audit_entries(session, scope_b, OCTOBER, 0, 50)
    assert total_b == 3 and set(frame_b["actor_email"]) == {"eve@b.test"}


def test_date_range_covers_whole_utc_days(session, log):
    scope_a, _ = log
    third = AuditFilters(DateRange(dt.date(2026, 10, 3), dt.date(2026, 10, 3)))
    frame, total = audit_entries(session, scope_a, third, 0, 50)
    assert total == 1 and frame["action"].tolist() == ["role_changed"]
    none = AuditFilters(DateRange(dt.date(2026, 9, 1), dt.date(2026, 9, 30)))
    frame, total = audit_entries(session, scope_a, none, 0, 50)
    assert total == 0 and frame.empty and list(frame.columns) == AUDIT_COLUMNS


def test_action_and_actor_filters(session, log):
    scope_a, _ = log
    by_action = AuditFilters(OCTOBER.range, action="login_succeeded")
    assert audit_entries(session, scope_a, by_action, 0, 50)[1] == 2
    by_actor = AuditFilters(OCTOBER.range, actor="bob")
    frame, total = audit_entries(session, scope_a, by_actor, 0, 50)
    assert total == 2 and set(frame["actor_email"]) == {"bob_1@a.test"}
    both = AuditFilters(OCTOBER.range, action="login_failed", actor="bob")
    assert audit_entries(session, scope_a, both, 0, 50)[1] == 1
    # LIKE wildcards in the text are literal characters, not patterns.
    assert (
        audit_entries(session, scope_a, AuditFilters(OCTOBER.range, actor="%"), 0, 50)[
            1
        ]
        == 0
    )
    assert (
        audit_entries(
            session, scope_a, AuditFilters(OCTOBER.range, actor="b_1"), 0, 50
        )[1]
        == 2
    )
    assert (
        audit_entries(
            session, scope_a, AuditFilters(OCTOBER.range, actor="n_a"), 0, 50
        )[1]
        == 0
    )
    # Another organization's actor finds nothing.
    assert (
        audit_entries(
            session, scope_a, AuditFilters(OCTOBER.range, actor="eve"), 0, 50
        )[1]
        == 0
    )


def test_paging(session, log):
    scope_a, _ = log
    pages = [audit_entries(session, scope_a, OCTOBER, page, 4) for page in range(3)]
    assert [total for _, total in pages] == [6, 6, 6]
    assert [len(frame) for frame, _ in pages] == [4, 2, 0]
    ids = [i for frame, _ in pages for i in frame["audit_id"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 6
    frame, _ = audit_entries(
        session, scope_a, OCTOBER, -3, 10_000
    )  # clamped, not an error
    assert len(frame) == 6


def test_export_iterator_yields_every_row_in_chunks(session, log):
    scope_a, _ = log
    chunks = list(iter_audit_entries(session, scope_a, OCTOBER, chunk_size=4))
    assert [len(c) for c in chunks] == [4, 2]
    exported = [i for c in chunks for i in c["audit_id"]]
    paged = audit_entries(session, scope_a, OCTOBER, 0, 50)[0]["audit_id"].tolist()
    assert exported == paged
    exact = list(iter_audit_entries(session, scope_a, OCTOBER, chunk_size=3))
    assert [len(c) for c in exact] == [3, 3]
    assert '"secret": "=cmd"' in chunks[0]["details"].iloc[0]


def test_actions_list(session, log):
    scope_a, _ = log
    assert audit_actions(session, scope_a) == [
        "login_failed",
        "login_succeeded",
        "role_changed",
        "user_created",
    ]


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_only_admins_read_the_log(session, log, role):
    scope_a, _ = log
    scope = Scope(scope_a.organization_id, role, scope_a.user_id)
    with pytest.raises(PermissionDenied):
        audit_entries(session, scope, OCTOBER, 0, 10)
    with pytest.raises(PermissionDenied):
        next(iter_audit_entries(session, scope, OCTOBER))
    with pytest.raises(PermissionDenied):
        audit_actions(session, scope)


@pytest.mark.parametrize(
    "args,param",
    [
        ((None, None), "start"),
        (("2026-10-05", "2026-10-01"), "end"),
        (("2020-01-01", "2026-10-01"), "start"),
        (("2026-10-01'; --", "2026-10-05"), "start"),
        (("2026-10-01", "2026-10-05", "x" * 65), "action"),
        (("2026-10-01", "2026-10-05", "login' OR '1'='1"), "action"),
        (("2026-10-01", "2026-10-05", ["login_failed"]), "action"),
        (("2026-10-01", "2026-10-05", None, "x" * 10_000), "actor"),
        (("2026-10-01", "2026-10-05", None, {"a": 1}), "actor"),
    ],
)
def test_parse_audit_filters_refuses_bad_input(args, param):
    with pytest.raises(InvalidFilter) as refused:
        parse_audit_filters(*args)
    assert refused.value.param == param and refused.value.message


def test_parse_audit_filters_normalizes():
    filters = parse_audit_filters(
        "2026-10-01", "2026-10-05", " role_changed ", "  Ann@A.test "
    )
    assert filters == AuditFilters(
        DateRange(dt.date(2026, 10, 1), dt.date(2026, 10, 5)),
        "role_changed",
        "ann@a.test",
    )
    assert parse_audit_filters("2026-10-01", "2026-10-05", "", "").action == ""
