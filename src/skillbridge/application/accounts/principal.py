"""Who is calling a use case."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import Forbidden
from skillbridge.domain.texts import N_

#: What an admin without two-factor authentication hears when they use an admin power.
ADMIN_NEEDS_TWO_FACTOR = N_(
    "admins must turn on two-factor authentication first (POST /api/v1/auth/2fa/setup, then /enable)"
)
#: What an account whose address is not verified yet hears when it tries to reach others.
UNVERIFIED = N_("verify your email address first (POST /api/v1/auth/email/resend sends the link again)")


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: the user id and the role they hold right now (read per request)."""

    user_id: UUID
    role: Role
    #: Whether the caller proved their email address; some actions wait for it (see :meth:`require_verified`).
    email_verified: bool = False
    #: ``False`` only for an admin without two-factor authentication while the server requires it of
    #: admins: their admin powers are withheld (they may still sign in and turn it on).
    two_factor_ok: bool = True
    #: The terms-and-privacy version the caller last accepted (``None``: none yet).
    terms_version: str | None = None
    #: The languages of the caller's profile (ISO 639 codes, first preferred): answers fall back to them
    #: when the request's ``Accept-Language`` names none that is supported.
    languages: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        """Whether the caller may use admin powers (an admin, with two-factor authentication if required)."""
        return self.role is Role.ADMIN and self.two_factor_ok

    def require_verified(self) -> None:
        """Raise :class:`Forbidden` (field ``email``) unless the caller verified their email address."""
        if not self.email_verified:
            raise Forbidden(UNVERIFIED, field="email")

    def require(self, *roles: Role) -> None:
        """Raise :class:`Forbidden` unless the caller holds one of ``roles`` (an admin without the
        required two-factor authentication holds none of an admin's powers)."""
        if self.role not in roles:
            allowed = ", ".join(sorted(role.value for role in roles))
            raise Forbidden(N_("this action needs the role: {allowed}"), params={"allowed": allowed})
        if self.role is Role.ADMIN and not self.two_factor_ok:
            raise Forbidden(ADMIN_NEEDS_TWO_FACTOR)
