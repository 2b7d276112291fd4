"""Building the async engine and the session factory for SQLite (embedded) or PostgreSQL (production).

Nothing here runs at import time: the composition root calls :func:`create_engine` once per app.
"""

from __future__ import annotations

import ipaddress
import select
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from skillbridge.adapters.persistence.sqlalchemy.geo import register_sqlite_functions

# Connections wait this long for a SQLite write lock before giving up ("database is locked").
SQLITE_BUSY_TIMEOUT_MS = 5000

# PostgreSQL pool: a handful of connections per process; fail fast when the server is gone so the
# request gets a 503 instead of hanging. No pre-ping (it cost a BEGIN/ROLLBACK round trip on every
# checkout): connections are recycled, a connection whose socket the server closed is refused at checkout
# for free, and the unit of work retries its first statement once on a connection found dead.
POSTGRES_POOL_SIZE = 10
POSTGRES_MAX_OVERFLOW = 10
POSTGRES_POOL_TIMEOUT_S = 10.0
POSTGRES_POOL_RECYCLE_S = 1800
POSTGRES_CONNECT_TIMEOUT_S = 10.0
POSTGRES_COMMAND_TIMEOUT_S = 60.0


def _is_sqlite_memory(url: URL) -> bool:
    database = url.database or ""
    return database in {"", ":memory:"} or database.startswith("file:") or url.query.get("mode") == "memory"


def _ensure_sqlite_directory(url: URL) -> None:
    if not _is_sqlite_memory(url):
        Path(url.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()
    register_sqlite_functions(dbapi_connection)


def _refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Replace a pooled connection the server has closed (a restart, ``pg_terminate_backend``), for the
    price of one ``select`` call instead of a round trip.

    asyncpg marks a connection closed once the event loop has read the server's goodbye. Until it has, the
    goodbye (or the end of the stream) waits unread on the socket, and an idle connection has nothing else
    to read: the server speaks only when asked. So a readable idle socket means "closed" as well.
    """
    driver = dbapi_connection.driver_connection
    if driver.is_closed() or _has_unread_input(driver):
        raise sa_exc.DisconnectionError("the pooled connection was closed by the server")


def _has_unread_input(driver: Any) -> bool:
    transport = getattr(driver, "_transport", None)  # asyncpg keeps its transport here
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None:
        return False  # nothing to look at: the unit of work's first statement still finds a dead one
    # poll, not select: select refuses descriptors above 1,023, which a server holding thousands of
    # streams hands to its database sockets (every checkout failed with a 500 at 5,000 held streams).
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


# URL query options by which an operator states how TLS is used (asyncpg reads either).
_TLS_OPTIONS = frozenset({"ssl", "sslmode"})


def uses_tls_by_default(url: URL) -> bool:
    """Whether a PostgreSQL URL that says nothing about TLS should keep asyncpg's default (``prefer``: TLS
    whenever the server offers it).

    Not on loopback or a Unix socket: TLS there protects nothing (the bytes never leave the machine), and
    asyncio runs TLS in Python, which costs more per round trip than the query itself on a short read. Any
    other host keeps the default; a URL with ``ssl`` or ``sslmode`` is always taken as it says.
    """
    if _TLS_OPTIONS & set(url.query):
        return True  # the operator's choice is passed through untouched
    host = url.host or url.query.get("host")
    if host is None or (isinstance(host, str) and host.startswith("/")):
        return False  # a Unix socket
    if isinstance(host, tuple):  # several hosts: keep the default unless every one is local
        return not all(_is_loopback(one) for one in host)
    return not _is_loopback(host)


def _is_loopback(host: str) -> bool:
    if host.startswith("/") or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may well resolve to another machine


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the async engine for ``url`` (``sqlite+aiosqlite:///path`` or ``postgresql+asyncpg://...``).

    SQLite: the file's directory is created, and every connection gets foreign keys on, WAL journaling
    (readers never block the writer), a 5 s busy timeout and ``synchronous=NORMAL`` (safe with WAL).
    PostgreSQL: a bounded pool with recycling and a free liveness check at checkout (no pre-ping round
    trip), connect and statement timeouts, and no TLS to a loopback address or a Unix socket unless the URL
    asks for it (:func:`uses_tls_by_default`).

    Args:
        url: SQLAlchemy database URL with an async driver.
        echo: Log every statement (debugging only).

    Returns:
        The engine; dispose of it when the app stops.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _ensure_sqlite_directory(parsed)
        engine = create_async_engine(parsed, echo=echo)
        event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
        return engine
    if backend == "postgresql":
        connect_args: dict[str, Any] = {
            "timeout": POSTGRES_CONNECT_TIMEOUT_S,
            "command_timeout": POSTGRES_COMMAND_TIMEOUT_S,
            "server_settings": {"application_name": "skillbridge"},
        }
        if not uses_tls_by_default(parsed):
            connect_args["ssl"] = False
        engine = create_async_engine(
            parsed,
            echo=echo,
            pool_size=POSTGRES_POOL_SIZE,
            max_overflow=POSTGRES_MAX_OVERFLOW,
            pool_timeout=POSTGRES_POOL_TIMEOUT_S,
            pool_recycle=POSTGRES_POOL_RECYCLE_S,
            connect_args=connect_args,
            # JSONB columns (profiles, modules) are decoded by msgspec, several times faster than the json
            # module on the documents of a page of mentors; the values are the same.
            json_deserializer=msgspec.json.decode,
        )
        event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
        return engine
    return create_async_engine(parsed, echo=echo)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The session factory of the units of work. Loaded objects stay usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)
