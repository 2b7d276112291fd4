"""Revoked access tokens, remembered until they would have expired anyway."""

from __future__ import annotations

import math
from datetime import datetime

from skillbridge.application.ports.key_value_store import KeyValueStore


class AccessRevocations:
    """A deny-list of access-token ids (``jti``), kept in the shared store so every process sees it."""

    def __init__(self, store: KeyValueStore) -> None:
        self._store = store

    async def revoke(self, jti: str, expires_at: datetime, now: datetime) -> None:
        """Refuse the token ``jti`` from now until it expires."""
        seconds = math.ceil((expires_at - now).total_seconds())
        if seconds > 0:
            await self._store.put(f"revoked-access:{jti}", "1", seconds + 1)

    async def is_revoked(self, jti: str) -> bool:
        return await self._store.get(f"revoked-access:{jti}") is not None
