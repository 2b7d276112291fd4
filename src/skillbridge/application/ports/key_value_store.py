"""KeyValueStore port: the small shared state behind throttling and token revocation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class KeyValueStore(Protocol):
    """A store of short-lived keys shared by every process of the service (Redis in production).

    Every key expires; nothing here is durable data.
    """

    async def increment(self, key: str, ttl_seconds: int) -> tuple[int, int]:
        """Add one to the counter at ``key`` and return ``(count, seconds_left)``.

        The first increment starts the window of ``ttl_seconds``; later ones do not extend it.
        """
        ...

    async def increment_and_get(
        self, key: str, ttl_seconds: int, read: Sequence[str]
    ) -> tuple[int, int, list[str | None]]:
        """:meth:`increment` ``key`` and :meth:`get_many` ``read`` together, in one round trip.

        The request path's primitive: counting a request against its budget and reading its caller's
        session state cost one trip to the store, not two.
        """
        ...

    async def get_many(self, keys: Sequence[str]) -> list[str | None]:
        """Return the value at each of ``keys`` (``None`` where absent), in one round trip."""
        ...

    async def adjust(self, key: str, delta: int, ttl_seconds: int) -> int:
        """Add ``delta`` (negative to take away) to the counter at ``key``, give it ``ttl_seconds`` to live
        from now, and return the new value. A counter that reaches zero or less is removed."""
        ...

    async def seconds_left(self, key: str) -> int:
        """Return the seconds until ``key`` expires, 0 if it does not exist."""
        ...

    async def count(self, key: str) -> int:
        """Return the counter at ``key``, 0 if absent."""
        ...

    async def put(self, key: str, value: str, ttl_seconds: int) -> None:
        """Store ``value`` at ``key`` for ``ttl_seconds``."""
        ...

    async def get(self, key: str) -> str | None:
        """Return the value at ``key``, or ``None`` if it is absent or expired."""
        ...

    async def put_new(self, key: str, value: str, ttl_seconds: int) -> bool:
        """Store ``value`` at ``key`` for ``ttl_seconds`` unless ``key`` holds a value already; return whether
        it was stored. Atomic: of callers racing for one key, exactly one stores."""
        ...

    async def take(self, key: str) -> str | None:
        """Return the value at ``key`` and remove it, atomically: of two callers racing for one key, one
        gets the value and the other ``None`` (single-use tokens)."""
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key`` if present."""
        ...

    async def ping(self) -> None:
        """Return when the store answers.

        Raises:
            DependencyUnavailable: it does not.
        """
        ...
