"""The demo data generator: deterministic, realistic and consistent with the schema."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
import sqlalchemy as sa

from data.db import make_engine
from data.models import ROLES, Base, PerformanceMetric
from data.ops.demo import bulk_load_metrics, load_demo_data
from data.ops.demo_world import NO_LOGIN_HASH
from tests.services import create_pg_database, drop_pg_database

END = dt.date(2025, 6, 30)
PER_CAMPAIGN = """
    SELECT c.name, c.status, count(m.id), sum(m.impressions), sum(m.clicks),
           sum(m.conversions), sum(m.spend), sum(m.revenue), max(m.date)
    FROM campaign_deployments c LEFT JOIN performance_metrics m ON m.campaign_id = c.id
    GROUP BY c.id, c.name, c.status ORDER BY c.id
"""


def _engine(path) -> sa.Engine:
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    return engine


def _load(path, **kwargs) -> tuple[sa.Engine, object]:
    engine = _engine(path)
    kwargs = {"campaigns": 20, "days": 60, "end_date": END, **kwargs}
    with engine.begin() as conn:
        summary = load_demo_data(conn, **kwargs)
    return engine, summary


def _rows(engine: sa.Engine, sql: str) -> list[sa.Row]:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).all()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    engine, summary = _load(
        tmp_path_factory.mktemp("demo") / "t.db", password_hasher=lambda p: "test$" + p
    )
    yield engine, summary
    engine.dispose()


def test_same_seed_same_data_other_seed_other_data(demo, tmp_path):
    engine, summary = demo
    again, again_summary = _load(tmp_path / "again.db")
    other, _ = _load(tmp_path / "other.db", seed=8)
    try:
        assert _rows(again, PER_CAMPAIGN) == _rows(engine, PER_CAMPAIGN)
        assert again_summary.metric_rows == summary.metric_rows > 0
        names = "SELECT name FROM campaign_deployments ORDER BY id"
        assert _rows(again, names) == _rows(engine, names)
        assert _rows(other, names) != _rows(engine, names)
    finally:
        again.dispose()
        other.dispose()


def test_every_role_in_both_organizations(demo):
    engine, summary = demo
    orgs = dict(_rows(engine, "SELECT slug, fee_rate FROM organizations"))
    assert {slug: Decimal(str(rate)) for slug, rate in orgs.items()} == {
        "acme": Decimal("0.2"),
        "globex": Decimal("0.15"),
    }
    users = _rows(
        engine,
        "SELECT u.email, u.role, o.slug, u.password_hash"
        " FROM users u JOIN organizations o ON o.id = u.organization_id",
    )
    assert {(slug, role) for _, role, slug, _ in users} == {
        (slug, role) for slug in ("acme", "globex") for role in ROLES
    }
    assert {email for email, *_ in users} == {
        f"{role}@{slug}.example" for slug in ("acme", "globex") for role in ROLES
    }
    hashes = {email: pw_hash for email, _, _, pw_hash in users}
    for email, role, slug, password in summary.users:
        assert email == f"{role}@{slug}.example"
        assert password and hashes[email] == "test$" + password


def test_passwords_given_or_no_login(tmp_path):
    chosen = {"admin@acme.example": "correct horse battery"}
    engine, summary = _load(
        tmp_path / "pw.db",
        campaigns=4,
        days=7,
        password_hasher=lambda p: "test$" + p,
        passwords=chosen,
    )
    engine.dispose()
    logins = {email: password for email, _, _, password in summary.users}
    assert logins["admin@acme.example"] == "correct horse battery"
    assert len(set(logins.values())) == 6
    engine, summary = _load(tmp_path / "nologin.db", campaigns=4, days=7)
    try:
        assert {password for *_, password in summary.users} == {None}
        assert _rows(engine, "SELECT DISTINCT password_hash FROM users") == [
            (NO_LOGIN_HASH,)
        ]
    finally:
        engine.dispose()
    with pytest.raises(ValueError, match="password_hasher"):
        load_demo_data(None, passwords=chosen)


def test_campaign_mix(demo):
    engine, _ = demo
    per_campaign = _rows(engine, PER_CAMPAIGN)
    statuses = {row.status for row in per_campaign}
    assert statuses >= {"active", "paused", "completed", "draft", "pending_approval"}
    assert [row.status for row in per_campaign].count("rejected") == 1
    live = [row for row in per_campaign if row[2]]
    # Loss-making with sales, and active with clicks but no conversions (nor revenue).
    assert any(row[7] < row[6] and row[5] > 0 for row in live)
    assert any(row.status == "active" and row[5] == 0 and row[7] == 0 for row in live)
    for row in per_campaign:
        if row.status in ("draft", "pending_approval", "rejected"):
            assert row[2] == 0, row
        if row.status == "paused" and row[2]:
            assert dt.date.fromisoformat(row[8]) < END - dt.timedelta(days=2)
    active_ends = {row[8] for row in per_campaign if row.status == "active"}
    assert active_ends == {END.isoformat()}


def test_ab_variants_share_a_platform(demo):
    engine, _ = demo
    ab_tests = _rows(
        engine,
        "SELECT campaign_id, platform FROM platformdeployments GROUP BY 1, 2"
        " HAVING count(*) = 2 AND count(DISTINCT ad_copy_id) = 2",
    )
    assert ab_tests
    counts = _rows(
        engine,
        "SELECT (SELECT count(*) FROM ad_copies), (SELECT count(*) FROM image_prompts),"
        " (SELECT count(*) FROM video_prompts), (SELECT count(*) FROM user_assets),"
        " (SELECT count(*) FROM ltv_predictions), (SELECT count(*) FROM audit_logs)",
    )[0]
    assert all(counts), counts
    paths = _rows(engine, "SELECT storage_path, filename, sha256 FROM user_assets")
    for path, filename, sha256 in paths:
        assert path == f"demo/{filename}" and len(sha256) == 64
        int(sha256, 16)


def test_weekends_differ(demo):
    engine, _ = demo
    with engine.connect() as conn:
        rows = conn.execute(sa.select(PerformanceMetric.date, PerformanceMetric.spend))
        spend: dict[bool, list[Decimal]] = {True: [], False: []}
        for day, amount in rows:
            spend[day.weekday() >= 5].append(amount)
    weekday = sum(spend[False]) / len(spend[False])
    weekend = sum(spend[True]) / len(spend[True])
    assert abs(weekday / weekend - 1) > Decimal("0.05")


def test_metric_rows_consistent(demo):
    engine, _ = demo
    mismatched = _rows(
        engine,
        "SELECT count(*) FROM performance_metrics m"
        " JOIN platformdeployments d ON d.id = m.platform_deployment_id"
        " WHERE m.organization_id != d.organization_id"
        " OR m.campaign_id != d.campaign_id OR m.platform != d.platform",
    )
    assert mismatched == [(0,)]
    impossible = _rows(
        engine,
        "SELECT count(*) FROM performance_metrics WHERE NOT"
        " (impressions >= clicks AND clicks >= conversions AND conversions >= 0)"
        " OR spend < 0 OR revenue < 0 OR (conversions = 0 AND revenue != 0)",
    )
    assert impossible == [(0,)]


def test_bulk_load_metrics_sqlite(tmp_path):
    engine = _engine(tmp_path / "bulk.db")
    try:
        assert bulk_load_metrics(engine, campaigns=10, days=30) == 900
        assert bulk_load_metrics(engine, campaigns=1, days=2) == 6  # reuses the org
        assert _rows(
            engine,
            "SELECT (SELECT count(*) FROM organizations),"
            " (SELECT count(*) FROM performance_metrics),"
            " (SELECT count(DISTINCT date) FROM performance_metrics)",
        ) == [(1, 906, 30)]
    finally:
        engine.dispose()


@pytest.fixture
def pg_engine():
    """A private PostgreSQL database kiki_demo_test_<hex> with the schema; dropped.

    Unreachable PostgreSQL skips the test, or fails it when CI is set (tests.services).
    """
    url = create_pg_database("kiki_demo_test")
    engine = make_engine(url)
    try:
        Base.metadata.create_all(engine)
        yield engine
    finally:
        engine.dispose()
        drop_pg_database(url)


def test_postgresql_demo_and_bulk_copy(pg_engine):
    with pg_engine.begin() as conn:
        summary = load_demo_data(conn, campaigns=10, days=30, end_date=END)
    assert summary.metric_rows > 0
    assert bulk_load_metrics(pg_engine, campaigns=20, days=30) == 1800
    bench = _rows(
        pg_engine,
        "SELECT count(*), min(spend::text) FROM performance_metrics m"
        " JOIN organizations o ON o.id = m.organization_id WHERE o.slug = 'bench'",
    )
    assert bench[0][0] == 1800 and "." in bench[0][1]
    total = _rows(pg_engine, "SELECT count(*) FROM performance_metrics")
    assert total == [(summary.metric_rows + 1800,)]
    analyzed = _rows(
        pg_engine,
        "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables"
        " WHERE relname = 'performance_metrics'",
    )
    assert analyzed == [(True,)]


def test_the_approvals_story(demo):
    """Every pending campaign has its pending request and each admin an unread notification of
    it; the rejection carries its reason to the analyst; one approval was lower than asked."""
    engine, _ = demo
    pending = _rows(
        engine,
        "SELECT c.id, r.status, r.requested_amount, c.budget_amount FROM campaign_deployments c"
        " LEFT JOIN budget_requests r ON r.campaign_id = c.id"
        " WHERE c.status = 'pending_approval'",
    )
    assert pending and all(row[1] == "pending" for row in pending)
    assert all(Decimal(str(row[2])) == Decimal(str(row[3])) > 0 for row in pending)
    rejected = _rows(
        engine,
        "SELECT r.decision_reason, u.role FROM budget_requests r"
        " JOIN users u ON u.id = r.decided_by_id WHERE r.status = 'rejected'",
    )
    assert [(row[1], bool(row[0])) for row in rejected] == [("admin", True)]
    lowered = _rows(
        engine,
        "SELECT requested_amount, approved_amount, decision_reason FROM budget_requests"
        " WHERE status = 'approved' AND approved_amount < requested_amount",
    )
    assert lowered and all(row[2] for row in lowered)
    unread = _rows(
        engine,
        "SELECT u.role, n.kind FROM notifications n JOIN users u ON u.id = n.user_id"
        " WHERE n.read_at IS NULL",
    )
    kinds = {(role, kind) for role, kind in unread}
    assert kinds == {("admin", "campaign_submitted"), ("analyst", "budget_rejected")}
    assert len([r for r in unread if r[1] == "campaign_submitted"]) == len(pending)


def test_cohort_values_flatten_and_match_the_conversions(tmp_path):
    """Every campaign month with customers has a curve from month 0 to the end's month, rising
    ever more slowly, sized by that month's conversions; as many months as the range spans."""
    engine, _ = _load(tmp_path / "ltv.sqlite3", days=180)
    values = _rows(
        engine,
        "SELECT campaign_id, cohort_month, months_since, customers,"
        " cumulative_value_per_customer FROM ltv_cohort_values"
        " ORDER BY campaign_id, cohort_month, months_since",
    )
    curves: dict = {}
    for campaign, month, k, customers, value in values:
        curves.setdefault((campaign, str(month)), []).append(
            (k, customers, Decimal(value))
        )
    months = {month for _, month in curves}
    assert len(months) == 6  # January to June 2025: 180 days end on 2025-06-30
    for (_, month), curve in curves.items():
        ks = [k for k, *_ in curve]
        assert ks == list(range(len(ks)))
        assert len(ks) == (6 - int(month[5:7])) + 1  # up to June, the end's month
        gains = [b[2] - a[2] for a, b in itertools.pairwise(curve)]
        assert all(g >= 0 for g in gains)
        # it flattens: each month adds no more than the one before (a cent of rounding aside)
        assert all(b <= a + Decimal("0.01") for a, b in itertools.pairwise(gains))
    sizes = _rows(
        engine,
        "SELECT campaign_id, sum(conversions) FROM performance_metrics"
        " WHERE date >= '2025-06-01' GROUP BY campaign_id HAVING sum(conversions) > 0",
    )
    june = {c: n for (c, month), curve in curves.items() if month == "2025-06-01"
            for _, n, _ in curve[:1]}  # fmt: skip
    assert june == {campaign: total for campaign, total in sizes}
