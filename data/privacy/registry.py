"""The registry of personal data: every column, file and cache key that holds it, and what
export and erasure do with each. The export and the erasure are driven by it, and a test fails
when a model gains a column that looks personal and is not listed here."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

# What the export does with a column of the person's rows.
EXPORT = "export"  # written to the archive
WITHHOLD = "withhold"  # a secret (hash, ciphertext): never leaves the database
NOT_PERSONAL = (
    "not-personal"  # flagged by the name heuristic, but about the organization
)

# What the erasure does with it.
DELETE = "delete"  # the row goes: only they own it
PSEUDONYMISE = "pseudonymise"  # replaced by a keyed hash of the e-mail (or emptied)
REMOVE_AUTHORSHIP = (
    "remove-authorship"  # organization data kept, the link to them set NULL
)
KEEP = "keep"  # not about the person, or kept for a stated reason


@dataclass(frozen=True)
class PersonalColumn:
    table: str
    column: str
    export: str
    erase: str
    why: str


@dataclass(frozen=True)
class Dataset:
    """Rows of ``table`` that belong to or name a person, found through ``link`` (a column
    holding users.id); ``erase`` is what happens to those rows."""

    name: str
    table: str
    link: str
    erase: str
    why: str


@dataclass(frozen=True)
class Place:
    """A file or cache key pattern that can hold personal data."""

    kind: str  # "file" or "cache"
    pattern: str
    export: str
    erase: str
    why: str


def _c(table, column, export, erase, why) -> PersonalColumn:
    return PersonalColumn(table, column, export, erase, why)


COLUMNS: tuple[PersonalColumn, ...] = (
    _c("users", "email", EXPORT, DELETE, "the account's address"),
    _c("users", "name", EXPORT, DELETE, "the person's name"),
    _c("users", "password_hash", WITHHOLD, DELETE, "a secret, never exported"),
    _c("users", "last_login_at", EXPORT, DELETE, "session metadata"),
    _c("users", "session_epoch", EXPORT, DELETE, "session metadata (bumped on erase)"),
    _c("api_tokens", "user_id", EXPORT, DELETE, "the token's owner"),
    _c("api_tokens", "name", EXPORT, DELETE, "named by its owner"),
    _c("api_tokens", "token_hash", WITHHOLD, DELETE, "a secret, never exported"),
    _c(
        "audit_logs", "actor_user_id", EXPORT, PSEUDONYMISE, "who acted: NULL + subject"
    ),
    _c("audit_logs", "ip_address", EXPORT, PSEUDONYMISE, "their address: emptied"),
    _c("audit_logs", "target_id", EXPORT, PSEUDONYMISE, "a user target: the pseudonym"),
    _c("audit_logs", "details", EXPORT, PSEUDONYMISE, "may name them: rewritten"),
    _c("campaign_deployments", "created_by_id", EXPORT, REMOVE_AUTHORSHIP, "author"),
    _c("user_assets", "uploaded_by_id", EXPORT, REMOVE_AUTHORSHIP, "uploader"),
    _c("platform_credentials", "updated_by_id", EXPORT, REMOVE_AUTHORSHIP, "editor"),
    _c("budget_requests", "requested_by_id", EXPORT, REMOVE_AUTHORSHIP, "requester"),
    _c("budget_requests", "decided_by_id", EXPORT, REMOVE_AUTHORSHIP, "approver"),
    _c("budget_requests", "decision_reason", EXPORT, KEEP, "the org's budget record"),
    _c("notifications", "user_id", EXPORT, DELETE, "the recipient"),
    _c("notifications", "body", EXPORT, DELETE, "what they were told (no names)"),
    _c("notification_mutes", "user_id", EXPORT, DELETE, "their preference"),
    _c("outbox", "payload", NOT_PERSONAL, KEEP, "ids and amounts only, by design"),
    _c("idempotency_keys", "user_id", EXPORT, DELETE, "who sent the request"),
    _c("idempotency_keys", "key", EXPORT, DELETE, "chosen by their script"),
    _c("idempotency_keys", "request_hash", WITHHOLD, DELETE, "a fingerprint, no data"),
    _c("idempotency_keys", "response_body", WITHHOLD, DELETE, "an API answer, 24 h"),
    _c("fee_rates", "created_by", EXPORT, REMOVE_AUTHORSHIP, "who set a fee rate"),
    _c(
        "invitations",
        "email",
        EXPORT,
        DELETE,
        "the invited address (erase: every invitation of it)",
    ),
    _c(
        "invitations",
        "name",
        EXPORT,
        DELETE,
        "the invitee's name, as the admin typed it",
    ),
    _c("invitations", "user_id", EXPORT, DELETE, "the account it became"),
    _c(
        "invitations", "token_hash", WITHHOLD, DELETE, "a secret's hash, never exported"
    ),
    _c("invitations", "invited_by", EXPORT, REMOVE_AUTHORSHIP, "the inviting admin"),
    _c(
        "sign_in_locks",
        "address_digest",
        WITHHOLD,
        DELETE,
        "a locked address's hash, 15 minutes (erase: the lock of their address)",
    ),
    _c("alert_rules", "created_by_id", EXPORT, REMOVE_AUTHORSHIP, "the rule's author"),
    _c(
        "alert_rules",
        "recipient_ids",
        NOT_PERSONAL,
        KEEP,
        "user ids only; an erased account's id names nobody and is skipped at delivery",
    ),
    _c("webhook_endpoints", "created_by_id", EXPORT, REMOVE_AUTHORSHIP, "who added it"),
    _c(
        "webhook_endpoints", "secret_encrypted", WITHHOLD, KEEP, "the org's signing key"
    ),
    _c("platform_credentials", "encrypted_value", WITHHOLD, KEEP, "the org's API key"),
    _c("platform_credentials", "last4", WITHHOLD, KEEP, "part of the org's API key"),
    # Flagged by the heuristics below, but organization data, not about a person.
    _c("organizations", "name", NOT_PERSONAL, KEEP, "a company's name"),
    _c("campaign_deployments", "name", NOT_PERSONAL, KEEP, "a campaign's name"),
    _c("ad_copies", "body", NOT_PERSONAL, KEEP, "advertising copy"),
    _c("image_prompts", "prompt", NOT_PERSONAL, KEEP, "a creative's prompt"),
    _c("video_prompts", "prompt", NOT_PERSONAL, KEEP, "a creative's prompt"),
    _c("user_assets", "filename", NOT_PERSONAL, KEEP, "a creative's file name"),
    _c("user_assets", "body", NOT_PERSONAL, KEEP, "ad copy's text"),
    _c("user_assets", "image_prompt_id", NOT_PERSONAL, KEEP, "a creative's prompt"),
    _c("user_assets", "video_prompt_id", NOT_PERSONAL, KEEP, "a creative's prompt"),
    _c("alert_rules", "name", NOT_PERSONAL, KEEP, "a rule's name"),
    _c("alert_rules", "channels", NOT_PERSONAL, KEEP, "in_app, email or webhook"),
    _c("alert_rules", "last_message", NOT_PERSONAL, KEEP, "what the evaluation found"),
    _c("alert_rules", "leased_by", NOT_PERSONAL, KEEP, "a worker's lease token"),
    _c("scheduled_jobs", "name", NOT_PERSONAL, KEEP, "a periodic job's name"),
    _c("scheduled_jobs", "leased_by", NOT_PERSONAL, KEEP, "a worker's lease token"),
    _c("webhook_attempts", "message_id", NOT_PERSONAL, KEEP, "a delivery's id"),
    _c(
        "report_subscriptions",
        "owner_id",
        EXPORT,
        REMOVE_AUTHORSHIP,
        "the scheduled report's owner (admins then see it as 'owner left')",
    ),
    _c(
        "report_recipients",
        "user_id",
        EXPORT,
        DELETE,
        "a scheduled report they receive",
    ),
    _c("report_subscriptions", "name", NOT_PERSONAL, KEEP, "a scheduled report's name"),
    _c("report_subscriptions", "params", NOT_PERSONAL, KEEP, "a view's filters"),
    _c(
        "report_subscriptions",
        "leased_by",
        NOT_PERSONAL,
        KEEP,
        "a worker's lease token",
    ),
    _c(
        "report_runs",
        "message",
        NOT_PERSONAL,
        KEEP,
        "what a run did (counts and errors; user ids, never addresses)",
    ),
)

DATASETS: tuple[Dataset, ...] = (
    Dataset("account", "users", "id", DELETE, "the account and its session metadata"),
    Dataset("api_tokens", "api_tokens", "user_id", DELETE, "token metadata"),
    Dataset("audit_as_actor", "audit_logs", "actor_user_id", PSEUDONYMISE, "they acted"),
    Dataset("campaigns_authored", "campaign_deployments", "created_by_id",
            REMOVE_AUTHORSHIP, "organization data they created"),
    Dataset("assets_uploaded", "user_assets", "uploaded_by_id", REMOVE_AUTHORSHIP,
            "creatives they uploaded"),
    Dataset("credentials_updated", "platform_credentials", "updated_by_id",
            REMOVE_AUTHORSHIP, "platform keys they last set"),
    Dataset("budget_requests_made", "budget_requests", "requested_by_id",
            REMOVE_AUTHORSHIP, "budget requests they submitted"),
    Dataset("budget_requests_decided", "budget_requests", "decided_by_id",
            REMOVE_AUTHORSHIP, "budget requests they decided"),
    Dataset("notifications", "notifications", "user_id", DELETE,
            "what concerned them (deleted with the account: ON DELETE CASCADE)"),
    Dataset("notification_mutes", "notification_mutes", "user_id", DELETE,
            "kinds they muted (deleted with the account: ON DELETE CASCADE)"),
    Dataset("fee_rates_set", "fee_rates", "created_by", REMOVE_AUTHORSHIP,
            "fee rates they set"),
    Dataset("invitation_accepted", "invitations", "user_id", DELETE,
            "the invitation that became their account (deleted with the account: "
            "ON DELETE CASCADE)"),
    Dataset("invitations_sent", "invitations", "invited_by", REMOVE_AUTHORSHIP,
            "invitations they sent"),
    Dataset("alert_rules_authored", "alert_rules", "created_by_id", REMOVE_AUTHORSHIP,
            "alert rules they created"),
    Dataset("webhooks_added", "webhook_endpoints", "created_by_id", REMOVE_AUTHORSHIP,
            "webhook endpoints they added"),
    Dataset("reports_owned", "report_subscriptions", "owner_id", REMOVE_AUTHORSHIP,
            "scheduled reports they own"),
    Dataset("reports_received", "report_recipients", "user_id", DELETE,
            "scheduled reports they receive (deleted with the account: ON DELETE CASCADE)"),
    Dataset("idempotency_keys", "idempotency_keys", "user_id", DELETE,
            "their API requests' keys and answers, kept 24 hours (deleted with the "
            "account: ON DELETE CASCADE)"),
)  # fmt: skip
# Audit rows others caused that name them (a user target, their e-mail in the details) are
# exported as "audit_about_them" and rewritten on erase (data/privacy/erase.py).

PLACES: tuple[Place, ...] = (
    Place("file", "KIKI_BACKUP_DIR/kiki-*.{dump,sqlite3}", "no", KEEP,
          "whole-database copies: the erased rows leave as backups rotate out "
          "(KIKI_BACKUP_KEEP); a restore needs the erasures run again"),
    Place("file", "gdpr-export --out FILE.zip", "is the export", KEEP,
          "written where the operator says; theirs to hand over and delete"),
    Place("cache", "CACHE_KEY_PREFIX read:*:org<id>:*", "no", DELETE,
          "cached reads of their organization (purged on erase)"),
    Place("cache", "CACHE_KEY_PREFIX response:org<id>:*", "no", DELETE,
          "cached callback answers of their organization (purged on erase)"),
    Place("cache", "rate-limit keys *login-email:<email>*", "no", DELETE,
          "sign-in attempts per address in Redis (purged on erase); in-memory "
          "limits expire with their window"),
    Place("cache", "auth/user_cache.py session users (per process)", "no", DELETE,
          "cleared by any write to users, in every process via Redis pub/sub"),
)  # fmt: skip

_PERSONAL_NAME = re.compile(
    r"(e_?mail|name|address|(^|_)ip(_|$)|phone|user_agent|note|comment|body|details"
    r"|message|prompt|password|secret|token|hash|encrypted|last4|(_by|_user)(_id)?$)"
)


def looks_personal(column: sa.Column) -> bool:
    """The name heuristic: personal-looking names, free text, and links to users."""
    if _PERSONAL_NAME.search(column.name):
        return True
    if isinstance(column.type, sa.Text | sa.JSON):
        return True
    return any(fk.column.table.name == "users" for fk in column.foreign_keys)


def registered() -> set[tuple[str, str]]:
    return {(entry.table, entry.column) for entry in COLUMNS}


def unregistered_columns(metadata: sa.MetaData) -> list[str]:
    """table.column of every personal-looking column the registry does not list."""
    known = registered()
    return sorted(
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if looks_personal(column) and (table.name, column.name) not in known
    )


def unknown_entries(metadata: sa.MetaData) -> list[str]:
    """Registry entries (columns, datasets) naming a table or column that does not exist."""
    names = [(e.table, e.column) for e in COLUMNS]
    names += [(d.table, d.link) for d in DATASETS]
    tables = metadata.tables
    return sorted(
        f"{table}.{column}"
        for table, column in names
        if table not in tables or column not in tables[table].columns
    )


def withheld(table: str) -> set[str]:
    return {e.column for e in COLUMNS if e.table == table and e.export == WITHHOLD}


def exported_columns(table: sa.Table) -> list[sa.Column]:
    """The columns of ``table`` an export writes: all but the withheld secrets."""
    hidden = withheld(table.name)
    return [column for column in table.columns if column.name not in hidden]
