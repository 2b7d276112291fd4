"""Who is calling a use case."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import Forbidden

#: What an account whose address is not verified yet hears when it tries to reach others.
UNVERIFIED = "verify your email address first (POST /api/v1/auth/email/resend sends the link again)"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: the user id and the role they hold right now (read per request)."""

    user_id: UUID
    role: Role
    #: Whether the caller proved their email address; some actions wait for it (see :meth:`require_verified`).
    email_verified: bool = False
    #: The terms-and-privacy version the caller last accepted (``None``: none yet).
    terms_version: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def require_verified(self) -> None:
        """Raise :class:`Forbidden` (field ``email``) unless the caller verified their email address."""
        if not self.email_verified:
            raise Forbidden(UNVERIFIED, field="email")

    def require(self, *roles: Role) -> None:
        """Raise :class:`Forbidden` unless the caller holds one of ``roles``."""
        if self.role not in roles:
            allowed = ", ".join(sorted(role.value for role in roles))
            raise Forbidden(f"this action needs the role: {allowed}")
