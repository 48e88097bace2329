"""The shared schema: every table of KIKI Analytics in one metadata, typed SQLAlchemy 2 models.

base (Base, column types, value lists), accounts, campaigns, performance and lifecycle hold the
models; import them from here."""

from data.models.accounts import (
    TOKEN_SCOPES,
    ApiToken,
    AuditLog,
    FeeRate,
    IdempotencyKey,
    Invitation,
    Organization,
    PlatformCredential,
    SignInLock,
    User,
)
from data.models.base import (
    ASSET_KINDS,
    BUDGET_TYPES,
    CAMPAIGN_STATUSES,
    NAMING_CONVENTION,
    PLATFORMS,
    ROLES,
    Base,
    BigId,
    Money,
    Rate,
    enum_type,
    server_now,
)
from data.models.campaigns import (
    AdCopy,
    CampaignDeployment,
    ImagePrompt,
    PlatformDeployment,
    UserAsset,
    VideoPrompt,
)
from data.models.lifecycle import (
    REQUEST_STATUSES,
    BudgetRequest,
    Notification,
    NotificationMute,
    OrganizationSettings,
    OutboxEntry,
)
from data.models.performance import (
    DailyRevenueSummary,
    LtvPrediction,
    PerformanceMetric,
)

__all__ = [
    "ASSET_KINDS",
    "BUDGET_TYPES",
    "CAMPAIGN_STATUSES",
    "NAMING_CONVENTION",
    "PLATFORMS",
    "REQUEST_STATUSES",
    "ROLES",
    "TOKEN_SCOPES",
    "AdCopy",
    "ApiToken",
    "AuditLog",
    "Base",
    "BigId",
    "BudgetRequest",
    "CampaignDeployment",
    "DailyRevenueSummary",
    "FeeRate",
    "IdempotencyKey",
    "ImagePrompt",
    "Invitation",
    "LtvPrediction",
    "Money",
    "Notification",
    "NotificationMute",
    "Organization",
    "OrganizationSettings",
    "OutboxEntry",
    "PerformanceMetric",
    "PlatformCredential",
    "PlatformDeployment",
    "Rate",
    "SignInLock",
    "User",
    "UserAsset",
    "VideoPrompt",
    "enum_type",
    "server_now",
]
