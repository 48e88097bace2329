"""data/writes/users.py: every write checks role and organization, keeps an admin, audits, and bad input changes nothing."""

from __future__ import annotations

import functools

import pytest
import sqlalchemy as sa

from auth.passwords import (
    PASSWORDS,
    generate_password,
    hash_password,
    password_problem,
    verify_password,
)
from data.models import AuditLog, Organization, User
from data.reads import users as user_reads
from data.scope import PermissionDenied, Scope
from data.writes import users
from tests.conftest import count_rows
from tests.factories import PASSWORD

NEW_PASSWORD = "a much longer passphrase 7"


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)  # once: argon2 is slow on purpose


def add_user(session, organization_id: int, role: str, email: str) -> User:
    user = User(
        organization_id=organization_id,
        email=email,
        name=email.split("@")[0].title(),
        role=role,
        password_hash=password_hash(),
    )
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def orgs(session):
    """Two organizations; in "a" an admin, a second admin, an analyst and a viewer; in "b" an admin."""
    a = Organization(slug="a", name="A Corp")
    b = Organization(slug="b", name="B Corp")
    session.add_all([a, b])
    session.flush()
    people = {
        "admin": add_user(session, a.id, "admin", "admin@a.test"),
        "admin2": add_user(session, a.id, "admin", "admin2@a.test"),
        "analyst": add_user(session, a.id, "analyst", "analyst@a.test"),
        "viewer": add_user(session, a.id, "viewer", "viewer@a.test"),
        "b_admin": add_user(session, b.id, "admin", "admin@b.test"),
    }
    return a, b, people


def scope_of(user: User) -> Scope:
    return Scope(organization_id=user.organization_id, role=user.role, user_id=user.id)


def snapshot(session) -> list[tuple]:
    session.flush()
    users_rows = session.execute(sa.select(User.__table__).order_by(User.id)).all()
    return [tuple(r) for r in users_rows] + [("audit", count_rows(session, AuditLog))]


def audit_rows(session, action: str) -> list[AuditLog]:
    return list(session.scalars(sa.select(AuditLog).where(AuditLog.action == action)))


def test_list_users_shows_only_the_callers_organization(session, orgs):
    _a, _b, people = orgs
    frame = user_reads.list_users(session, scope_of(people["admin"]))
    assert list(frame.columns) == user_reads.USER_COLUMNS
    assert sorted(frame["email"]) == [
        "admin2@a.test",
        "admin@a.test",
        "analyst@a.test",
        "viewer@a.test",
    ]
    assert frame["is_active"].tolist() == [True] * 4


def test_list_users_empty_keeps_its_columns(session, orgs):
    _a, b, _people = orgs
    frame = user_reads.list_users(session, Scope(b.id + 1000, "admin", None))
    assert frame.empty and list(frame.columns) == user_reads.USER_COLUMNS


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_non_admins_can_neither_list_nor_write(session, orgs, role):
    _a, _b, people = orgs
    scope = scope_of(people[role])
    target = people["viewer"].id
    before = snapshot(session)
    with pytest.raises(PermissionDenied):
        user_reads.list_users(session, scope)
    for write in (
        lambda: users.create_user(
            session,
            scope,
            email="x@a.test",
            name="X",
            role="admin",
            password=NEW_PASSWORD,
            hasher=PASSWORDS,
        ),
        lambda: users.change_role(session, scope, target, "admin"),
        lambda: users.set_active(session, scope, target, False),
        lambda: users.reset_password(session, scope, target, hasher=PASSWORDS),
    ):
        with pytest.raises(PermissionDenied):
            write()
    assert snapshot(session) == before


def test_create_user_adds_the_user_and_its_audit_row(session, orgs):
    a, _b, people = orgs
    user = users.create_user(
        session,
        scope_of(people["admin"]),
        email="  New.Person@Example.COM ",
        name=" Zoë Ñandú 李 ",
        role="analyst",
        password=NEW_PASSWORD,
        ip_address="10.0.0.1",
        hasher=PASSWORDS,
    )
    assert (user.email, user.name, user.role) == (
        "new.person@example.com",
        "Zoë Ñandú 李",
        "analyst",
    )
    assert user.organization_id == a.id and verify_password(
        user.password_hash, NEW_PASSWORD
    )
    (entry,) = audit_rows(session, "user_created")
    assert entry.actor_user_id == people["admin"].id
    assert entry.organization_id == a.id and entry.target_id == str(user.id)
    assert entry.ip_address == "10.0.0.1"
    assert entry.details == {"email": "new.person@example.com", "role": "analyst"}
    assert NEW_PASSWORD not in str(entry.details)


BAD_TEXT = [
    None,
    "",
    "   ",
    "x" * 10_000,
    ["a@b.test"],
    {"email": "a@b.test"},
    42,
    True,
]
BAD_EMAILS = BAD_TEXT + [
    "not-an-email",
    "a@b",
    "a b@c.test",
    "<script>alert(1)</script>@x.test",
    "x'; DROP TABLE users; --@x.test",
    "ünïcødé@bücher.test",
    "a@b.test\nb@c.test",
    "a@-b.test",
    ("x" * 65) + "@b.test",
    "a@" + ("b" * 250) + ".test",
    "ADMIN@a.test",  # taken, whatever the case
]
BAD_NAMES = BAD_TEXT[:5] + [{"n": 1}, 7, "tab\there", "\x00null"]
BAD_ROLES = [None, "", "owner", "ADMIN", "admin ", ["admin"], 3, "x" * 10_000]
BAD_PASSWORDS = [
    None,
    "",
    "short",
    "aaaaaaaaaaaaaaaa",
    " padded password 1 ",
    "x" * 10_000,
    ["correct horse battery"],
    12345678901234,
]


@pytest.mark.parametrize(
    "field,value",
    [("email", v) for v in BAD_EMAILS]
    + [("name", v) for v in BAD_NAMES]
    + [("role", v) for v in BAD_ROLES]
    + [("password", v) for v in BAD_PASSWORDS],
)
def test_create_user_refuses_bad_input_and_changes_nothing(session, orgs, field, value):
    _a, _b, people = orgs
    values = {
        "email": "fresh@a.test",
        "name": "Fresh",
        "role": "viewer",
        "password": NEW_PASSWORD,
        field: value,
    }
    before = snapshot(session)
    with pytest.raises(users.UserError) as refused:
        users.create_user(
            session, scope_of(people["admin"]), **values, hasher=PASSWORDS
        )
    assert str(refused.value)
    assert snapshot(session) == before


def test_sql_looking_but_valid_email_is_stored_verbatim(session, orgs):
    _a, _b, people = orgs
    email = "o'brien+1=1--@a.test"
    user = users.create_user(
        session,
        scope_of(people["admin"]),
        email=email,
        name="O'Brien",
        role="viewer",
        password=NEW_PASSWORD,
        hasher=PASSWORDS,
    )
    assert session.scalar(sa.select(User.email).where(User.id == user.id)) == email
    assert count_rows(session, User) == 6


def test_change_role_ends_sessions_and_is_audited(session, orgs):
    _a, _b, people = orgs
    target = people["viewer"]
    epoch = target.session_epoch
    users.change_role(session, scope_of(people["admin"]), target.id, "analyst")
    assert target.role == "analyst" and target.session_epoch == epoch + 1
    (entry,) = audit_rows(session, "role_changed")
    assert entry.details == {"email": target.email, "old": "viewer", "new": "analyst"}


FORGED_IDS = [
    None,
    "",
    "1 OR 1=1",
    "1; DROP TABLE users",
    True,
    1.5,
    [1],
    {"id": 1},
    "9" * 40,
    -1,
    "٣",
]


@pytest.mark.parametrize("user_id", FORGED_IDS)
def test_writes_refuse_forged_user_ids(session, orgs, user_id):
    _a, _b, people = orgs
    scope = scope_of(people["admin"])
    before = snapshot(session)
    for write in (
        lambda: users.change_role(session, scope, user_id, "admin"),
        lambda: users.set_active(session, scope, user_id, False),
        lambda: users.reset_password(session, scope, user_id, hasher=PASSWORDS),
    ):
        with pytest.raises(users.UserError):
            write()
    assert snapshot(session) == before


def test_another_organizations_user_is_refused_like_a_missing_one(session, orgs):
    _a, _b, people = orgs
    scope = scope_of(people["b_admin"])
    before = snapshot(session)
    messages = set()
    for target in (people["viewer"].id, people["admin"].id, 10**9):
        for write, args in (
            (users.change_role, (target, "admin")),
            (users.set_active, (target, False)),
            (users.reset_password, (target,)),
        ):
            with pytest.raises(users.UserError) as refused:
                write(session, scope, *args)
            messages.add(str(refused.value))
    assert messages == {"No such user in your organization."}
    assert snapshot(session) == before


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(session, orgs):
    _a, _b, people = orgs
    admin, admin2 = people["admin"], people["admin2"]
    users.set_active(
        session, scope_of(admin), admin2.id, False
    )  # admin2 no longer counts
    before = snapshot(session)
    for scope in (scope_of(admin),):
        with pytest.raises(users.UserError, match="at least one active admin"):
            users.change_role(session, scope, admin.id, "analyst")
        with pytest.raises(users.UserError, match="at least one active admin"):
            users.set_active(session, scope, admin.id, False)
    assert snapshot(session) == before
    # With a second active admin, demoting yourself is allowed.
    users.set_active(session, scope_of(admin), admin2.id, True)
    users.change_role(session, scope_of(admin), admin.id, "viewer")
    assert admin.role == "viewer"
    with pytest.raises(users.UserError, match="at least one active admin"):
        users.change_role(session, scope_of(admin2), admin2.id, "viewer")


def test_deactivation_ends_sessions_and_reactivation_lifts_a_lockout(session, orgs):
    import datetime as dt

    _a, _b, people = orgs
    scope, target = scope_of(people["admin"]), people["analyst"]
    epoch = target.session_epoch
    users.set_active(session, scope, target.id, False)
    assert not target.is_active and target.session_epoch == epoch + 1
    with pytest.raises(users.UserError, match="already deactivated"):
        users.set_active(session, scope, target.id, False)
    target.locked_until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    target.failed_logins = 3
    users.set_active(session, scope, target.id, True)
    assert (
        target.is_active and target.locked_until is None and target.failed_logins == 0
    )
    assert [
        e.action for e in session.scalars(sa.select(AuditLog).order_by(AuditLog.id))
    ] == [
        "user_deactivated",
        "user_reactivated",
    ]


@pytest.mark.parametrize("active", [None, "false", 0, 1, "yes", []])
def test_set_active_needs_a_real_boolean(session, orgs, active):
    _a, _b, people = orgs
    before = snapshot(session)
    with pytest.raises(users.UserError):
        users.set_active(
            session, scope_of(people["admin"]), people["viewer"].id, active
        )
    assert snapshot(session) == before


def test_reset_password_gives_a_new_working_password_once(session, orgs):
    _a, _b, people = orgs
    target = people["viewer"]
    epoch = target.session_epoch
    user, password = users.reset_password(
        session, scope_of(people["admin"]), target.id, hasher=PASSWORDS
    )
    assert user is target and len(password) >= 20
    assert verify_password(target.password_hash, password)
    assert not verify_password(target.password_hash, PASSWORD)
    assert target.session_epoch == epoch + 1
    (entry,) = audit_rows(session, "password_reset")
    assert password not in str(entry.details)
    with pytest.raises(users.UserError, match="profile page"):
        users.reset_password(
            session, scope_of(people["admin"]), people["admin"].id, hasher=PASSWORDS
        )


def test_generated_passwords_are_strong_and_differ():
    made = {generate_password() for _ in range(50)}
    assert len(made) == 50
    assert all(len(p) == 20 and password_problem(p) is None for p in made)


def test_change_own_password(session, orgs):
    _a, _b, people = orgs
    me = people["analyst"]
    epoch = me.session_epoch
    users.change_own_password(
        session, scope_of(me), PASSWORD, NEW_PASSWORD, NEW_PASSWORD, hasher=PASSWORDS
    )
    assert verify_password(me.password_hash, NEW_PASSWORD)
    assert me.session_epoch == epoch + 1
    assert [e.action for e in audit_rows(session, "password_changed")] == [
        "password_changed"
    ]


@pytest.mark.parametrize(
    "current,new,repeated,message",
    [
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "differ"),
        (PASSWORD, "short", "short", "at least 12"),
        (PASSWORD, "password1234", "password1234", "common or breached"),
        (PASSWORD, PASSWORD, PASSWORD, "must differ"),
        (None, NEW_PASSWORD, NEW_PASSWORD, "Fill in"),
        (PASSWORD, ["x"], ["x"], "Fill in"),
        (PASSWORD, "y" * 10_000, "y" * 10_000, "Fill in"),
        (PASSWORD, "' OR 1=1 --", "' OR 1=1 --", "at least 12"),
    ],
)
def test_change_own_password_refuses_bad_input(
    session, orgs, current, new, repeated, message
):
    _a, _b, people = orgs
    before = snapshot(session)
    with pytest.raises(users.UserError, match=message):
        users.change_own_password(
            session,
            scope_of(people["viewer"]),
            current,
            new,
            repeated,
            hasher=PASSWORDS,
        )
    assert snapshot(session) == before


def test_wrong_current_passwords_count_and_lock_the_account(session, orgs):
    _a, _b, people = orgs
    me = people["viewer"]
    epoch = me.session_epoch
    for attempt in range(1, users.MAX_FAILED_PASSWORD_CHECKS + 1):
        with pytest.raises(users.WrongCurrentPassword):
            users.change_own_password(
                session,
                scope_of(me),
                "not my password!",
                NEW_PASSWORD,
                NEW_PASSWORD,
                hasher=PASSWORDS,
            )
        if attempt < users.MAX_FAILED_PASSWORD_CHECKS:
            assert me.failed_logins == attempt and me.locked_until is None
    assert me.locked_until is not None and me.session_epoch == epoch + 1
    assert verify_password(me.password_hash, PASSWORD)
    assert len(audit_rows(session, "password_change_failed")) == 5
    assert len(audit_rows(session, "account_locked")) == 1
