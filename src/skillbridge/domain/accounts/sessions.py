"""Refresh-token sessions: opaque tokens, stored hashed, rotated on every use.

Each login starts a *family*. Refreshing rotates the presented token (it is marked rotated and a new one
of the same family is issued). A rotated token presented again means it was stolen or replayed, so the
whole family is revoked and the legitimate user must log in again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4


@dataclass(slots=True)
class RefreshSession:
    """One issued refresh token (only its hash is kept)."""

    user_id: UUID
    family_id: UUID
    token_hash: str
    issued_at: datetime
    expires_at: datetime
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None
    id: UUID = field(default_factory=uuid4)

    def is_usable(self, now: datetime) -> bool:
        return self.rotated_at is None and self.revoked_at is None and now < self.expires_at


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified access token says."""

    user_id: UUID
    jti: str
    issued_at: datetime
    expires_at: datetime
    #: The refresh-token family (the sign-in session) the token was issued for; revoking the family
    #: revokes its access tokens too. ``None`` for a token issued outside a session (a script's).
    session_id: UUID | None = None
