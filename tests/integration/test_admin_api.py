"""Admins list users and change roles; nobody else does."""

from __future__ import annotations

import pytest

from tests.integration.helpers import Api, admin_headers

pytestmark = pytest.mark.asyncio


async def _admin_headers(api: Api) -> dict[str, str]:
    return await admin_headers(api)


async def test_admin_lists_users_filtered_by_role(api: Api) -> None:
    await api.register("l1@example.org")
    await api.register("m1@example.org", role="mentor")
    admin = await _admin_headers(api)
    everyone = (await api.client.get("/api/v1/admin/users", headers=admin)).json()
    assert everyone["total"] == 3
    mentors = (await api.client.get("/api/v1/admin/users", params={"role": "mentor"}, headers=admin)).json()
    assert [u["email"] for u in mentors["items"]] == ["m1@example.org"]


async def test_admin_changes_a_role_and_it_applies_at_once(api: Api) -> None:
    learner_headers = await api.token_for("grow@example.org")
    me = (await api.client.get("/api/v1/users/me", headers=learner_headers)).json()
    admin = await _admin_headers(api)
    response = await api.client.patch(f"/api/v1/admin/users/{me['id']}", json={"role": "mentor"}, headers=admin)
    assert response.status_code == 200
    assert response.json()["profile"]["mentor_capacity"] == 1
    # The learner's existing token now carries the new role: roles are read per request.
    assert (await api.client.get("/api/v1/users/me", headers=learner_headers)).json()["role"] == "mentor"


async def test_admin_cannot_change_their_own_role(api: Api) -> None:
    admin = await _admin_headers(api)
    me = (await api.client.get("/api/v1/users/me", headers=admin)).json()
    response = await api.client.patch(f"/api/v1/admin/users/{me['id']}", json={"role": "learner"}, headers=admin)
    assert response.status_code == 409
    assert response.json()["field"] == "role"
    # Re-read: still an admin, and still able to do what only admins do.
    assert (await api.client.get("/api/v1/users/me", headers=admin)).json()["role"] == "admin"
    assert (await api.client.get("/api/v1/admin/users", headers=admin)).status_code == 200


async def test_unknown_user_is_404_and_bad_role_422(api: Api) -> None:
    admin = await _admin_headers(api)
    missing = await api.client.patch(
        "/api/v1/admin/users/00000000-0000-4000-8000-000000000000", json={"role": "mentor"}, headers=admin
    )
    assert missing.status_code == 404
    me = (await api.client.get("/api/v1/users/me", headers=admin)).json()
    bad = await api.client.patch(f"/api/v1/admin/users/{me['id']}", json={"role": "owner"}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["field"] == "role"
    assert (await api.client.get("/api/v1/users/me", headers=admin)).json()["role"] == "admin"
