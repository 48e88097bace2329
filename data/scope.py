"""Who is asking: the caller's organization and role, passed to every data function."""

from __future__ import annotations

from dataclasses import dataclass

ROLE_RANK = {"viewer": 1, "analyst": 2, "admin": 3}


class PermissionDenied(Exception):
    """The caller's role does not allow this operation."""


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
            raise PermissionDenied(f"requires the {role} role")

    @property
    def cache_key(self) -> str:
        return f"org{self.organization_id}:{self.role}"
