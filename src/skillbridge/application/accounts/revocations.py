"""What ends a signed-in caller's access before their token expires, kept in the shared store.

Three kinds of marks, each read on every request (in the same round trip as the rate-limit counter):

- ``revoked-access:<jti>``: one access token was revoked (logout);
- ``revoked-session:<sid>``: a whole sign-in session (refresh-token family) was revoked (logout, a refresh
  token replayed); every access token issued for it stops working;
- ``principal:<user id>``: the user's role or status changed; a new random stamp each time, so that every
  process's cached principal of that user is seen to be stale on the very next request.

Revocations live as long as the tokens they kill could; stamps outlive every cached principal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.domain.accounts.sessions import AccessClaims

#: A cached principal is trusted at most this long even if no stamp says it changed (belt and braces).
PRINCIPAL_CACHE_MAX_AGE = timedelta(minutes=5)
# A stamp must outlive every cache entry loaded before it was written, or a stale entry could match
# "no stamp" again after the stamp expired.
_STAMP_TTL_SECONDS = int(PRINCIPAL_CACHE_MAX_AGE.total_seconds()) * 2


@dataclass(frozen=True, slots=True)
class SessionState:
    """What the store says about one verified token."""

    revoked: bool
    #: The user's current principal stamp (``None``: unchanged for longer than any cache keeps it).
    principal_stamp: str | None


class AccessRevocations:
    """Deny-lists of access tokens and sign-in sessions, and the stamps of changed principals."""

    def __init__(self, store: KeyValueStore, access_ttl: timedelta = timedelta(minutes=15)) -> None:
        self._store = store
        self._session_ttl_seconds = math.ceil(access_ttl.total_seconds()) + 60  # + the tokens' clock skew

    async def revoke(self, jti: str, expires_at: datetime, now: datetime) -> None:
        """Refuse the token ``jti`` from now until it expires."""
        seconds = math.ceil((expires_at - now).total_seconds())
        if seconds > 0:
            await self._store.put(f"revoked-access:{jti}", "1", seconds + 1)

    async def revoke_session(self, session_id: UUID) -> None:
        """Refuse every access token issued for the sign-in session ``session_id`` (until they expire)."""
        await self._store.put(f"revoked-session:{session_id}", "1", self._session_ttl_seconds)

    async def revoke_sessions(self, session_ids: Iterable[UUID]) -> None:
        """:meth:`revoke_session` each of ``session_ids``."""
        for session_id in session_ids:
            await self.revoke_session(session_id)

    async def principal_changed(self, user_id: UUID) -> None:
        """Say that ``user_id``'s role or status changed; call it after the change is committed."""
        await self._store.put(f"principal:{user_id}", uuid4().hex, _STAMP_TTL_SECONDS)

    @staticmethod
    def keys_for(claims: AccessClaims) -> list[str]:
        """The store keys whose values :meth:`state_of` reads, in order."""
        keys = [f"principal:{claims.user_id}", f"revoked-access:{claims.jti}"]
        if claims.session_id is not None:
            keys.append(f"revoked-session:{claims.session_id}")
        return keys

    @staticmethod
    def state_of(values: list[str | None]) -> SessionState:
        """Interpret the values of :meth:`keys_for`."""
        return SessionState(revoked=any(v is not None for v in values[1:]), principal_stamp=values[0])
