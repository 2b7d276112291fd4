"""POST and GET /api/v1/matches/rounds over HTTP, on SQLite and PostgreSQL: admins only, small rounds answered
at once (200, as before), large ones run as a job (202 and a Location to poll), one open round per domain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import pytest

from skillbridge.adapters.persistence.sqlalchemy import create_engine
from skillbridge.domain.matching.round_runs import EVERY_DOMAIN, MatchingRound, RoundStatus
from skillbridge.main import Settings
from tests.integration.helpers import Api, admin_headers, api_with
from tests.support.entities import T0
from tests.support.units import system_unit

pytestmark = pytest.mark.asyncio

ROUNDS = "/api/v1/matches/rounds"
NEEDS = {"skills": ["python"], "hours_per_week": 3, "remote_ok": False, "domain": "python"}


async def _waiting_learners(api: Api, count: int) -> list[dict[str, str]]:
    """``count`` learners, each with a request waiting in "python" (no mentor exists yet)."""
    learners = []
    for i in range(count):
        headers = await api.token_for(f"learner{i}@example.org")
        asked = await api.client.post("/api/v1/matches", json={"learner_needs": NEEDS}, headers=headers)
        assert asked.status_code == 202, asked.text
        learners.append(headers)
    return learners


async def _store_round(api: Api, matching_round: MatchingRound) -> None:
    engine = create_engine(api.settings.schema_owner_url)
    try:
        async with system_unit(engine) as uow:
            await uow.matching_rounds.add(matching_round)
            await uow.commit()
    finally:
        await engine.dispose()


async def test_only_admins_start_and_read_rounds(api: Api) -> None:
    learner = await api.token_for("ada@example.org")
    mentor = await api.token_for("m@example.org", role="mentor")
    admin = await admin_headers(api)
    started = await api.client.post(ROUNDS, json={}, headers=admin)
    assert started.status_code == 200, started.text  # control: the admin may
    one = f"{ROUNDS}/{started.json()['round_id']}"
    assert (await api.client.get(one, headers=admin)).status_code == 200

    for headers in (learner, mentor):
        assert (await api.client.post(ROUNDS, json={}, headers=headers)).status_code == 403
        assert (await api.client.get(one, headers=headers)).status_code == 403
    assert (await api.client.post(ROUNDS, json={})).status_code == 401
    assert (await api.client.get(one)).status_code == 401
    assert (await api.client.get(f"{ROUNDS}/{uuid4()}", headers=admin)).status_code == 404
    bad = await api.client.post(ROUNDS, json={"domain": "!!"}, headers=admin)
    assert (bad.status_code, bad.json()["field"]) == (422, "domain")


async def test_a_small_round_answers_at_once_with_its_summary_and_a_record(api: Api) -> None:
    await _waiting_learners(api, 2)
    await api.token_for("m@example.org", role="mentor", mentor_capacity=1)
    admin = await admin_headers(api)

    response = await api.client.post(ROUNDS, json={"domain": "Python"}, headers=admin)

    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["assigned_count"], summary["unassigned_count"]) == (1, 1)
    record = (await api.client.get(f"{ROUNDS}/{summary['round_id']}", headers=admin)).json()
    assert (record["status"], record["domain"], record["algorithm"]) == ("done", "python", "optimal")
    assert record["progress"] == {"requests_considered": 2, "matches_stored": 1, "batches_written": 1}
    assert record["result"]["unassigned_by_reason"] == {"places_taken_by_better_matches": 1}
    assert record["result"]["total_score"] == pytest.approx(summary["total_score"])
    assert record["error"] is None


async def test_a_large_round_runs_as_a_job_and_is_polled_at_its_location(
    make_settings: Callable[..., Settings],
) -> None:
    async with api_with(make_settings, match_round_inline_max_requests=2, match_round_batch_size=1) as api:
        learners = await _waiting_learners(api, 3)
        await api.token_for("m@example.org", role="mentor", mentor_capacity=2)
        admin = await admin_headers(api)

        response = await api.client.post(ROUNDS, json={"domain": "python", "algorithm": "greedy"}, headers=admin)

        assert response.status_code == 202, response.text
        location = response.headers["location"]
        assert location == f"{ROUNDS}/{response.json()['id']}"
        polled = await api.client.get(location, headers=admin)
        assert polled.status_code == 200
        record: dict[str, Any] = polled.json()
        # The embedded queue runs the job in process, so it is done by now; a worker's would be queued or running.
        assert (record["status"], record["algorithm"]) == ("done", "greedy")
        assert record["progress"] == {"requests_considered": 3, "matches_stored": 2, "batches_written": 2}
        assert record["result"]["unassigned_by_reason"] == {"places_taken_by_better_matches": 1}
        assert record["result"]["left_waiting"] == 0
        assert record["started_at"] is not None and record["finished_at"] is not None
        assert record["elapsed_ms"] == 0.0  # on the test's clock, which did not move
        statuses = []
        for headers in learners:
            mine = (await api.client.get("/api/v1/matches/my", headers=headers)).json()["items"]
            statuses.append(mine[0]["status"])
        assert sorted(statuses) == ["pending", "pending", "waiting"]


async def test_one_round_at_a_time_per_domain(api: Api) -> None:
    admin = await admin_headers(api)
    running = MatchingRound(
        scope="python", algorithm="optimal", requested_by=None, created_at=T0, status=RoundStatus.RUNNING
    )
    await _store_round(api, running)

    for body in ({"domain": "python"}, {}):  # the same domain, and every domain (which holds it too)
        refused = await api.client.post(ROUNDS, json=body, headers=admin)
        assert refused.status_code == 409, (body, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert UUID(refused.json()["round_id"]) == running.id
    other = await api.client.post(ROUNDS, json={"domain": "design"}, headers=admin)
    assert other.status_code == 200, other.text  # control: another domain is free

    every = MatchingRound(scope=EVERY_DOMAIN, algorithm="optimal", requested_by=None, created_at=T0)
    await _store_round(api, every)
    refused = await api.client.post(ROUNDS, json={"domain": "design"}, headers=admin)
    assert (refused.status_code, refused.json()["round_id"]) == (409, str(every.id))
