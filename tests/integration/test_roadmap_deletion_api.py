"""Deleting a roadmap with a 30-day undo: shown nowhere meanwhile, restored only by its owner in time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from skillbridge.domain.matching.mentorship import MatchStatus
from tests.integration.helpers import Api, later, store_mentorship, user_id

ROADMAP = {"domain": "Python", "skill_level": "beginner", "time_availability": 6}


async def _roadmap(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    response = await api.client.post("/api/v1/roadmaps", json=ROADMAP, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _total(api: Api, headers: dict[str, str]) -> int:
    total: int = (await api.client.get("/api/v1/roadmaps/my", headers=headers)).json()["total"]
    return total


async def test_a_deleted_roadmap_is_shown_nowhere_but_in_the_export(api: Api) -> None:
    ada = await api.token_for("ada@example.org")
    roadmap = await _roadmap(api, ada)
    url = f"/api/v1/roadmaps/{roadmap['id']}"
    assert await _total(api, ada) == 1  # control

    response = await api.client.delete(url, headers=ada)

    assert response.status_code == 204, response.text
    assert await _total(api, ada) == 0
    assert (await api.client.get(url, headers=ada)).status_code == 404
    assert (await api.client.get(f"{url}/versions", headers=ada)).status_code == 404
    assert (await api.client.get(f"/api/v1/progress/{roadmap['id']}", headers=ada)).status_code == 404
    completion = {"completed": {roadmap["modules"][0]["id"]: True}}
    assert (await api.client.patch(url, json=completion, headers=ada)).status_code == 404
    assert (await api.client.delete(url, headers=ada)).status_code == 404  # deleting again: it is not there
    export = (await api.client.get("/api/v1/users/me/export", headers=ada)).json()
    assert export["roadmaps"] == []
    assert [(r["id"], r["deleted_at"] is not None) for r in export["deleted_roadmaps"]] == [(roadmap["id"], True)]


async def test_only_the_owner_deletes_and_restores(api: Api) -> None:
    ada = await api.token_for("ada@example.org")
    ben = await api.token_for("ben@example.org")
    kwame = await api.token_for("kwame@example.org", role="mentor")
    await store_mentorship(api, await user_id(api, ada), await user_id(api, kwame), MatchStatus.ACTIVE, domain="python")
    roadmap = await _roadmap(api, ada)
    url = f"/api/v1/roadmaps/{roadmap['id']}"

    assert (await api.client.delete(url, headers=ben)).status_code == 404  # a stranger: it does not exist
    assert (await api.client.delete(url, headers=kwame)).status_code == 403  # her mentor reads it, no more
    assert (await api.client.get(url, headers=ada)).status_code == 200  # nothing happened
    assert (await api.client.delete(url, headers=ada)).status_code == 204
    assert (await api.client.get(url, headers=kwame)).status_code == 404  # hidden from her mentor too
    assert (await api.client.post(f"{url}/restore", headers=ben)).status_code == 404
    assert (await api.client.post(f"{url}/restore", headers=kwame)).status_code == 404
    assert (await api.client.get(url, headers=ada)).status_code == 404  # still deleted


async def test_a_roadmap_is_restored_within_30_days_and_not_after(api: Api) -> None:
    ada = await api.token_for("ada@example.org")
    kept, lost = await _roadmap(api, ada), await _roadmap(api, ada)
    assert (await api.client.post(f"/api/v1/roadmaps/{kept['id']}/restore", headers=ada)).status_code == 404
    for roadmap in (kept, lost):
        assert (await api.client.delete(f"/api/v1/roadmaps/{roadmap['id']}", headers=ada)).status_code == 204

    await later(api, timedelta(days=30), ("ada@example.org", ada))
    restored = await api.client.post(f"/api/v1/roadmaps/{kept['id']}/restore", headers=ada)
    await later(api, timedelta(seconds=1), ("ada@example.org", ada))
    too_late = await api.client.post(f"/api/v1/roadmaps/{lost['id']}/restore", headers=ada)

    assert restored.status_code == 200, restored.text
    assert (restored.json()["id"], restored.json()["modules"]) == (kept["id"], kept["modules"])
    assert too_late.status_code == 404
    assert [r["id"] for r in (await api.client.get("/api/v1/roadmaps/my", headers=ada)).json()["items"]] == [kept["id"]]
