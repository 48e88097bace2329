"""The demo world: its vocabulary and the rows of campaigns, users, creatives, LTV and audit it plans."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from collections.abc import Callable
from decimal import Decimal

import sqlalchemy as sa

from data.models import PLATFORMS, ROLES
from data.ops.bulk_insert import insert_rows

NO_LOGIN_HASH = "!demo-no-login"  # not a hash any scheme produces: never verifies
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


def demo_media_facts(kind: str, campaign_id: int) -> dict:
    """What an upload would have measured of a demo creative (no file behind it), so its
    platform badges say something: square or 4:5 images (4:5 is not a TikTok ratio), vertical
    15-second videos. From the campaign id, not the random stream (the demo's numbers stay)."""
    facts = {
        "width": None,
        "height": None,
        "duration_seconds": None,
        "video_codec": None,
    }
    if kind == "image":
        facts.update(width=1080, height=1080 if campaign_id % 2 == 0 else 1350)
    elif kind == "video":
        facts.update(width=1080, height=1920, duration_seconds=15.0, video_codec="h264")
    return facts


DEPLOYMENT_STATUS = {"active": "active", "paused": "paused", "completed": "ended"}
# platform -> mean (CPM in currency units, click-through rate, conversion rate)
PLATFORM_RATES = {
    "meta": (9.5, 0.012, 0.035),
    "google": (5.0, 0.032, 0.045),
    "tiktok": (6.5, 0.009, 0.02),
}
# Spend multiplier per weekday, Monday first: weekends are markedly quieter.
WEEKDAY_SPEND = (1.0, 1.04, 1.06, 1.02, 0.94, 0.74, 0.70)


def pick(rng: random.Random, words: str) -> str:
    return rng.choice(words.split("|"))


def money(value: float) -> Decimal:
    return Decimal(round(value * 100)).scaleb(-2)


def timestamp(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def platform_rates(rng: random.Random, platform: str, roas: float) -> tuple[float, ...]:
    """(cpm, ctr, cvr, aov) near the platform's means, aov such that E[revenue/spend]
    is ``roas``; cvr and aov are 0 when roas is 0."""
    cpm, ctr, cvr = PLATFORM_RATES[platform]
    cpm, ctr = cpm * rng.uniform(0.75, 1.3), ctr * rng.uniform(0.7, 1.4)
    cvr = cvr * rng.uniform(0.7, 1.4) if roas > 0 else 0.0
    return cpm, ctr, cvr, (roas * cpm / (1000 * ctr * cvr) if cvr else 0.0)


def metric_row(dep: tuple, day: dt.date, rng: random.Random) -> tuple:
    """One performance_metrics row in METRIC_COLUMNS order.

    ``dep`` is (organization_id, campaign_id, deployment id, platform, mean daily spend,
    *platform_rates()): the row's keys are the deployment's own.
    """
    *keys, daily_spend, cpm, ctr, cvr, aov = dep
    spend = daily_spend * WEEKDAY_SPEND[day.weekday()] * rng.uniform(0.8, 1.2)
    impressions = int(spend * 1000 / cpm * rng.uniform(0.9, 1.1))
    clicks = min(impressions, int(impressions * ctr + rng.random()))
    conv = min(clicks, int(clicks * cvr * rng.uniform(0.7, 1.3) + rng.random()))
    revenue = money(conv * aov * rng.uniform(0.8, 1.2))
    return (*keys, day, impressions, clicks, conv, money(spend), revenue)


def statuses(rng: random.Random, n: int) -> list[str]:
    """Mostly active; some draft, completed, pending_approval, paused; one rejected."""
    special = ["rejected"] + ["draft"] * max(1, n // 12)
    special += ["completed"] * max(1, n // 10) + ["paused"] * max(1, n // 10)
    special += ["pending_approval"] * max(1, n // 20)
    statuses = (["active"] * max(n - len(special), (n + 1) // 2) + special)[:n]
    rng.shuffle(statuses)
    return statuses


def plan_campaigns(
    rng: random.Random, n: int, start: dt.date, end: dt.date
) -> list[dict]:
    """Per campaign: its campaign_deployments ``row`` (ids to fill in) and the rest.

    A paused campaign's metrics stop 3-21 days before ``end``; a completed one ran 3-9
    weeks; draft, pending and rejected ones launch after ``end`` (no metrics). One
    active campaign in 15 converts nobody; paused ones and one active in 5 lose money.
    """
    plans, seen, n_active, span = [], set(), 0, (end - start).days
    for i, status in enumerate(statuses(rng, n)):
        product = pick(rng, PRODUCTS[i % 2])
        name = f"{pick(rng, MOMENTS)}: {product} ({pick(rng, TACTICS)})"
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
            deps.append(
                (p, v, with_copy, platform_rates(rng, p, roas), rng.randrange(10**12))
            )
        created = timestamp(min(launch, end) - rng.randint(3, 14) * DAY, 10)
        row = {
            "name": name,
            "status": status,
            "objective": pick(rng, OBJECTIVES),
            "budget_daily": money(budget),
            "start_date": launch,
            "end_date": last if status == "completed" else None,
            "created_at": created,
            "updated_at": timestamp(min(end, last + DAY), 17) if changed else created,
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


def staff_users(
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


def creative_rows(
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
                    "headline": f"{product}: {pick(rng, HOOKS)}",
                    "body": f"Meet the {product.lower()} everyone is talking about. "
                    + pick(rng, BENEFITS),
                    "call_to_action": pick(rng, CTAS),
                }
            )
        style, scene = pick(rng, STYLES), pick(rng, SCENES[p["org"]])
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
                    **demo_media_facts(kind, row["id"]),
                }
            )
    insert_rows(conn, "image_prompts", images)
    insert_rows(conn, "video_prompts", videos)
    copy_ids = insert_rows(conn, "ad_copies", copies)
    asset_ids = insert_rows(conn, "user_assets", assets)
    return (
        {
            (c["campaign_id"], c["variant_label"]): i
            for c, i in zip(copies, copy_ids, strict=True)
        },
        {a["campaign_id"]: i for a, i in zip(assets, asset_ids, strict=True)},
    )


def mean_cpa(p: dict) -> float:
    """A campaign plan's expected cost per acquisition, the mean over its deployments."""
    cpas = [
        cpm / (1000 * ctr * (cvr or 0.03)) for *_, (cpm, ctr, cvr, _), _ in p["deps"]
    ]
    return sum(cpas) / len(cpas)


def ltv_rows(p: dict, end: dt.date, rng: random.Random) -> list[dict]:
    """One or two ltv_predictions of an active campaign: today's, maybe a month-old."""
    cpa, rows = mean_cpa(p), []
    for n in range(rng.randint(1, 2)):
        mult = rng.uniform(1.1, 2.6)
        ltv = cpa * p["roas"] * mult
        rows.append(
            {
                "organization_id": p["row"]["organization_id"],
                "campaign_id": p["row"]["id"],
                "cohort_size": int(p["share"] * len(p["deps"]) * 30 / cpa)
                if ltv
                else 0,
                "predicted_ltv": money(ltv),
                "acquisition_cost": money(cpa),
                "payback_days": round(365 * cpa / ltv) if ltv > cpa else None,
                "confidence": Decimal(f"{0.55 + 0.35 * mult / 2.6:.4f}"),
                "model_version": "demo-ltv-1.2",
                "predicted_at": timestamp(end - 30 * n * DAY, 6),
            }
        )
    return rows
