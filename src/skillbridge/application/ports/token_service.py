"""TokenService port."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from skillbridge.domain.accounts.sessions import AccessClaims


@dataclass(frozen=True, slots=True)
class IssuedAccessToken:
    token: str
    jti: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedRefreshToken:
    """A new opaque refresh token; only ``token_hash`` is ever stored."""

    token: str
    token_hash: str


class TokenService(Protocol):
    """Signs and verifies access tokens; mints and hashes opaque refresh tokens."""

    def issue_access(self, user_id: UUID, now: datetime, session_id: UUID | None = None) -> IssuedAccessToken:
        """Return a signed access token for ``user_id`` valid from ``now`` for the configured lifetime,
        bound to the sign-in session ``session_id`` (the refresh-token family) when given."""
        ...

    def verify_access(self, token: str, now: datetime) -> AccessClaims:
        """Return the claims of a valid access token.

        Raises:
            Unauthenticated: bad signature, another key or algorithm, expired, malformed, or not an
                access token (a refresh token presented as one included).
        """
        ...

    def new_refresh(self) -> IssuedRefreshToken:
        """Return a fresh random refresh token and its hash."""
        ...

    def hash_refresh(self, token: str) -> str:
        """Return the hash under which a refresh token is stored."""
        ...
