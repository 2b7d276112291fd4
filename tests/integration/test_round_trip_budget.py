"""A regression guard on the database work of every signed-in GET route, counted, not timed.

Each round trip to PostgreSQL is one call into asyncpg's protocol (a simple query, a prepare, a bind and
execute, ...); a wrapper on every new connection's protocol counts them. A route is called until its
statements are prepared and the caller's principal is cached, then once more, counted. The budgets are
written out here: one statement tags the connection with the acting user, then a route reading one
resource takes one more, and a list two (its page and its total), unless stated.

The tag is skipped when the pooled connection already carries the caller (so a repeated caller often pays
one round trip less); the budgets count it always, as for a connection that last served someone else: the
tags are counted apart (by asyncpg's query logger) and the worst case is the other round trips plus one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event
from sqlalchemy.pool import Pool

from skillbridge.adapters.system.clock import MutableClock
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.main import Settings
from tests.integration.conftest import FAST_HASHING
from tests.integration.helpers import Api, admin_headers, store_mentorship, user_id
from tests.support.apps import build_test_app
from tests.support.databases import app_role_url, postgres_database

pytestmark = pytest.mark.postgres

# Protocol calls that each send a message ending in Sync and wait for the answer: one round trip each.
_ROUND_TRIPS = frozenset(
    {"query", "prepare", "bind_execute", "bind_execute_many", "bind", "execute", "close_statement"}
)

#: GET route -> the most round trips one call may take (the tag included).
BUDGETS: dict[str, int] = {
    "/api/v1/users/me": 2,
    "/api/v1/users/me/consents": 3,  # the account (its accepted version), its consents
    "/api/v1/users/mentors?skills=python&limit=20": 2,
    # From a point, the order is by distance to each mentor's keyed public point, which SQL cannot compute:
    # the candidates' stored points, then the page's rows (the total counts the candidates that pass).
    "/api/v1/users/mentors?skills=python&lat=6.5&lon=3.4&within_km=50": 3,
    # A place by name is resolved in memory (the gazetteer): the same trips as from coordinates.
    "/api/v1/users/mentors?skills=python&near=Lagos,%20NG&within_km=50": 3,
    "/api/v1/roadmaps/my": 3,
    "/api/v1/roadmaps/{roadmap}": 2,
    "/api/v1/roadmaps/{roadmap}/versions": 4,  # the roadmap (who may read), the page, its total
    "/api/v1/progress/{roadmap}": 5,  # the roadmap, the timeline page, its total, the weeks for streaks
    "/api/v1/matches/my": 3,
    "/api/v1/matches/recommendations": 4,  # the learner, their open requests, the candidate mentors
    "/api/v1/matches/{match}": 2,
    "/api/v1/matches/{match}/chat": 3,  # the match (who may read), then the page
    "/api/v1/matches/{match}/schedule.ics": 2,
    "/api/v1/notifications/my": 3,  # the page with its total, then the unread count
    "/api/v1/forum/posts": 3,
    "/api/v1/forum/posts/{post}": 4,  # the post, then its replies and their authors
    "/api/v1/badges/my": 2,
    "/api/v1/auth/sessions": 2,
    "/api/v1/users/me/notification-preferences": 2,
    # Rate-limited and rare: BEGIN, the account, each section (a page and its total where paged; per roadmap
    # its versions and events, per mentorship its chat), the deleted roadmaps, the consents, the two-factor
    # state, the notification settings, the audit entry, COMMIT; grows with what one owns.
    "/api/v1/users/me/export": 22,
    "/api/v1/badges": 0,
    "/api/v1/domains": 0,
    "/api/v1/places?q=Lag&country=NG": 0,
}
#: The same for the mentors' routes, called by the mentor.
MENTOR_BUDGETS: dict[str, int] = {"/api/v1/matches/blocks": 3}
#: The same for the admins' routes, called by an admin.
ADMIN_BUDGETS: dict[str, int] = {
    "/api/v1/admin/users": 3,
    "/api/v1/admin/jobs/failed": 3,
    # The tag (with its audit entry), the page with its total; the total of an empty page is asked apart.
    "/api/v1/admin/audit?action=badge.awarded": 3,
    "/api/v1/matches/rounds/{round}": 2,  # the tag (an admin acts for the system), the round
}


class _CountingProtocol:
    """Stands in for an asyncpg protocol and counts the calls that go to the server."""

    def __init__(self, protocol: Any, counter: list[int]) -> None:
        self._protocol = protocol
        self._counter = counter

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._protocol, name)
        if name in _ROUND_TRIPS:
            self._counter[0] += 1
        return attribute


@contextmanager
def counting_round_trips() -> Iterator[list[int]]:
    """``[round trips, of which tags]`` of every connection made meanwhile."""
    counter = [0, 0]

    def count_tag(query: Any) -> None:
        if "set_config('skillbridge.user_id'" in query.query:
            counter[1] += 1

    def wrap(dbapi_connection: Any, _record: Any) -> None:
        driver = dbapi_connection.driver_connection
        driver._protocol = _CountingProtocol(driver._protocol, counter)
        driver.add_query_logger(count_tag)

    event.listen(Pool, "connect", wrap)
    try:
        yield counter
    finally:
        event.remove(Pool, "connect", wrap)


async def _world(api: Api) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """A learner with a roadmap, an active mentorship, a thread with a reply and a notification."""
    learner = await api.token_for("ada@example.org", display_name="Ada")
    mentor = await api.token_for("kwame@example.org", role="mentor", display_name="Kwame")
    roadmap = await api.client.post(
        "/api/v1/roadmaps",
        json={"domain": "Python", "skill_level": "beginner", "time_availability": 6},
        headers=learner,
    )
    assert roadmap.status_code == 201, roadmap.text
    await store_mentorship(api, await user_id(api, learner), await user_id(api, mentor), MatchStatus.ACTIVE)
    match = (await api.client.get("/api/v1/matches/my", headers=learner)).json()["items"][0]
    thread = await api.client.post(
        "/api/v1/forum/posts",
        json={"category": "python", "title": "Loops", "content": "<p>for or while?</p>"},
        headers=learner,
    )
    post = thread.json()
    reply = {"parent_id": post["id"], "content": "<p>for</p>"}
    assert (await api.client.post("/api/v1/forum/posts", json=reply, headers=mentor)).status_code == 201
    chat = await api.client.post(f"/api/v1/matches/{match['id']}/chat", json={"content": "hi"}, headers=mentor)
    assert chat.status_code == 201, chat.text
    ids = {"roadmap": roadmap.json()["id"], "match": match["id"], "post": post["id"]}
    return learner, mentor, ids


async def _round_trips(client: AsyncTestClient[Litestar], url: str, headers: dict[str, str], counter: list[int]) -> int:
    for _ in range(2):  # prepared statements and the cached principal, as in steady traffic
        assert (await client.get(url, headers=headers)).status_code == 200, url
    before, tags_before = counter
    response = await client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.text)
    spent, tags = counter[0] - before, counter[1] - tags_before
    if spent == 0:
        return 0  # a route that never touched the database
    return spent - tags + 1  # the worst case: the connection last served someone else and needs the tag


async def test_every_signed_in_get_route_stays_within_its_round_trip_budget(migrated_postgres_name: str) -> None:
    with counting_round_trips() as counter:
        async with postgres_database(template=migrated_postgres_name) as url:
            settings = Settings(
                database_url=await app_role_url(url),  # bound by row-level security, as in production
                migration_database_url=url,
                log_json=True,
                rate_limit_per_minute=10_000,
                exports_per_hour=10_000,
                **FAST_HASHING,
            )
            async with AsyncTestClient(app=build_test_app(settings)) as client:
                api = Api(client=client, clock=MutableClock(), settings=settings)
                headers, mentor, ids = await _world(api)
                assert counter[0] > 0  # positive control: the counter sees the app's round trips
                admin = await admin_headers(api)
                matching_round = await client.post("/api/v1/matches/rounds", json={}, headers=admin)
                assert matching_round.status_code == 200, matching_round.text
                ids["round"] = matching_round.json()["round_id"]
                spent = {}
                for route in BUDGETS:
                    spent[route] = await _round_trips(client, route.format(**ids), headers, counter)
                for route in MENTOR_BUDGETS:
                    spent[route] = await _round_trips(client, route, mentor, counter)
                for route in ADMIN_BUDGETS:
                    spent[route] = await _round_trips(client, route.format(**ids), admin, counter)
    over = {
        route: (spent[route], budget)
        for route, budget in (BUDGETS | MENTOR_BUDGETS | ADMIN_BUDGETS).items()
        if spent[route] > budget
    }
    print(f"round trips per route: {spent}")
    assert not over, f"over budget (spent, budget): {over}; all: {spent}"
    assert spent["/api/v1/users/me"] == 2, spent  # the counter is exact, not merely under a ceiling
    assert counter[1] > 0  # positive control: the tag is seen where it is sent


def test_the_budget_table_lists_every_signed_in_get_route() -> None:
    app = build_test_app(Settings(database_url="memory://", log_level="WARNING"))
    document = app.openapi_schema.to_schema()
    gets = {path for path, ops in document["paths"].items() if "get" in ops and path.startswith("/api/v1/")}
    public_elsewhere = {"/api/v1/auth/github/login", "/api/v1/auth/github/callback"}
    listed = {
        route.split("?")[0]
        .replace("{roadmap}", "{roadmap_id}")
        .replace("{match}", "{match_id}")
        .replace("{post}", "{post_id}")
        .replace("{round}", "{round_id}")
        for route in BUDGETS | MENTOR_BUDGETS | ADMIN_BUDGETS
    }
    assert gets - public_elsewhere == listed
