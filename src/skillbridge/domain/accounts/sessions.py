"""Refresh-token sessions: opaque tokens, stored hashed, rotated on every use.

Each login starts a *family*. Refreshing rotates the presented token (it is marked rotated and a new one
of the same family is issued). A rotated token presented again means it was stolen or replayed, so the
whole family is revoked and the legitimate user must log in again.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

#: Longest user agent kept for the list of sessions (the rest is cut: it only has to be recognisable).
MAX_USER_AGENT = 200


def coarse_network(address: str | None) -> str | None:
    """The network ``address`` is in, coarse enough to say "where" without pinning a person: the /24 of
    an IPv4 address, the /48 of an IPv6 one. ``None`` for what is not an address."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@dataclass(frozen=True, slots=True)
class Client:
    """Who presents a login or a refresh: the client address and user agent, as the HTTP layer saw them."""

    address: str | None = None
    user_agent: str | None = None

    @property
    def network(self) -> str | None:
        return coarse_network(self.address)

    @property
    def agent(self) -> str | None:
        return self.user_agent[:MAX_USER_AGENT] if self.user_agent else None


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
    #: When the sign-in session (the family) began: its absolute lifetime counts from here. Left out on a
    #: new family's first token: then at ``issued_at``.
    family_started_at: datetime | None = None
    #: The client that last used the session, as its owner sees it in their list of sessions.
    user_agent: str | None = None
    client_network: str | None = None
    id: UUID = field(default_factory=uuid4)

    def __post_init__(self) -> None:
        if self.family_started_at is None:
            self.family_started_at = self.issued_at

    @property
    def started_at(self) -> datetime:
        return self.family_started_at or self.issued_at

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
