"""Registration, login, refresh, logout and token attacks, through the real HTTP stack."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import jwt
import pytest

from skillbridge.main import Settings
from tests.integration.helpers import Api, api_with, register_body

pytestmark = pytest.mark.asyncio


def _without_request_id(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "request_id"}


async def test_register_returns_the_user_without_any_secret(api: Api) -> None:
    response = await api.client.post("/api/v1/auth/register", json=register_body("ada@example.org", role="mentor"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "ada@example.org"
    assert body["role"] == "mentor"
    assert body["profile"]["skills"] == ["python", "machine-learning", "cpp"]
    assert body["profile"]["mentor_capacity"] == 2
    text = response.text.lower()
    assert "password" not in text and "argon2" not in text and "hash" not in text


async def test_duplicate_email_is_a_conflict_that_reveals_nothing(api: Api) -> None:
    await api.register("dup@example.org")
    response = await api.client.post("/api/v1/auth/register", json=register_body("DUP@example.org "))
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith("/conflict")
    assert body["field"] == "email"
    assert "learner" not in json.dumps(body) and "created" not in json.dumps(body)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "admin"}, "role"),
        ({"password": "short"}, "password"),
        ({"password": "password123"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"is_admin": True}, "is_admin"),
        ({"profile": {"hours_per_week": 200}}, "profile.hours_per_week"),
        ({"profile": {"location": {"lat": 91, "lon": 0}}}, "profile.location.lat"),
        ({"profile": {"timezone": "Mars/Olympus"}}, "profile.timezone"),
        ({"profile": {"github_username": "-bad-"}}, "profile.github_username"),
        ({"profile": {"weekly_slots": [168]}}, "profile.weekly_slots[0]"),
    ],
)
async def test_bad_registrations_name_the_field(api: Api, change: dict[str, Any], field: str) -> None:
    body = register_body("field@example.org") | change
    response = await api.client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["status"] == 422
    assert problem["field"] == field, problem


async def test_malformed_json_is_a_400_problem(api: Api) -> None:
    response = await api.client.post(
        "/api/v1/auth/register", content=b'{"email": "x@y.org",', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["type"].endswith("/malformed-request")


async def test_long_passwords_are_accepted_and_never_truncated(api: Api) -> None:
    password = "correct horse battery staple " * 5  # 145 characters
    await api.register("long@example.org", password=password)
    assert (await api.login_response("long@example.org", password)).status_code == 200
    assert (await api.login_response("long@example.org", password[:-1] + "X")).status_code == 401
    assert (await api.login_response("long@example.org", password[:72])).status_code == 401


async def test_login_gives_short_lived_jwt_and_opaque_refresh_token(api: Api) -> None:
    await api.register("tokens@example.org")
    response = await api.login_response("tokens@example.org")
    assert response.status_code == 200
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert 0 < tokens["expires_in"] <= 900
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert {"sub", "exp", "iat", "jti", "typ"} <= set(claims)
    assert claims["typ"] == "access"
    assert claims["exp"] - claims["iat"] <= 900
    assert tokens["refresh_token"].count(".") == 0  # opaque, not a JWT


async def test_unknown_email_and_wrong_password_look_the_same(api: Api) -> None:
    await api.register("known@example.org")
    unknown = await api.login_response("nobody@example.org", "whatever-Pass-1")
    wrong = await api.login_response("known@example.org", "whatever-Pass-1")
    assert unknown.status_code == wrong.status_code == 401
    assert _without_request_id(unknown.json()) == _without_request_id(wrong.json())


async def test_repeated_failures_from_one_address_are_delayed_with_retry_after(api: Api) -> None:
    await api.register("victim@example.org")
    for _ in range(6):  # five free attempts, then one per (growing) delay
        assert (await api.login_response("victim@example.org", "wrong-password-1")).status_code == 401
    blocked = await api.login_response("victim@example.org")  # from this address, even the right password
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert blocked.json()["type"].endswith("/too-many-attempts")


async def test_failures_from_one_address_across_accounts_are_throttled(api: Api) -> None:
    for i in range(20):
        await api.login_response(f"spray{i}@example.org", "wrong-password-1")
    assert (await api.login_response("spray-last@example.org", "wrong-password-1")).status_code == 429


async def test_me_needs_a_valid_bearer_token(api: Api) -> None:
    assert (await api.client.get("/api/v1/users/me")).status_code == 401
    response = await api.client.get("/api/v1/users/me", headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_expired_access_token_is_refused(api: Api) -> None:
    await api.register("clock@example.org")
    tokens = await api.login("clock@example.org")
    api.clock.advance(timedelta(minutes=15, seconds=1))
    response = await api.client.get("/api/v1/users/me", headers=_bearer(tokens["access_token"]))
    assert response.status_code == 401


async def test_token_signed_with_another_key_is_refused(api: Api) -> None:
    await api.register("forge@example.org")
    tokens = await api.login("forge@example.org")
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    forged = jwt.encode(claims, "another-secret-that-is-long-enough-to-sign", algorithm="HS256")
    assert (await api.client.get("/api/v1/users/me", headers=_bearer(forged))).status_code == 401


async def test_alg_none_token_is_refused(api: Api) -> None:
    await api.register("none@example.org")
    tokens = await api.login("none@example.org")
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})

    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    assert (await api.client.get("/api/v1/users/me", headers=_bearer(unsigned))).status_code == 401


async def test_refresh_token_is_not_an_access_token(api: Api) -> None:
    await api.register("swap@example.org")
    tokens = await api.login("swap@example.org")
    assert (await api.client.get("/api/v1/users/me", headers=_bearer(tokens["refresh_token"]))).status_code == 401


@pytest.fixture
async def api_without_grace(make_settings: Callable[..., Settings]) -> AsyncIterator[Api]:
    """A replay counts at once (no grace period for two tabs), so a test can replay without waiting."""
    async with api_with(make_settings, refresh_grace_seconds=0) as api:
        yield api


async def test_refresh_rotates_and_reuse_revokes_the_whole_family(api_without_grace: Api) -> None:
    api = api_without_grace
    await api.register("rotate@example.org")
    first = await api.login("rotate@example.org")
    second = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    # The stolen first token is replayed: refused, and the legitimate newer token dies with it.
    replay = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    after = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert after.status_code == 401


async def test_a_login_elsewhere_survives_another_family_being_revoked(api_without_grace: Api) -> None:
    api = api_without_grace
    await api.register("two@example.org")
    laptop = await api.login("two@example.org")
    phone = await api.login("two@example.org")
    rotated = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": laptop["refresh_token"]})
    assert rotated.status_code == 200
    replay = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": laptop["refresh_token"]})
    assert replay.status_code == 401
    # The replay killed the laptop's family (its newest token too) ...
    newest = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]})
    assert newest.status_code == 401
    # ... and not the phone's.
    assert (
        await api.client.post("/api/v1/auth/refresh", json={"refresh_token": phone["refresh_token"]})
    ).status_code == 200


async def test_logout_revokes_the_access_token_and_the_refresh_family(api: Api) -> None:
    await api.register("bye@example.org")
    tokens = await api.login("bye@example.org")
    headers = _bearer(tokens["access_token"])
    assert (await api.client.get("/api/v1/users/me", headers=headers)).status_code == 200
    response = await api.client.post(
        "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=headers
    )
    assert response.status_code == 204
    assert (await api.client.get("/api/v1/users/me", headers=headers)).status_code == 401
    refresh = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401


async def test_logout_cannot_end_someone_elses_session(api: Api) -> None:
    await api.register("mallory@example.org")
    await api.register("alice@example.org")
    mallory = await api.login("mallory@example.org")
    alice = await api.login("alice@example.org")
    response = await api.client.post(
        "/api/v1/auth/logout", json={"refresh_token": alice["refresh_token"]}, headers=_bearer(mallory["access_token"])
    )
    assert response.status_code == 204
    assert (
        await api.client.post("/api/v1/auth/refresh", json={"refresh_token": alice["refresh_token"]})
    ).status_code == 200


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
