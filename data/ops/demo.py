"""Deterministic demo and benchmark data: organizations, users, campaigns, metrics."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

import sqlalchemy as sa
from sqlalchemy.orm import Session

from data.models import PLATFORMS, ROLES, Base
from data.ops.rollups import refresh_rollups

NO_LOGIN_HASH = "!demo-no-login"  # not a hash any scheme produces: never verifies
BATCH_ROWS = 10_000
DAY = dt.timedelta(days=1)
ORGS = (
    ("acme", "Acme Outdoor Co.", Decimal("0.20")),
    ("globex", "Globex Home & Garden", Decimal("0.15")),
)
USER_NAMES = {  # viewer, analyst, admin
    "acme": ("Valerie Vance", "Arjun Patel", "Alice Moreau"),
    "globex": ("Victor Okafor", "Ana Lima", "Hank Scorpio"),
}
# "|"-separated word lists: products and scenes per organization, then shared ones.
ACME_PRODUCTS = "Trail Running Shoes|Ultralight Tent|Down Jacket|Hiking Backpack"
ACME_PRODUCTS += "|Rain Shell|Insulated Bottle|Camp Stove|Merino Base Layer"
GLOBEX_PRODUCTS = "Smart Thermostat|Cordless Drill|Patio Furniture Set|Robot Vacuum"
GLOBEX_PRODUCTS += "|Air Purifier|Raised Garden Bed|Espresso Machine|Pressure Washer"
PRODUCTS = (ACME_PRODUCTS, GLOBEX_PRODUCTS)
SCENES = (
    "on a misty mountain trail|at a lakeside campsite at dusk",
    "in a bright modern kitchen|on a sunny backyard patio",
)
MOMENTS = "Spring Launch|Summer Sale|Back to School|Black Friday|Holiday Gifts"
MOMENTS += "|Evergreen|New Year|Clearance|Mother's Day"
TACTICS = "Prospecting|Retargeting|Lookalikes|Brand Awareness|Search|Catalog Sales"
TACTICS += "|UGC Test|Video Views"
HOOKS = "Built for the long haul|Up to 30% off this week only|New season, new looks"
HOOKS += "|Free shipping on orders over $50|Rated 4.8/5 by 2,000+ buyers"
BENEFITS = "Free returns within 60 days.|Ships within 24 hours.|Two-year warranty."
CTAS = "Shop Now|Learn More|Get Offer|Sign Up|Order Now"
STYLES = "Photorealistic|Lifestyle|Minimalist studio|Flat illustration"
OBJECTIVES = "conversions|sales|traffic|awareness|leads"
BUDGETS = (50, 75, 100, 150, 200, 250, 300, 400, 500, 750, 1000)
# kind -> (extension, content type, smallest size, largest size)
ASSET_TYPES = {
    "image": ("jpg", "image/jpeg", 80_000, 2_500_000),
    "video": ("mp4", "video/mp4", 2_000_000, 40_000_000),
    "copy": ("txt", "text/plain", 400, 4_000),
}
DEPLOYMENT_STATUS = {"active": "active", "paused": "paused", "completed": "ended"}
AUDITED = {"paused": "campaign.pause", "rejected": "campaign.reject"}
# platform -> mean (CPM in currency units, click-through rate, conversion rate)
PLATFORM_RATES = {
    "meta": (9.5, 0.012, 0.035),
    "google": (5.0, 0.032, 0.045),
    "tiktok": (6.5, 0.009, 0.02),
}
# Spend multiplier per weekday, Monday first: weekends are markedly quieter.
WEEKDAY_SPEND = (1.0, 1.04, 1.06, 1.02, 0.94, 0.74, 0.70)
METRIC_COLUMNS = (
    *("organization_id", "campaign_id", "platform_deployment_id", "platform", "date"),
    *("impressions", "clicks", "conversions", "spend", "revenue"),
)
ANALYZE = "ANALYZE performance_metrics, platformdeployments, campaign_deployments"


@dataclass
class DemoSummary:
    """What was loaded; ``users`` holds (email, role, org_slug, password or None)."""

    organizations: int
    users: list[tuple[str, str, str, str | None]]
    campaigns: int
    metric_rows: int


def _pick(rng: random.Random, words: str) -> str:
    return rng.choice(words.split("|"))


def _money(value: float) -> Decimal:
    return Decimal(round(value * 100)).scaleb(-2)


def _ts(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _rates(rng: random.Random, platform: str, roas: float) -> tuple[float, ...]:
    """(cpm, ctr, cvr, aov) near the platform's means, aov such that E[revenue/spend]
    is ``roas``; cvr and aov are 0 when roas is 0."""
    cpm, ctr, cvr = PLATFORM_RATES[platform]
    cpm, ctr = cpm * rng.uniform(0.75, 1.3), ctr * rng.uniform(0.7, 1.4)
    cvr = cvr * rng.uniform(0.7, 1.4) if roas > 0 else 0.0
    return cpm, ctr, cvr, (roas * cpm / (1000 * ctr * cvr) if cvr else 0.0)


def _metric_row(dep: tuple, day: dt.date, rng: random.Random) -> tuple:
    """One performance_metrics row in METRIC_COLUMNS order.

    ``dep`` is (organization_id, campaign_id, deployment id, platform, mean daily spend,
    *_rates()): the row's keys are the deployment's own.
    """
    *keys, daily_spend, cpm, ctr, cvr, aov = dep
    spend = daily_spend * WEEKDAY_SPEND[day.weekday()] * rng.uniform(0.8, 1.2)
    impressions = int(spend * 1000 / cpm * rng.uniform(0.9, 1.1))
    clicks = min(impressions, int(impressions * ctr + rng.random()))
    conv = min(clicks, int(clicks * cvr * rng.uniform(0.7, 1.3) + rng.random()))
    revenue = _money(conv * aov * rng.uniform(0.8, 1.2))
    return (*keys, day, impressions, clicks, conv, _money(spend), revenue)


def _insert(conn: sa.Connection, table_name: str, rows: list[dict]) -> list[int]:
    """Insert ``rows`` into a table in one executemany; returns their ids, in order.

    Every row must have the same keys: executemany takes its columns from the first row.
    """
    if not rows:
        return []
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError(f"{table_name}: rows with different keys")
    table = Base.metadata.tables[table_name]
    stmt = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(conn.execute(stmt, rows).scalars())


def _insert_metrics(conn: sa.Connection, rows: Iterable[tuple]) -> int:
    """executemany performance_metrics rows, BATCH_ROWS at a time; returns the count."""
    table = Base.metadata.tables["performance_metrics"]
    stmt, it, count = sa.insert(table), iter(rows), 0
    while batch := [dict(zip(METRIC_COLUMNS, r)) for r in islice(it, BATCH_ROWS)]:
        conn.execute(stmt, batch)
        count += len(batch)
    return count


def _copy_metrics(conn: sa.Connection, rows: Iterable[tuple]) -> int:
    """COPY performance_metrics rows on PostgreSQL (psycopg 3); returns the count.

    Uses the raw DBAPI connection under ``conn``, so the load joins its transaction.
    """
    count, columns = 0, ", ".join(METRIC_COLUMNS)
    cursor = conn.connection.driver_connection.cursor()
    with (
        cursor,
        cursor.copy(f"COPY performance_metrics ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _statuses(rng: random.Random, n: int) -> list[str]:
    """Mostly active; some draft, completed, pending_approval, paused; one rejected."""
    special = ["rejected"] + ["draft"] * max(1, n // 12)
    special += ["completed"] * max(1, n // 10) + ["paused"] * max(1, n // 10)
    special += ["pending_approval"] * max(1, n // 20)
    statuses = (["active"] * max(n - len(special), (n + 1) // 2) + special)[:n]
    rng.shuffle(statuses)
    return statuses


def _plan(rng: random.Random, n: int, start: dt.date, end: dt.date) -> list[dict]:
    """Per campaign: its campaign_deployments ``row`` (ids to fill in) and the rest.

    A paused campaign's metrics stop 3-21 days before ``end``; a completed one ran 3-9
    weeks; draft, pending and rejected ones launch after ``end`` (no metrics). One
    active campaign in 15 converts nobody; paused ones and one active in 5 lose money.
    """
    plans, seen, n_active, span = [], set(), 0, (end - start).days
    for i, status in enumerate(_statuses(rng, n)):
        product = _pick(rng, PRODUCTS[i % 2])
        name = f"{_pick(rng, MOMENTS)}: {product} ({_pick(rng, TACTICS)})"
        name = f"{name} #{i + 1}" if name in seen else name
        seen.add(name)
        launch, last = end - rng.randint(14, span + 90) * DAY, end
        if status == "paused":
            last = end - rng.randint(3, 21) * DAY
            launch = min(launch, last - 14 * DAY)
        elif status == "completed":
            launch = end - rng.randint(45, max(46, span)) * DAY
            last = min(end - 2 * DAY, launch + rng.randint(21, 60) * DAY)
        elif status != "active":
            launch = end + rng.randint(3, 30) * DAY
            last = launch - DAY
        n_active += status == "active"
        losing = status == "paused" or (status == "active" and n_active % 5 == 2)
        roas = rng.uniform(0.45, 0.85) if losing else rng.uniform(1.3, 4.5)
        if status == "active" and n_active % 15 == 1:
            roas = 0.0  # clicks, but nobody converts
        changed = status in ("paused", "completed", "rejected")
        budget = rng.choice(BUDGETS)
        platforms = rng.sample(PLATFORMS, rng.choice((1, 2, 2, 3, 3)))
        variants = [(p, "A") for p in platforms]
        if rng.random() < 0.25:  # A/B test: a second ad copy on the first platform
            variants.append((platforms[0], "B"))
        ab = len(variants) > len(platforms)
        deps = []  # (platform, variant, uses the ad copy?, rates, external id)
        for p, v in variants:
            with_copy = ab or rng.random() < 0.7
            deps.append((p, v, with_copy, _rates(rng, p, roas), rng.randrange(10**12)))
        created = _ts(min(launch, end) - rng.randint(3, 14) * DAY, 10)
        row = {
            "name": name,
            "status": status,
            "objective": _pick(rng, OBJECTIVES),
            "budget_daily": _money(budget),
            "start_date": launch,
            "end_date": last if status == "completed" else None,
            "created_at": created,
            "updated_at": _ts(min(end, last + DAY), 17) if changed else created,
        }
        plans.append(
            {
                "row": row,
                "org": i % 2,
                "product": product,
                "deps": deps,
                "first": max(launch, start),
                "last": last,
                "share": budget * rng.uniform(0.6, 0.95) / len(variants),
                "roas": roas,
            }
        )
    return plans


def _users(
    org_ids: list[int],
    when: dt.datetime,
    hasher: Callable[[str], str] | None,
    passwords: dict[str, str],
) -> tuple[list[dict], list[tuple[str, str, str, str | None]]]:
    """One user per role per organization, and the logins (password None: no login)."""
    rows, logins = [], []
    for (slug, _, _), org_id in zip(ORGS, org_ids, strict=True):
        for role, name in zip(ROLES, USER_NAMES[slug], strict=True):
            email, password = f"{role}@{slug}.example", None
            if hasher is not None:
                password = passwords.get(email) or secrets.token_urlsafe(12)
            rows.append(
                {
                    "organization_id": org_id,
                    "email": email,
                    "name": name,
                    "role": role,
                    "password_hash": hasher(password) if hasher else NO_LOGIN_HASH,
                    "created_at": when,
                }
            )
            logins.append((email, role, slug, password))
    return rows, logins


def _creatives(
    conn: sa.Connection, plans: list[dict], rng: random.Random, seed: int
) -> tuple[dict, dict]:
    """Insert every campaign's ad_copies, user_assets, image_prompts, video_prompts.

    Returns {(campaign_id, variant_label): ad_copies.id}, {campaign_id: user_assets.id}.
    """
    copies, assets, images, videos = [], [], [], []
    for p in plans:
        row, product = p["row"], p["product"]
        base = {"organization_id": row["organization_id"], "campaign_id": row["id"]}
        base["created_at"] = row["created_at"]
        for variant in sorted({v for _, v, *_ in p["deps"]}):
            copies.append(
                {
                    **base,
                    "variant_label": variant,
                    "headline": f"{product}: {_pick(rng, HOOKS)}",
                    "body": f"Meet the {product.lower()} everyone is talking about. "
                    + _pick(rng, BENEFITS),
                    "call_to_action": _pick(rng, CTAS),
                }
            )
        style, scene = _pick(rng, STYLES), _pick(rng, SCENES[p["org"]])
        prompt = f"{style} photo of a {product.lower()} {scene}, soft light, 4:5 crop"
        images.append({**base, "style": style.lower(), "prompt": prompt})
        if seconds := rng.choice((0, 6, 15, 15, 30)):
            prompt = f"{seconds}-second vertical video of the {product.lower()} {scene}"
            videos.append({**base, "duration_seconds": seconds, "prompt": prompt})
        if rng.random() < 0.35:
            kind = rng.choice(("image", "image", "video", "copy"))
            ext, content_type, low, high = ASSET_TYPES[kind]
            filename = f"c{row['id']:04d}-{'-'.join(product.lower().split())}.{ext}"
            assets.append(
                {
                    **base,
                    "kind": kind,
                    "filename": filename,
                    "content_type": content_type,
                    "size_bytes": rng.randint(low, high),
                    "sha256": hashlib.sha256(f"{seed}/{filename}".encode()).hexdigest(),
                    "storage_path": f"demo/{filename}",
                    "uploaded_by_id": row["created_by_id"],
                }
            )
    _insert(conn, "image_prompts", images)
    _insert(conn, "video_prompts", videos)
    copy_ids = _insert(conn, "ad_copies", copies)
    asset_ids = _insert(conn, "user_assets", assets)
    return (
        {
            (c["campaign_id"], c["variant_label"]): i
            for c, i in zip(copies, copy_ids, strict=True)
        },
        {a["campaign_id"]: i for a, i in zip(assets, asset_ids, strict=True)},
    )


def _ltv(p: dict, end: dt.date, rng: random.Random) -> list[dict]:
    """One or two ltv_predictions of an active campaign: today's, maybe a month-old."""
    cpas = [
        cpm / (1000 * ctr * (cvr or 0.03)) for *_, (cpm, ctr, cvr, _), _ in p["deps"]
    ]
    cpa, rows = sum(cpas) / len(cpas), []
    for n in range(rng.randint(1, 2)):
        mult = rng.uniform(1.1, 2.6)
        ltv = cpa * p["roas"] * mult
        rows.append(
            {
                "organization_id": p["row"]["organization_id"],
                "campaign_id": p["row"]["id"],
                "cohort_size": int(p["share"] * len(cpas) * 30 / cpa) if ltv else 0,
                "predicted_ltv": _money(ltv),
                "acquisition_cost": _money(cpa),
                "payback_days": round(365 * cpa / ltv) if ltv > cpa else None,
                "confidence": Decimal(f"{0.55 + 0.35 * mult / 2.6:.4f}"),
                "model_version": "demo-ltv-1.2",
                "predicted_at": _ts(end - 30 * n * DAY, 6),
            }
        )
    return rows


def _audit(
    plans: list[dict], org_ids: list[int], admins: list[int], end: dt.date
) -> list[dict]:
    """A few audit_logs rows: each admin's login, every pause and the rejection."""
    rows = [
        {"organization_id": org_id, "actor_user_id": admin, "action": "user.login"}
        for org_id, admin in zip(org_ids, admins, strict=True)
    ]
    for row in rows:  # executemany needs the same keys in every row
        row.update(target_type=None, target_id=None, details={"method": "password"})
        row.update(ip_address="203.0.113.10", created_at=_ts(end, 8))
    for p in plans:
        if action := AUDITED.get(p["row"]["status"]):
            rows.append(
                {
                    "organization_id": p["row"]["organization_id"],
                    "actor_user_id": admins[p["org"]],
                    "action": action,
                    "target_type": "campaign",
                    "target_id": str(p["row"]["id"]),
                    "ip_address": "203.0.113.10",
                    "details": {"name": p["row"]["name"], "to": p["row"]["status"]},
                    "created_at": p["row"]["updated_at"],
                }
            )
    return rows


def load_demo_data(
    session_or_connection: Session | sa.Connection,
    *,
    campaigns: int = 60,
    days: int = 180,
    seed: int = 7,
    end_date: dt.date | None = None,
    password_hasher: Callable[[str], str] | None = None,
    passwords: dict[str, str] | None = None,
) -> DemoSummary:
    """Insert the demo data set in the caller's transaction (the caller commits).

    Into a database without the acme and globex organizations (slugs and emails are
    unique). Rows are built as dicts and inserted with Core executemany.

    Tables: organizations (acme 0.20, globex 0.15); users (viewer, analyst and admin
    @<slug>.example); campaign_deployments (``campaigns``, every status but approved);
    ad_copies (variant A, and B for A/B tests); image_prompts; video_prompts;
    user_assets (metadata only, storage_path ``demo/<filename>``); platformdeployments
    (1-3 platforms, optional ad_copy_id and user_asset_id); performance_metrics (one
    row per live deployment per day of the ``days`` ending ``end_date``;
    organization_id, campaign_id and platform copied from the deployment; none for
    draft, pending_approval or rejected campaigns); ltv_predictions (1-2 per active
    campaign); audit_logs (the admins' logins, pauses, the rejection).

    Everything but passwords is a function of ``seed`` and ``end_date``. Without
    ``password_hasher`` users get NO_LOGIN_HASH and no password; with it each password
    is ``passwords[email]`` or a new ``secrets.token_urlsafe(12)``, returned in users.
    """
    if passwords and password_hasher is None:
        raise ValueError("passwords need a password_hasher")
    conn = session_or_connection
    if isinstance(conn, Session):
        conn = conn.connection()
    rng, end = random.Random(seed), end_date or dt.date.today()
    start = end - (days - 1) * DAY
    founded = _ts(start - 120 * DAY)  # before the first campaign
    orgs = [
        {"slug": slug, "name": name, "fee_rate": fee, "created_at": founded}
        for slug, name, fee in ORGS
    ]
    org_ids = _insert(conn, "organizations", orgs)
    users, logins = _users(org_ids, founded, password_hasher, passwords or {})
    user_ids = iter(_insert(conn, "users", users))
    staff = [dict(zip(ROLES, islice(user_ids, len(ROLES)), strict=True)) for _ in ORGS]

    plans = _plan(rng, campaigns, start, end)
    for p in plans:
        p["row"]["organization_id"] = org_ids[p["org"]]
        p["row"]["created_by_id"] = staff[p["org"]]["analyst"]
    campaign_rows = [p["row"] for p in plans]
    campaign_ids = _insert(conn, "campaign_deployments", campaign_rows)
    for row, campaign_id in zip(campaign_rows, campaign_ids, strict=True):
        row["id"] = campaign_id
    copy_ids, asset_ids = _creatives(conn, plans, rng, seed)

    flat = [(p, j, *dep) for p in plans for j, dep in enumerate(p["deps"])]
    deployments = [
        {
            "organization_id": p["row"]["organization_id"],
            "campaign_id": p["row"]["id"],
            "platform": platform,
            "ad_copy_id": copy_ids[p["row"]["id"], variant] if with_copy else None,
            "user_asset_id": asset_ids.get(p["row"]["id"]) if j == 0 else None,
            "external_id": f"{platform}-{external_id}",
            "status": DEPLOYMENT_STATUS.get(p["row"]["status"], "pending"),
            "created_at": p["row"]["created_at"],
        }
        for p, j, platform, variant, with_copy, _, external_id in flat
    ]
    dep_ids = _insert(conn, "platformdeployments", deployments)
    live = []  # (deployment as _metric_row wants it, campaign plan)
    for (p, *_, rates, _), d, dep_id in zip(flat, deployments, dep_ids, strict=True):
        keys = (d["organization_id"], d["campaign_id"], dep_id, d["platform"])
        live.append(((*keys, p["share"], *rates), p))
    metric_rows = _insert_metrics(
        conn,
        (
            _metric_row(dep, p["first"] + k * DAY, rng)
            for dep, p in live
            for k in range((p["last"] - p["first"]).days + 1)
        ),
    )
    active = [p for p in plans if p["row"]["status"] == "active"]
    _insert(conn, "ltv_predictions", [row for p in active for row in _ltv(p, end, rng)])
    admins = [roles["admin"] for roles in staff]
    _insert(conn, "audit_logs", _audit(plans, org_ids, admins, end))
    for org_id in org_ids:  # the overview reads the daily rollup
        refresh_rollups(session_or_connection, org_id)
    return DemoSummary(len(org_ids), logins, len(plans), metric_rows)


def bulk_load_metrics(
    engine: sa.Engine,
    *,
    campaigns: int,
    days: int,
    platforms_per_campaign: int = 3,
    seed: int = 7,
    organization_slug: str = "bench",
    end_date: dt.date | None = None,
) -> int:
    """Load campaigns x platforms_per_campaign x days performance_metrics rows.

    For benchmarks. Creates (or reuses) organization ``organization_slug``, adds
    ``campaigns`` active campaign_deployments and their platformdeployments (platforms
    cycle meta, google, tiktok), then one row per deployment per day ending ``end_date``
    in date order: COPY on PostgreSQL (then ANALYZE), batched executemany elsewhere.
    One transaction. Returns the number of performance_metrics rows written.
    """
    rng, end = random.Random(seed), end_date or dt.date.today()
    dates = [end - (days - 1 - k) * DAY for k in range(days)]
    orgs = Base.metadata.tables["organizations"]
    with engine.begin() as conn:
        query = sa.select(orgs.c.id).where(orgs.c.slug == organization_slug)
        org_id = conn.scalar(query)
        if org_id is None:
            org = {"slug": organization_slug, "name": f"Benchmark {organization_slug}"}
            org_id = _insert(conn, "organizations", [org])[0]
        campaign_rows = [
            {
                "organization_id": org_id,
                "name": f"Bench {i + 1:05d}",
                "status": "active",
                "budget_daily": Decimal("500.00"),
                "start_date": dates[0],
            }
            for i in range(campaigns)
        ]
        campaign_ids = _insert(conn, "campaign_deployments", campaign_rows)
        deployments = [
            {"organization_id": org_id, "campaign_id": c, "platform": PLATFORMS[j % 3]}
            for c in campaign_ids
            for j in range(platforms_per_campaign)
        ]
        dep_ids = _insert(conn, "platformdeployments", deployments)
        deps = [
            (org_id, d["campaign_id"], dep_id, d["platform"], rng.uniform(20, 200))
            + _rates(rng, d["platform"], rng.uniform(0.5, 4.0))
            for d, dep_id in zip(deployments, dep_ids, strict=True)
        ]
        rows = (_metric_row(dep, day, rng) for day in dates for dep in deps)
        if conn.dialect.driver == "psycopg":
            count = _copy_metrics(conn, rows)
        else:
            count = _insert_metrics(conn, rows)
        refresh_rollups(conn, org_id, dates[0], dates[-1])
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text(ANALYZE))
    return count
