"""How many live notification streams (WebSocket or SSE) one user and one address may hold at once."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.domain.errors import TooManyAttempts
from skillbridge.domain.texts import N_

#: A holder's count outlives its streams by at most this long if its process dies without closing them;
#: every open stream renews it at each of its session checks (well within this).
LEASE_SECONDS = 180


@dataclass(frozen=True, slots=True)
class StreamLimits:
    """The most streams held at once by one user, and by one client address (an internet café's many
    users share one: keep it generous)."""

    per_user: int = 5
    per_address: int = 50


@dataclass(frozen=True, slots=True)
class StreamLease:
    """The places one open stream holds."""

    keys: tuple[str, ...]


class StreamSlots:
    """Counts open streams in the shared store, so the limits hold across every process.

    Rules: opening a stream over either limit is refused (``TooManyAttempts``) and holds nothing; closing
    one gives its places back; a holder's count lapses ``LEASE_SECONDS`` after its last renewal.
    """

    def __init__(self, store: KeyValueStore, limits: StreamLimits) -> None:
        self._store = store
        self._limits = limits

    async def take(self, user_id: UUID, address: str) -> StreamLease:
        held: list[str] = []
        for key, limit in (
            (f"streams:user:{user_id}", self._limits.per_user),
            (f"streams:address:{address}", self._limits.per_address),
        ):
            count = await self._store.adjust(key, 1, LEASE_SECONDS)
            held.append(key)
            if count > limit:
                await self.give_back(StreamLease(tuple(held)))
                raise TooManyAttempts(N_("too many live streams open; close one first"), retry_after=30)
        return StreamLease(tuple(held))

    async def renew(self, lease: StreamLease) -> None:
        for key in lease.keys:
            await self._store.adjust(key, 0, LEASE_SECONDS)

    async def give_back(self, lease: StreamLease) -> None:
        for key in lease.keys:
            await self._store.adjust(key, -1, LEASE_SECONDS)
