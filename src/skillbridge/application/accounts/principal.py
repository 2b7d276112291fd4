"""Who is calling a use case."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import Forbidden


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: the user id and the role they hold right now (read per request)."""

    user_id: UUID
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def require(self, *roles: Role) -> None:
        """Raise :class:`Forbidden` unless the caller holds one of ``roles``."""
        if self.role not in roles:
            allowed = ", ".join(sorted(role.value for role in roles))
            raise Forbidden(f"this action needs the role: {allowed}")
