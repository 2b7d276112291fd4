"""How busy the engine's connection pool is, read when metrics are scraped."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool


@dataclass(frozen=True, slots=True)
class PoolUsage:
    in_use: int
    idle: int
    #: Tasks waiting for a connection: above zero, requests queue for the database.
    waiting: int


def pool_usage(engine: AsyncEngine) -> PoolUsage | None:
    """The pool's connections in use and idle, and the tasks waiting for one (None: the engine has no
    queue pool, as an in-memory SQLite database)."""
    pool = engine.sync_engine.pool
    if not isinstance(pool, QueuePool):
        return None
    return PoolUsage(in_use=pool.checkedout(), idle=pool.checkedin(), waiting=_waiters(pool))


def _waiters(pool: QueuePool) -> int:
    # SQLAlchemy keeps no count of waiters; its async queue is an asyncio.Queue whose pending getters are
    # the waiting tasks. Private attributes, read only here and covered by a test that makes a task wait.
    queue = getattr(getattr(pool, "_pool", None), "_queue", None)
    getters = getattr(queue, "_getters", ())
    return sum(1 for getter in getters if not getter.done())
