"""Badges through the HTTP API, on SQLite and PostgreSQL: earned automatically once, listed, awarded by
admins only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.integration.helpers import Api, admin_headers, later

pytestmark = pytest.mark.asyncio

NEEDS = {"skills": ["python"], "hours_per_week": 3, "domain": "python"}


async def _me(api: Api, headers: dict[str, str]) -> str:
    body: dict[str, Any] = (await api.client.get("/api/v1/users/me", headers=headers)).json()
    return str(body["id"])


async def _badges(api: Api, headers: dict[str, str]) -> list[str]:
    response = await api.client.get("/api/v1/badges/my", headers=headers)
    assert response.status_code == 200, response.text
    return [item["type"] for item in response.json()["items"]]


async def _complete(api: Api, learner: dict[str, str], mentor: dict[str, str], domain: str, rating: int) -> None:
    match = (
        await api.client.post("/api/v1/matches", json={"learner_needs": {**NEEDS, "domain": domain}}, headers=learner)
    ).json()
    assert (
        await api.client.patch(f"/api/v1/matches/{match['id']}", json={"status": "active"}, headers=mentor)
    ).status_code == 200
    # The shortest mentorship that counts for badges.
    await later(api, timedelta(days=14), ("ada@example.org", learner), ("m@example.org", mentor))
    done = await api.client.patch(
        f"/api/v1/matches/{match['id']}", json={"status": "completed", "rating": rating}, headers=learner
    )
    assert done.status_code == 200, done.text


async def test_a_mentor_earns_bronze_once_for_a_well_rated_completion(api: Api) -> None:
    mentor = await api.token_for("m@example.org", role="mentor", mentor_capacity=5)
    learner = await api.token_for("ada@example.org")
    rules = (await api.client.get("/api/v1/badges")).json()
    assert {"bronze-mentor", "silver-mentor", "gold-mentor"} <= {rule["type"] for rule in rules["items"]}

    await _complete(api, learner, mentor, "python", rating=3)
    assert await _badges(api, mentor) == []  # average 3 < 4
    await _complete(api, learner, mentor, "sql", rating=5)
    assert await _badges(api, mentor) == ["bronze-mentor"]  # average 4
    await _complete(api, learner, mentor, "ml", rating=5)
    assert await _badges(api, mentor) == ["bronze-mentor"]  # once
    badge = (await api.client.get("/api/v1/badges/my", headers=mentor)).json()["items"][0]
    assert (badge["name"], badge["awarded_by"]) == ("Bronze Mentor", None)
    assert await _badges(api, learner) == []


async def test_a_learner_earns_a_badge_for_finishing_a_roadmap(api: Api) -> None:
    learner = await api.token_for("ada@example.org")
    roadmap = (
        await api.client.post(
            "/api/v1/roadmaps",
            json={"domain": "sql", "skill_level": "advanced", "time_availability": 5},
            headers=learner,
        )
    ).json()
    modules = [module["id"] for module in roadmap["modules"]]
    half = await api.client.patch(
        f"/api/v1/roadmaps/{roadmap['id']}", json={"completed": {modules[0]: True}}, headers=learner
    )
    assert half.status_code == 200
    assert await _badges(api, learner) == [] or len(modules) == 1
    done = await api.client.patch(
        f"/api/v1/roadmaps/{roadmap['id']}", json={"completed": dict.fromkeys(modules, True)}, headers=learner
    )
    assert done.json()["progress"] == 100
    assert await _badges(api, learner) == ["first-roadmap"]


async def test_only_admins_award_badges_once_per_user_and_type(api: Api) -> None:
    learner = await api.token_for("ada@example.org")
    mentor = await api.token_for("m@example.org", role="mentor")
    admin = await admin_headers(api)
    ada = await _me(api, learner)
    body = {"user_id": ada, "type": "Community-Hero", "reason": "Answered 100 forum questions"}

    for who in (learner, mentor):
        assert (await api.client.post("/api/v1/badges/award", json=body, headers=who)).status_code == 403
    assert (await api.client.post("/api/v1/badges/award", json=body)).status_code == 401
    given = await api.client.post("/api/v1/badges/award", json=body, headers=admin)
    assert given.status_code == 201, given.text
    assert (given.json()["type"], given.json()["name"]) == ("community-hero", "Community Hero")
    assert given.json()["criteria"]["reason"] == "Answered 100 forum questions"
    assert given.json()["awarded_by"] == await _me(api, admin)
    assert (await api.client.post("/api/v1/badges/award", json=body, headers=admin)).status_code == 409
    assert await _badges(api, learner) == ["community-hero"]

    nobody = await api.client.post(
        "/api/v1/badges/award", json={**body, "user_id": "00000000-0000-4000-8000-000000000000"}, headers=admin
    )
    assert nobody.status_code == 404
    bad = await api.client.post("/api/v1/badges/award", json={**body, "type": "no spaces!"}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["field"] == "type"
