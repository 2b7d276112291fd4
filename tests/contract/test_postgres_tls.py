"""TLS to PostgreSQL: kept wherever the bytes leave the machine, dropped on loopback, as the URL says first.

asyncpg runs TLS in Python, so on loopback it cost more per round trip than a short read itself, for no
protection. The rule (a URL's own ``ssl``/``sslmode`` always wins; otherwise TLS is kept, asyncpg's
``prefer``, unless the host is loopback or a Unix socket) is written out here as a table, then checked on the
server itself through ``pg_stat_ssl``.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from skillbridge.adapters.persistence.sqlalchemy.engine import create_engine, uses_tls_by_default
from tests.support.databases import postgres_server_url

# (URL, whether asyncpg's default TLS is kept)
TLS_RULE = [
    ("postgresql+asyncpg://app@127.0.0.1:5432/db", False),
    ("postgresql+asyncpg://app@127.8.9.10/db", False),
    ("postgresql+asyncpg://app@[::1]:5432/db", False),
    ("postgresql+asyncpg://app@localhost/db", False),
    ("postgresql+asyncpg://app@/db?host=/var/run/postgresql", False),
    ("postgresql+asyncpg://app@/db", False),
    ("postgresql+asyncpg://app@10.0.0.5:5432/db", True),
    ("postgresql+asyncpg://app@db.internal/db", True),
    ("postgresql+asyncpg://app@localhost.example.org/db", True),
    ("postgresql+asyncpg://app@127.0.0.1/db?ssl=require", True),
    ("postgresql+asyncpg://app@127.0.0.1/db?sslmode=verify-full", True),
    ("postgresql+asyncpg://app@10.0.0.5/db?ssl=disable", True),  # passed through: asyncpg disables it
]


@pytest.mark.parametrize(("url", "keeps_default"), TLS_RULE)
def test_which_urls_keep_the_default_tls(url: str, keeps_default: bool) -> None:
    assert uses_tls_by_default(make_url(url)) is keeps_default


async def _uses_tls(url: str) -> bool:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            used = await connection.scalar(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
    finally:
        await engine.dispose()
    return bool(used)


async def _server_offers_tls(url: str) -> bool:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(text("SHOW ssl")) == "on"
    finally:
        await engine.dispose()


async def test_a_loopback_connection_skips_tls_unless_the_url_asks_for_it() -> None:
    server = postgres_server_url()
    if not _is_local(server.host):
        pytest.fail(f"this test needs the test server on loopback, not {server.host}")
    url = server.render_as_string(hide_password=False)
    asked = server.update_query_dict({"ssl": "prefer"}).render_as_string(hide_password=False)

    assert await _uses_tls(url) is False
    # Positive control: the same server and the same engine code do use TLS when the URL asks for it, so the
    # first answer is the rule and not a server without TLS.
    assert await _uses_tls(asked) is await _server_offers_tls(url)


def _is_local(host: str | None) -> bool:
    return host in {None, "localhost"} or (host or "").startswith(("127.", "/", "::1"))
