"""Abuse of matching, tried over HTTP on SQLite and PostgreSQL: every attempt fails, every control passes.

Flooding mentors with made-up domains, a second match with one mentor, two requests at once past the
bound, requests to a mentor who blocked the learner, farming badges with a puppet learner, and a stale
cached mentor pool over-filling a mentor.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from skillbridge.adapters.system.clock import MutableClock
from skillbridge.main import Settings
from tests.integration.conftest import ClockProvider
from tests.integration.helpers import Api, later, user_id
from tests.support.apps import build_test_app

pytestmark = pytest.mark.asyncio

MATCHES = "/api/v1/matches"
BLOCKS = f"{MATCHES}/blocks"
NEEDS = {"skills": ["python"], "hours_per_week": 3, "remote_ok": False, "domain": "python"}
NAIROBI = {"location": {"lat": -1.2864, "lon": 36.8172, "city": "Nairobi", "country": "KE"}}


async def _ask(api: Api, headers: dict[str, str], domain: str = "python", **body: Any) -> Any:
    return await api.client.post(MATCHES, json={"learner_needs": {**NEEDS, "domain": domain}, **body}, headers=headers)


async def _patch(api: Api, headers: dict[str, str], match_id: str, **body: Any) -> Any:
    return await api.client.patch(f"{MATCHES}/{match_id}", json=body, headers=headers)


async def _free_mentor_ids(api: Api, headers: dict[str, str]) -> set[str]:
    query = {"has_free_capacity": "true", "limit": 100}
    found = await api.client.get("/api/v1/users/mentors", params=query, headers=headers)
    assert found.status_code == 200, found.text
    return {item["id"] for item in found.json()["items"]}


@asynccontextmanager
async def _api_with(make_settings: Callable[..., Settings], **overrides: Any) -> AsyncIterator[Api]:
    clock = MutableClock()
    settings = make_settings(auth_rate_limit_per_minute=1000, **overrides)
    async with AsyncTestClient(app=build_test_app(settings, ClockProvider(clock))) as client:
        yield Api(client=client, clock=clock, settings=settings)


async def test_made_up_domains_do_not_let_one_learner_lock_a_mentor(api: Api) -> None:
    mentor = await api.token_for("m@example.org", role="mentor")  # capacity 2
    mentor_id = str(await user_id(api, mentor))
    learner = await api.token_for("ada@example.org")

    # The attack: free-text domains, one mentor of capacity 2.
    flood = [await _ask(api, learner, domain) for domain in ("flood-a", "flood-b", "flood-c")]
    assert [response.status_code for response in flood] == [422, 422, 422]
    assert flood[0].json()["field"] == "learner_needs.domain"
    assert {"python", "sql", "general"} <= set(flood[0].json()["allowed"])
    # Real domains: one match with the mentor, the other requests wait instead of taking a second place.
    real = [await _ask(api, learner, domain) for domain in ("python", "sql", "javascript")]
    assert [response.status_code for response in real] == [201, 202, 202]
    assert real[0].json()["mentor_id"] == mentor_id
    assert mentor_id in await _free_mentor_ids(api, learner)  # one place of two is held, the other stays free

    fourth = await _ask(api, learner, "backend")
    assert (fourth.status_code, fourth.json()["field"]) == (409, "learner_needs")
    # Control: cancelling one open request makes room for another.
    cancelled = await _patch(api, learner, real[0].json()["id"], status="cancelled")
    assert cancelled.status_code == 200, cancelled.text
    assert (await _ask(api, learner, "backend")).status_code == 201


async def test_the_open_request_bound_is_a_setting(make_settings: Callable[..., Settings]) -> None:
    async with _api_with(make_settings, match_max_open_requests=1) as api:
        learner = await api.token_for("ada@example.org")
        assert (await _ask(api, learner, "python")).status_code == 202  # control: the first one waits
        assert (await _ask(api, learner, "sql")).status_code == 409


async def test_domains_are_catalog_domains_aliases_or_skills_a_mentor_offers(api: Api) -> None:
    await api.token_for("rust@example.org", role="mentor", skills=["Rust", "python"])
    learner = await api.token_for("ada@example.org")

    alias = await _ask(api, learner, "Py")
    assert alias.status_code == 201, alias.text
    assert alias.json()["learner_needs"]["domain"] == "python"
    skill = await _ask(api, learner, "RUST")
    assert (skill.status_code, skill.json()["learner_needs"]["domain"]) == (202, "rust")
    unknown = await _ask(api, learner, "cobol")
    assert (unknown.status_code, unknown.json()["field"]) == (422, "learner_needs.domain")
    # A learner's own skills are not a source: only what an active mentor offers.
    assert (await _ask(api, learner, "cpp")).status_code == 422


async def test_one_open_match_with_any_one_mentor(api: Api) -> None:
    near = await api.token_for("near@example.org", role="mentor", mentor_capacity=5)
    far = await api.token_for("far@example.org", role="mentor", mentor_capacity=5, **NAIROBI)
    near_id, far_id = str(await user_id(api, near)), str(await user_id(api, far))
    learner = await api.token_for("ada@example.org")

    first = await _ask(api, learner, "python")
    assert (first.status_code, first.json()["mentor_id"]) == (201, near_id)
    again = await _ask(api, learner, "sql", mentor_id=near_id)
    assert (again.status_code, again.json()["field"]) == (409, "mentor_id")
    best = await _ask(api, learner, "sql")  # the nearer mentor would score best, but holds a match already
    assert (best.status_code, best.json()["mentor_id"]) == (201, far_id)
    # Still so once the first match is active.
    assert (await _patch(api, near, first.json()["id"], status="active")).status_code == 200
    assert (await _ask(api, learner, "javascript", mentor_id=near_id)).status_code == 409


async def test_of_two_requests_at_once_past_the_bound_one_is_refused(api: Api) -> None:
    learner = await api.token_for("ada@example.org")
    for domain in ("python", "sql"):
        assert (await _ask(api, learner, domain)).status_code == 202

    results = await asyncio.gather(_ask(api, learner, "javascript"), _ask(api, learner, "backend"))

    assert sorted(response.status_code for response in results) == [202, 409]
    mine = (await api.client.get(f"{MATCHES}/my", params={"status": "waiting"}, headers=learner)).json()
    assert mine["total"] == 3


async def test_a_mentor_blocks_a_learner_who_asked_them(api: Api) -> None:
    mentor = await api.token_for("m@example.org", role="mentor", mentor_capacity=1)
    full = await api.token_for("full@example.org", role="mentor", mentor_capacity=1, **NAIROBI)
    mentor_id, full_id = str(await user_id(api, mentor)), str(await user_id(api, full))
    learner = await api.token_for("ada@example.org")
    learner_id = str(await user_id(api, learner))
    stranger_id = str(await user_id(api, await api.token_for("eve@example.org")))
    pending = (await _ask(api, learner, "python", mentor_id=mentor_id)).json()
    other = await api.token_for("kofi@example.org")
    assert (await _ask(api, other, "python", mentor_id=full_id)).status_code == 201  # now full
    api.clock.advance(timedelta(minutes=1))

    assert (await api.client.post(BLOCKS, json={"learner_id": learner_id}, headers=learner)).status_code == 403
    assert (await api.client.post(BLOCKS, json={"learner_id": stranger_id}, headers=mentor)).status_code == 404
    blocked = await api.client.post(BLOCKS, json={"learner_id": learner_id}, headers=mentor)
    assert blocked.status_code == 201, blocked.text
    assert (await api.client.post(BLOCKS, json={"learner_id": learner_id}, headers=mentor)).status_code == 200
    listed = (await api.client.get(BLOCKS, headers=mentor)).json()
    assert ([item["learner_id"] for item in listed["items"]], listed["total"]) == ([learner_id], 1)

    # The pending request was rejected; its follow-up never goes back to the mentor who blocked.
    mine = (await api.client.get(f"{MATCHES}/my", headers=learner)).json()["items"]
    assert [(item["id"], item["status"]) for item in mine][-1] == (pending["id"], "rejected")
    assert (mine[0]["status"], mine[0]["mentor_id"]) == ("waiting", None)
    # Naming the mentor gets the answer a full mentor gets: the block is not revealed.
    refused = await _ask(api, learner, "sql", mentor_id=mentor_id)
    as_full = await _ask(api, learner, "sql", mentor_id=full_id)
    assert (refused.status_code, as_full.status_code) == (422, 422)
    assert refused.json()["detail"] == as_full.json()["detail"]
    assert (await _ask(api, learner, "sql")).status_code == 202  # the only free mentor blocked them
    recommended = await api.client.get(f"{MATCHES}/recommendations", headers=learner)
    assert recommended.json()["total"] == 0

    assert (await api.client.delete(f"{BLOCKS}/{learner_id}", headers=mentor)).status_code == 204
    assert (await api.client.delete(f"{BLOCKS}/{learner_id}", headers=mentor)).status_code == 404
    assert (await _ask(api, learner, "javascript", mentor_id=mentor_id)).status_code == 201  # control


async def _mentor_once(api: Api, learner: tuple[str, dict[str, str]], mentor: tuple[str, dict[str, str]]) -> None:
    """One mentorship: ask, accept, run 14 days, complete and rate 5."""
    asked = await _ask(api, learner[1], "python", mentor_id=str(await user_id(api, mentor[1])))
    assert asked.status_code == 201, asked.text
    assert (await _patch(api, mentor[1], asked.json()["id"], status="active")).status_code == 200
    await later(api, timedelta(days=14), learner, mentor)
    done = await _patch(api, learner[1], asked.json()["id"], status="completed", rating=5)
    assert done.status_code == 200, done.text


async def _badges(api: Api, headers: dict[str, str]) -> list[str]:
    return [item["type"] for item in (await api.client.get("/api/v1/badges/my", headers=headers)).json()["items"]]


async def test_a_puppet_learner_cannot_farm_mentor_badges(make_settings: Callable[..., Settings]) -> None:
    async with _api_with(make_settings) as api:
        await _farm(api)


async def _farm(api: Api) -> None:
    mentor = ("m@example.org", await api.token_for("m@example.org", role="mentor", mentor_capacity=5))
    puppet = ("puppet@example.org", await api.token_for("puppet@example.org"))

    quick = await _ask(api, puppet[1], "python")
    assert (await _patch(api, mentor[1], quick.json()["id"], status="active")).status_code == 200
    await later(api, timedelta(days=13, hours=23), puppet, mentor)
    assert (await _patch(api, puppet[1], quick.json()["id"], status="completed", rating=5)).status_code == 200
    assert await _badges(api, mentor[1]) == []  # too short to count

    for _ in range(5):
        await _mentor_once(api, puppet, mentor)
    assert await _badges(api, mentor[1]) == ["bronze-mentor"]  # five completions, one learner: Bronze only

    # Control: four more distinct learners make five, and Silver.
    for index in range(4):
        email = f"learner{index}@example.org"
        await _mentor_once(api, (email, await api.token_for(email)), mentor)
    assert await _badges(api, mentor[1]) == ["bronze-mentor", "silver-mentor"]


async def test_a_stale_cached_pool_never_overfills_a_mentor(make_settings: Callable[..., Settings]) -> None:
    async with _api_with(make_settings, match_pool_cache_seconds=60) as api:
        only = await api.token_for("only@example.org", role="mentor", mentor_capacity=1)
        only_id = str(await user_id(api, only))
        ada = await api.token_for("ada@example.org")
        kofi = await api.token_for("kofi@example.org", skills=["python"])  # other skills: another cache key
        same_needs = {"skills": "python", "remote_ok": "false", "hours_per_week": 3}
        seen = (await api.client.get(f"{MATCHES}/recommendations", params=same_needs, headers=ada)).json()
        assert [item["mentor_id"] for item in seen["items"]] == [only_id]  # ada's pool is cached now
        assert (await _ask(api, kofi, "python")).json()["mentor_id"] == only_id  # the last place goes

        late = await _ask(api, ada, "python")

        assert (late.status_code, late.json()["mentor_id"]) == (202, None)
        held = (await api.client.get(f"{MATCHES}/my", params={"status": "pending"}, headers=only)).json()
        assert held["total"] == 1


async def test_the_mentor_pool_is_cached_a_short_while_and_capped(make_settings: Callable[..., Settings]) -> None:
    async with _api_with(make_settings, match_pool_cache_seconds=30, match_pool_size=10) as api:
        for index in range(12):  # sharing one of the learner's three skills; the new mentor shares all three
            await api.token_for(f"m{index}@example.org", role="mentor", skills=["python"])
        learner = await api.token_for("ada@example.org")
        first = (await api.client.get(f"{MATCHES}/recommendations", params={"k": 50}, headers=learner)).json()
        assert first["total"] == 10  # at most the pool's size, whatever k asks

        new = await api.token_for("new@example.org", role="mentor", mentor_capacity=3, weekly_slots=list(range(168)))
        new_id = str(await user_id(api, new))
        cached = (await api.client.get(f"{MATCHES}/recommendations", params={"k": 50}, headers=learner)).json()
        assert new_id not in {item["mentor_id"] for item in cached["items"]}
        api.clock.advance(timedelta(seconds=31))
        fresh = (await api.client.get(f"{MATCHES}/recommendations", params={"k": 50}, headers=learner)).json()
        assert fresh["items"][0]["mentor_id"] == new_id  # every hour in common: the best, now seen
