"""Who is asking: the caller's organization and role, passed to every data function."""

from __future__ import annotations

from dataclasses import dataclass

from data.errors import Forbidden

ROLE_RANK = {"viewer": 1, "analyst": 2, "admin": 3}


class PermissionDenied(Forbidden):
    """The caller's role does not allow this operation; ``role`` is the one it needs."""

    def __init__(self, message: str, role: str | None = None) -> None:
        super().__init__(message)
        self.role = role


@dataclass(frozen=True)
class Scope:
    organization_id: int
    role: str
    user_id: int | None = None

    def allows(self, role: str) -> bool:
        """True when this scope's role is at least ``role``."""
        return ROLE_RANK.get(self.role, 0) >= ROLE_RANK[role]

    def require(self, role: str) -> None:
        """Raise PermissionDenied unless this scope's role is at least ``role``."""
        if not self.allows(role):
            raise PermissionDenied(f"requires the {role} role", role)

    def actor(self, ip_address: str | None = None) -> Actor:
        """Who acts, for an audit row: this scope's organization and user, from ``ip_address``."""
        return Actor(self.organization_id, self.user_id, ip_address)

    @property
    def cache_key(self) -> str:
        return f"org{self.organization_id}:{self.role}"


@dataclass(frozen=True)
class Actor:
    """Who a write is done by, as its audit row records it (``ip_address`` "cli" for commands)."""

    organization_id: int | None
    user_id: int | None
    ip_address: str | None = None


SYSTEM = Actor(
    None, None, "cli"
)  # an operator command with no organization or user behind it
