"""The grace period of a rotated refresh token: two tabs refreshing with one token both stay signed in.

When a refresh rotates a token, the new pair is kept in the shared store under the old token's digest
for the grace period. The same old token presented again within it gets that same pair back, instead of
counting as a replay; after it, a replay revokes the whole session as before. (The pair sits in the
shared store for those few seconds, beside the revocation marks it already trusts.)
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from skillbridge.application.accounts.token_pair import TokenPair
from skillbridge.application.ports.key_value_store import KeyValueStore


def _key(old_token_hash: str) -> str:
    return f"refresh-grace:{old_token_hash}"


class RefreshGrace:
    """Keep and find the pair a refresh token was rotated into, for ``grace`` after the rotation."""

    def __init__(self, store: KeyValueStore, grace: timedelta) -> None:
        self._store = store
        self._seconds = int(grace.total_seconds())

    async def claim(self, old_token_hash: str, pair: TokenPair) -> bool:
        """Keep ``pair`` as what the old token was rotated into, unless a racing refresh kept its own
        first; return whether this one is kept (with no grace period: always)."""
        if self._seconds <= 0:
            return True
        value = {
            "access_token": pair.access_token,
            "access_expires_at": pair.access_expires_at.isoformat(),
            "refresh_token": pair.refresh_token,
            "refresh_expires_at": pair.refresh_expires_at.isoformat(),
            "user_id": pair.user_id,
        }
        return await self._store.put_new(_key(old_token_hash), json.dumps(value), self._seconds)

    async def find(self, old_token_hash: str) -> TokenPair | None:
        if self._seconds <= 0:
            return None
        stored = await self._store.get(_key(old_token_hash))
        if stored is None:
            return None
        value = json.loads(stored)
        return TokenPair(
            access_token=value["access_token"],
            access_expires_at=datetime.fromisoformat(value["access_expires_at"]),
            refresh_token=value["refresh_token"],
            refresh_expires_at=datetime.fromisoformat(value["refresh_expires_at"]),
            user_id=value["user_id"],
        )
