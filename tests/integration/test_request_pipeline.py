"""The request pipeline: budgets keyed on verified identity, immediate revocation across processes, and a
database connection that survives the server dropping it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from skillbridge.adapters.persistence.sqlalchemy import create_engine
from skillbridge.application.accounts.administration import CreateAdmin
from skillbridge.main import Settings, build_container
from tests.integration.conftest import FAST_HASHING
from tests.integration.helpers import PASSWORD, Api, register_body
from tests.support.apps import build_test_app
from tests.support.databases import redis_url_or_skip
from tests.support.reused_database import ReusedDatabase
from tests.support.two_factor import turn_on_two_factor

ME = "/api/v1/users/me"


def bearer(token: str, scheme: str = "Bearer", gap: str = " ") -> dict[str, str]:
    return {"Authorization": f"{scheme}{gap}{token}"}


async def _login(client: AsyncTestClient[Litestar], email: str) -> dict[str, Any]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# ------------------------------------------------------------------------------------------ budgets


async def test_inventing_authorization_headers_buys_no_new_budget(make_settings: Callable[..., Settings]) -> None:
    async with AsyncTestClient(app=build_test_app(make_settings(rate_limit_per_minute=6))) as client:
        variants = [
            bearer("x"),
            bearer("y", "bearer"),
            bearer("z", "BEARER", "   "),
            {"Authorization": "Basic Zm9vOmJhcg=="},
            {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"},
            {"Authorization": ""},
        ]
        statuses = [(await client.get(ME, headers=headers)).status_code for headers in variants]
        # Six anonymous calls from one address spend its budget, whatever each one claimed to be.
        assert statuses == [401] * 6
        refused = await client.get(ME, headers=bearer(f"fresh-{uuid4().hex}"))
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1


async def test_a_signed_in_caller_has_one_budget_however_the_header_is_written(
    make_settings: Callable[..., Settings],
) -> None:
    async with AsyncTestClient(app=build_test_app(make_settings(rate_limit_per_minute=4))) as client:
        await client.post("/api/v1/auth/register", json=register_body("budget@example.org"))
        token = (await _login(client, "budget@example.org"))["access_token"]
        ways = [bearer(token), bearer(token, "bearer"), bearer(token, "BEARER", "  "), bearer(token, "BeArEr")]
        assert [(await client.get(ME, headers=h)).status_code for h in ways] == [200, 200, 200, 200]
        over = await client.get(ME, headers=bearer(token, "bEARER"))
        assert over.status_code == 429
        # Positive control: the anonymous address budget is another counter, untouched by the user's calls.
        assert (await client.get(ME)).status_code == 401


async def test_responses_say_where_the_caller_stands_in_their_budget(make_settings: Callable[..., Settings]) -> None:
    async with AsyncTestClient(app=build_test_app(make_settings(rate_limit_per_minute=10))) as client:
        first = await client.get(ME)
        second = await client.get(ME)
    assert (first.headers["ratelimit-limit"], first.headers["ratelimit-remaining"]) == ("10", "9")
    assert second.headers["ratelimit-remaining"] == "8"
    assert 1 <= int(second.headers["ratelimit-reset"]) <= 60


async def test_login_is_counted_per_address_on_the_stricter_budget(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(auth_rate_limit_per_minute=3, rate_limit_per_minute=1000)
    async with AsyncTestClient(app=build_test_app(settings)) as client:
        await client.post("/api/v1/auth/register", json=register_body("strict@example.org"))  # 1 of 3
        token = (await _login(client, "strict@example.org"))["access_token"]  # 2 of 3
        # Signing in does not move a caller off the per-address auth budget.
        bad = {"email": "strict@example.org", "password": "wrong-password-1"}
        assert (await client.post("/api/v1/auth/login", json=bad, headers=bearer(token))).status_code == 401
        assert (await client.post("/api/v1/auth/login", json=bad, headers=bearer(token))).status_code == 429
        assert (await client.get(ME, headers=bearer(token))).status_code == 200  # the general budget is apart


# --------------------------------------------------------------------- revocation, in every process


@asynccontextmanager
async def _two_processes(settings: Settings) -> AsyncIterator[tuple[AsyncTestClient[Litestar], ...]]:
    """Two apps on one database and one Redis: each with its own pool and its own principal cache."""
    first_app, second_app = build_test_app(settings), build_test_app(settings)
    async with AsyncTestClient(app=first_app) as first, AsyncTestClient(app=second_app) as second:
        yield first, second


async def _admin(settings: Settings, client: AsyncTestClient[Litestar]) -> dict[str, str]:
    container = build_container(settings)
    try:
        async with container() as request:
            await (await request.get(CreateAdmin))("root@example.org", PASSWORD, "Root")
    finally:
        await container.close()
    headers = bearer((await _login(client, "root@example.org"))["access_token"])
    await turn_on_two_factor(client, headers, datetime.now(UTC))
    return headers


@pytest.fixture
async def postgres_url(reused_postgres: ReusedDatabase) -> AsyncIterator[str]:
    """An empty migrated PostgreSQL database (two processes, or a terminated backend, need a server)."""
    async with reused_postgres.lease() as url:
        yield url


def _settings(url: str, **overrides: Any) -> Settings:
    return Settings(database_url=url, log_json=True, **FAST_HASHING, **overrides)


@pytest.mark.postgres
@pytest.mark.redis
async def test_role_changes_deactivation_logout_and_revoked_sessions_apply_on_the_next_request_everywhere(
    postgres_url: str,
) -> None:
    # No two-tab grace period: the replay below must count at once.
    redis_url = await redis_url_or_skip()
    settings = _settings(
        postgres_url, redis_url=redis_url, redis_key_prefix=f"t-{uuid4().hex}:", refresh_grace_seconds=0
    )
    async with _two_processes(settings) as (a, b):
        admin = await _admin(settings, a)
        await a.post("/api/v1/auth/register", json=register_body("amara@example.org"))
        await a.post("/api/v1/auth/register", json=register_body("kofi@example.org"))
        amara = await _login(a, "amara@example.org")
        kofi = bearer((await _login(a, "kofi@example.org"))["access_token"])
        amara_id, token = amara["user_id"], bearer(amara["access_token"])

        # B learns (and caches) Amara as a learner.
        assert (await b.get(ME, headers=token)).json()["role"] == "learner"
        assert (await b.get("/api/v1/matches/recommendations", headers=token)).status_code == 200

        changed = await a.patch(f"/api/v1/admin/users/{amara_id}", json={"role": "mentor"}, headers=admin)
        assert changed.status_code == 200
        assert (await b.get(ME, headers=token)).json()["role"] == "mentor"
        assert (await b.get("/api/v1/matches/recommendations", headers=token)).status_code == 403

        deactivated = await a.patch(f"/api/v1/admin/users/{amara_id}", json={"is_active": False}, headers=admin)
        assert (deactivated.status_code, deactivated.json()["is_active"]) == (200, False)
        assert (await b.get(ME, headers=token)).status_code == 401
        assert (await b.get(ME, headers=kofi)).status_code == 200  # positive control: only Amara is out
        reactivated = await a.patch(f"/api/v1/admin/users/{amara_id}", json={"is_active": True}, headers=admin)
        assert (reactivated.status_code, reactivated.json()["is_active"]) == (200, True)
        assert (await b.get(ME, headers=token)).status_code == 200

        assert (await a.post("/api/v1/auth/logout", headers=token)).status_code == 204
        assert (await b.get(ME, headers=token)).status_code == 401

        # A replayed refresh token revokes its whole session: the access token the rotation gave dies too.
        first = await _login(a, "amara@example.org")
        rotated = (await a.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
        assert (await b.get(ME, headers=bearer(rotated["access_token"]))).status_code == 200
        replay = await a.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert replay.status_code == 401
        assert (await b.get(ME, headers=bearer(rotated["access_token"]))).status_code == 401
        assert (await b.get(ME, headers=kofi)).status_code == 200


async def test_logout_ends_every_access_token_of_the_session_without_the_refresh_token(api: Api) -> None:
    await api.register("lina@example.org")
    session = await api.login("lina@example.org")
    refreshed = (await api.client.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})).json()
    other_device = await api.login("lina@example.org")  # another sign-in session stays
    logout = await api.client.post("/api/v1/auth/logout", headers=bearer(refreshed["access_token"]))
    assert logout.status_code == 204
    assert (await api.client.get(ME, headers=bearer(session["access_token"]))).status_code == 401
    assert (await api.client.get(ME, headers=bearer(refreshed["access_token"]))).status_code == 401
    again = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": refreshed["refresh_token"]})
    assert again.status_code == 401
    assert (await api.client.get(ME, headers=bearer(other_device["access_token"]))).status_code == 200


# ------------------------------------------------------------------------------ a dropped connection


@pytest.mark.postgres
async def test_the_next_request_succeeds_after_the_server_terminated_every_pooled_connection(
    postgres_url: str,
) -> None:
    async with AsyncTestClient(app=build_test_app(_settings(postgres_url))) as client:
        await client.post("/api/v1/auth/register", json=register_body("steady@example.org"))
        token = bearer((await _login(client, "steady@example.org"))["access_token"])
        for _ in range(3):
            assert (await client.get(ME, headers=token)).status_code == 200
            terminated = await _terminate_other_backends(postgres_url)
            assert terminated >= 1  # the app's pooled connections were there, and are gone now
            assert (await client.get(ME, headers=token)).status_code == 200
            assert (await client.get("/api/v1/roadmaps/my", headers=token)).status_code == 200


async def _terminate_other_backends(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                text(
                    # The timeout makes the call wait until each backend has exited: without it, the
                    # server may still be saying goodbye when the next request checks a connection out.
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return int(result.scalar_one())
    finally:
        await engine.dispose()


async def test_every_response_is_nosniff_and_token_responses_are_never_stored(api: Api) -> None:
    await api.register("headers@example.org")
    login = await api.login_response("headers@example.org")
    refresh = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]})
    me = await api.client.get(ME, headers=bearer(refresh.json()["access_token"]))
    refused = await api.client.get(ME)
    health = await api.client.get("/health")
    for response in (login, refresh, me, refused, health):
        assert response.headers["x-content-type-options"] == "nosniff"
    for carrying_tokens in (login, refresh):
        assert "no-store" in carrying_tokens.headers["cache-control"]
    assert "no-store" not in me.headers.get("cache-control", "")  # positive control: only where tokens are
