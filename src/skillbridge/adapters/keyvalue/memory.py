"""In-process KeyValueStore: the embedded default, and the twin the Redis adapter is tested against."""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from skillbridge.adapters.keyvalue._ttl import check_ttl, whole_seconds
from skillbridge.application.ports.key_value_store import KeyValueStore

# Each call removes at most this many expired keys, so no single call pays for a long backlog while
# purging still outpaces insertion (each call adds at most one key).
_PURGE_BATCH = 64
# Re-putting a live key leaves its old heap item behind; rebuild the heap when such leftovers dominate.
_COMPACT_SLACK = 1024


@dataclass(slots=True)
class _Entry:
    value: str
    expires_at: float


class MemoryKeyValueStore(KeyValueStore):
    """A dict with expiring keys, private to one process.

    Right for a single process (the embedded profile, tests); several workers each get their own counts,
    which is why production uses Redis. Expired keys read as absent at once and are purged in small
    batches on later calls, so memory stays bounded by the keys alive within the longest TTL.
    Every method is free of ``await`` points inside, so each is atomic on the event loop.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """Use ``clock`` (seconds, monotonic) for expiry; tests pass a fake one they can step."""
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        # (expires_at, key) for every expiry ever set; entries made stale by a later put are skipped.
        self._expiries: list[tuple[float, str]] = []

    async def increment(self, key: str, ttl_seconds: int) -> tuple[int, int]:
        """Add one to the counter at ``key``; the first increment starts a ``ttl_seconds`` window."""
        check_ttl(ttl_seconds)
        now = self._purge()
        entry = self._live(key, now)
        if entry is None:
            self._set(key, "1", now + ttl_seconds)
            return 1, ttl_seconds
        count = int(entry.value) + 1
        entry.value = str(count)
        return count, whole_seconds(entry.expires_at - now)

    async def increment_and_get(
        self, key: str, ttl_seconds: int, read: Sequence[str]
    ) -> tuple[int, int, list[str | None]]:
        """:meth:`increment` ``key``, then read ``read``."""
        count, seconds_left = await self.increment(key, ttl_seconds)
        return count, seconds_left, await self.get_many(read)

    async def adjust(self, key: str, delta: int, ttl_seconds: int) -> int:
        """Add ``delta`` to the counter at ``key`` and give it ``ttl_seconds`` from now."""
        check_ttl(ttl_seconds)
        now = self._purge()
        entry = self._live(key, now)
        value = (int(entry.value) if entry is not None else 0) + delta
        if value <= 0:
            self._entries.pop(key, None)
            return value
        self._set(key, str(value), now + ttl_seconds)
        return value

    async def get_many(self, keys: Sequence[str]) -> list[str | None]:
        """Return the value at each of ``keys``, ``None`` where absent or expired."""
        now = self._purge()
        values: list[str | None] = []
        for key in keys:
            entry = self._live(key, now)
            values.append(None if entry is None else entry.value)
        return values

    async def seconds_left(self, key: str) -> int:
        """Return the whole seconds (rounded up) until ``key`` expires, 0 if absent."""
        now = self._purge()
        entry = self._live(key, now)
        return 0 if entry is None else whole_seconds(entry.expires_at - now)

    async def count(self, key: str) -> int:
        """Return the counter at ``key``, 0 if absent."""
        entry = self._live(key, self._purge())
        return 0 if entry is None else int(entry.value)

    async def put(self, key: str, value: str, ttl_seconds: int) -> None:
        """Store ``value`` at ``key`` for ``ttl_seconds``, replacing any value and expiry."""
        check_ttl(ttl_seconds)
        now = self._purge()
        self._set(key, value, now + ttl_seconds)

    async def get(self, key: str) -> str | None:
        """Return the value at ``key``, or ``None`` if absent or expired."""
        entry = self._live(key, self._purge())
        return None if entry is None else entry.value

    async def put_new(self, key: str, value: str, ttl_seconds: int) -> bool:
        """Store ``value`` at ``key`` unless it holds a live value (no await point: atomic on the event loop)."""
        check_ttl(ttl_seconds)
        now = self._purge()
        if self._live(key, now) is not None:
            return False
        self._set(key, value, now + ttl_seconds)
        return True

    async def take(self, key: str) -> str | None:
        """Return the value at ``key`` and remove it (no await point: atomic on the event loop)."""
        entry = self._live(key, self._purge())
        if entry is None:
            return None
        del self._entries[key]
        return entry.value

    async def delete(self, key: str) -> None:
        """Remove ``key`` if present."""
        self._purge()
        self._entries.pop(key, None)

    async def ping(self) -> None:
        """Return at once: memory is always there."""

    def __len__(self) -> int:
        """Number of keys held, expired ones not yet purged included (for tests and metrics)."""
        return len(self._entries)

    def _set(self, key: str, value: str, expires_at: float) -> None:
        self._entries[key] = _Entry(value, expires_at)
        heapq.heappush(self._expiries, (expires_at, key))
        if len(self._expiries) > 2 * len(self._entries) + _COMPACT_SLACK:
            self._expiries = [(entry.expires_at, k) for k, entry in self._entries.items()]
            heapq.heapify(self._expiries)

    def _live(self, key: str, now: float) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None and entry.expires_at <= now:
            del self._entries[key]
            return None
        return entry

    def _purge(self) -> float:
        """Drop up to ``_PURGE_BATCH`` expired keys; return the current time."""
        now = self._clock()
        heap = self._expiries
        for _ in range(_PURGE_BATCH):
            if not heap or heap[0][0] > now:
                break
            expires_at, key = heapq.heappop(heap)
            entry = self._entries.get(key)
            if entry is not None and entry.expires_at == expires_at:
                del self._entries[key]
        return now
