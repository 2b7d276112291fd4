"""One's sign-in sessions through the HTTP stack: list them, end one, end all, log out without a body,
two tabs refreshing at once, and the absolute lifetime; each rule with an attempt to break it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from tests.integration.helpers import PASSWORD, Api

pytestmark = pytest.mark.asyncio
SESSIONS, ME, REFRESH = "/api/v1/auth/sessions", "/api/v1/users/me", "/api/v1/auth/refresh"


def _bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def _login(api: Api, email: str, user_agent: str) -> dict[str, Any]:
    response = await api.client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}, headers={"User-Agent": user_agent}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _works(api: Api, tokens: dict[str, Any]) -> tuple[int, int]:
    """(status of a signed-in GET with the access token, status of a refresh with the refresh token)."""
    me = await api.client.get(ME, headers=_bearer(tokens))
    refreshed = await api.client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
    return me.status_code, refreshed.status_code


async def test_the_list_shows_ones_own_sessions_and_marks_the_current_one(api: Api) -> None:
    await api.register("amara@example.org")
    await api.register("bayo@example.org")
    phone = await _login(api, "amara@example.org", "Phone/1.0")
    await _login(api, "amara@example.org", "Laptop/2.0")
    await _login(api, "bayo@example.org", "Bayo/3.0")

    response = await api.client.get(SESSIONS, headers=_bearer(phone))

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    items = response.json()["items"]
    assert sorted((item["user_agent"], item["current"]) for item in items) == [
        ("Laptop/2.0", False),
        ("Phone/1.0", True),
    ]
    assert all(item["network"] is None for item in items)  # the test client has no IP address
    assert len({item["id"] for item in items}) == 2


async def test_a_refresh_keeps_the_session_and_moves_its_last_use(api: Api) -> None:
    await api.register("amara@example.org")
    tokens = await _login(api, "amara@example.org", "Phone/1.0")
    [before] = (await api.client.get(SESSIONS, headers=_bearer(tokens))).json()["items"]
    api.clock.advance(timedelta(hours=2))

    refreshed = await api.client.post(
        REFRESH, json={"refresh_token": tokens["refresh_token"]}, headers={"User-Agent": "Phone/1.1"}
    )
    [after] = (await api.client.get(SESSIONS, headers=_bearer(refreshed.json()))).json()["items"]

    assert after["id"] == before["id"]
    assert after["created_at"] == before["created_at"]
    assert after["last_used_at"] > before["last_used_at"]
    assert after["user_agent"] == "Phone/1.1"


async def test_ending_one_session_stops_it_at_once_and_spares_the_others(api: Api) -> None:
    await api.register("amara@example.org")
    phone = await _login(api, "amara@example.org", "Phone/1.0")
    laptop = await _login(api, "amara@example.org", "Laptop/2.0")
    items = (await api.client.get(SESSIONS, headers=_bearer(phone))).json()["items"]
    [laptop_id] = [item["id"] for item in items if not item["current"]]

    response = await api.client.delete(f"{SESSIONS}/{laptop_id}", headers=_bearer(phone))

    assert response.status_code == 204
    assert await _works(api, laptop) == (401, 401)
    assert await _works(api, phone) == (200, 200)


async def test_nobody_ends_another_users_session(api: Api) -> None:
    await api.register("amara@example.org")
    await api.register("mallory@example.org")
    amara = await _login(api, "amara@example.org", "Phone/1.0")
    mallory = await _login(api, "mallory@example.org", "Evil/1.0")
    [amaras] = (await api.client.get(SESSIONS, headers=_bearer(amara))).json()["items"]

    attempt = await api.client.delete(f"{SESSIONS}/{amaras['id']}", headers=_bearer(mallory))
    unknown = await api.client.delete(f"{SESSIONS}/{uuid4()}", headers=_bearer(mallory))

    assert (attempt.status_code, unknown.status_code) == (404, 404)
    assert attempt.json()["field"] == "session_id"
    assert attempt.json()["detail"] == unknown.json()["detail"]
    assert await _works(api, amara) == (200, 200)


async def test_logout_all_ends_every_session_the_current_one_too(api: Api) -> None:
    await api.register("amara@example.org")
    await api.register("bayo@example.org")
    phone = await _login(api, "amara@example.org", "Phone/1.0")
    laptop = await _login(api, "amara@example.org", "Laptop/2.0")
    bayo = await _login(api, "bayo@example.org", "Bayo/3.0")

    response = await api.client.post("/api/v1/auth/logout-all", headers=_bearer(phone))

    assert response.status_code == 204
    assert await _works(api, phone) == (401, 401)
    assert await _works(api, laptop) == (401, 401)
    assert await _works(api, bayo) == (200, 200)  # another user is untouched


async def test_logout_without_a_body_ends_the_current_session_only(api: Api) -> None:
    await api.register("amara@example.org")
    phone = await _login(api, "amara@example.org", "Phone/1.0")
    laptop = await _login(api, "amara@example.org", "Laptop/2.0")

    response = await api.client.post("/api/v1/auth/logout", headers=_bearer(phone))

    assert response.status_code == 204
    assert await _works(api, phone) == (401, 401)
    assert await _works(api, laptop) == (200, 200)


async def test_two_tabs_refreshing_with_one_token_get_the_same_pair(api: Api) -> None:
    await api.register("amara@example.org")
    tokens = await _login(api, "amara@example.org", "Phone/1.0")

    first = await api.client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
    second = await api.client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    assert second.headers["cache-control"] == "no-store"
    assert await _works(api, first.json()) == (200, 200)


async def test_a_session_cannot_be_refreshed_past_its_absolute_lifetime(api: Api) -> None:
    await api.register("amara@example.org")
    tokens = await _login(api, "amara@example.org", "Phone/1.0")
    for _ in range(4):  # a refresh a week keeps the 14-day sliding lifetime alive ...
        api.clock.advance(timedelta(days=7))
        response = await api.client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
        assert response.status_code == 200
        tokens = response.json()

    api.clock.advance(timedelta(days=2, seconds=1))  # ... but not past 30 days (SKILLBRIDGE_SESSION_MAX_AGE_DAYS)

    response = await api.client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 401
