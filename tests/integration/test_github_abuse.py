"""Abuse of the GitHub integration, tried over HTTP and refused: unsigned or forged webhook deliveries (refused
before their body is read, then throttled per address), spending the shared GitHub token by linking again and
again, claiming someone else's GitHub name, and backdating commits into a streak."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from skillbridge.adapters.system.clock import MutableClock
from skillbridge.main import Settings
from tests.integration.conftest import ClockProvider
from tests.integration.helpers import Api
from tests.integration.test_github_api import (
    KOFI_ID,
    NOW,
    REPO,
    WEBHOOK,
    _deliver,
    _github_learner,
    _linked_learner,
    _roadmap,
    _seed_repository,
    github,  # noqa: F401 - the fixture
    github_settings,
)
from tests.support.apps import build_test_app
from tests.support.github_payloads import PUSHER_ID, delivery_headers, ping_payload, push_payload
from tests.support.github_server import FakeGithub, api_commit

pytestmark = pytest.mark.asyncio

MAX_FAILURES = 3
WINDOW = 600
LINKS_PER_HOUR = 2


@pytest.fixture
async def api(make_settings: Callable[..., Settings], github: FakeGithub) -> AsyncIterator[Api]:  # noqa: F811
    clock = MutableClock(NOW)
    settings = github_settings(
        make_settings,
        github,
        webhook_max_failures_per_address=MAX_FAILURES,
        webhook_failure_window_seconds=WINDOW,
        github_links_per_user_per_hour=LINKS_PER_HOUR,
    )
    async with AsyncTestClient(app=build_test_app(settings, ClockProvider(clock))) as client:
        yield Api(client=client, clock=clock, settings=settings)


class RawDelivery:
    """One POST to the webhook straight through the ASGI interface, counting how often the app pulls body."""

    def __init__(self, headers: dict[str, str], body: bytes, *, address: str, declared_length: int | None = None):
        self.headers = [(k.lower().encode(), v.encode()) for k, v in headers.items() if k.lower() != "content-length"]
        self.headers.append((b"content-length", str(declared_length or len(body)).encode()))
        self.body = body
        self.address = address
        self.receive_calls = 0
        self.status = 0
        self.response_headers: dict[str, str] = {}
        self.response_body = b""

    async def send_to(self, app: Litestar) -> RawDelivery:
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": WEBHOOK,
            "raw_path": WEBHOOK.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": self.headers,
            "client": (self.address, 40000),
            "server": ("testserver", 80),
        }

        async def receive() -> dict[str, Any]:
            self.receive_calls += 1
            return {"type": "http.request", "body": self.body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
                self.response_headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
            elif message["type"] == "http.response.body":
                self.response_body += message.get("body", b"")

        await app(scope, receive, send)  # type: ignore[arg-type]
        return self


def _app(api: Api) -> Litestar:
    app: Litestar = api.client.app  # type: ignore[assignment]
    return app


PING = json.dumps(ping_payload()).encode()


@pytest.mark.parametrize("signature", [None, "sha256=short", "sha1=" + "0" * 40, "not a signature"])
async def test_an_unsigned_or_malformed_delivery_is_401_before_its_body_is_read(
    api: Api, signature: str | None
) -> None:
    headers = delivery_headers(PING, "ping")
    del headers["X-Hub-Signature-256"]
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    big = b"x" * (2 * 1024 * 1024)  # over the general 1 MiB limit, and declared as 30 MB
    refused = await RawDelivery(headers, big, address="203.0.113.5", declared_length=30_000_000).send_to(_app(api))
    assert refused.status == 401
    assert refused.receive_calls == 0
    # Positive control: a signed delivery is read.
    signed = await RawDelivery(delivery_headers(PING, "ping"), PING, address="203.0.113.6").send_to(_app(api))
    assert signed.status == 200, signed.response_body
    assert signed.receive_calls >= 1


async def test_refused_deliveries_are_throttled_per_address_before_the_body_is_read(api: Api) -> None:
    forged = delivery_headers(PING, "ping", secret="guessed-secret")
    for _ in range(MAX_FAILURES):
        assert (await RawDelivery(forged, PING, address="203.0.113.7").send_to(_app(api))).status == 401
    throttled = await RawDelivery(delivery_headers(PING, "ping"), PING, address="203.0.113.7").send_to(_app(api))
    assert throttled.status == 429  # even a correct delivery, once the address has failed too often
    assert 0 < int(throttled.response_headers["retry-after"]) <= WINDOW
    assert throttled.receive_calls == 0
    unsigned = {k: v for k, v in forged.items() if k != "X-Hub-Signature-256"}
    assert (await RawDelivery(unsigned, PING, address="203.0.113.7").send_to(_app(api))).status == 429
    # Another address (GitHub's own) still gets through.
    other = await RawDelivery(delivery_headers(PING, "ping"), PING, address="203.0.113.8").send_to(_app(api))
    assert other.status == 200


async def test_a_signed_delivery_may_be_25_mb_but_an_unsigned_one_of_2_mb_is_never_read(api: Api) -> None:
    body = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    headers = delivery_headers(body, "ping")
    signed = await RawDelivery(headers, body, address="203.0.113.9").send_to(_app(api))
    assert signed.status == 200  # over the general 1 MiB limit: accepted because it is signed
    del headers["X-Hub-Signature-256"]
    unsigned = await RawDelivery(headers, body, address="203.0.113.9").send_to(_app(api))
    assert (unsigned.status, unsigned.receive_calls) == (401, 0)


# ------------------------------------------------------------------------------------------------ GitHub quota


async def test_a_user_who_links_again_and_again_gets_429_and_github_is_not_asked(
    api: Api,
    github: FakeGithub,  # noqa: F811
) -> None:
    headers, roadmap = await _linked_learner(api, github)  # the first link of the hour
    path = f"/api/v1/roadmaps/{roadmap['id']}/repository"
    assert (await api.client.post(path, json={"full_name": REPO}, headers=headers)).status_code == 200
    seen = len(github.requests)
    over = await api.client.post(path, json={"full_name": REPO}, headers=headers)
    assert over.status_code == 429
    assert 0 < int(over.headers["retry-after"]) <= 3600
    assert len(github.requests) == seen  # no call spent on the shared token
    # Another user has their own budget.
    github.add_repo("kofi/own", commits=[api_commit("e" * 40, "x", login="kofi", author_id=KOFI_ID, date=NOW)])
    kofi = await _github_learner(api, github, github_id=KOFI_ID, login="kofi")
    theirs = await _roadmap(api, kofi)
    linked = await api.client.post(
        f"/api/v1/roadmaps/{theirs['id']}/repository", json={"full_name": "kofi/own"}, headers=kofi
    )
    assert linked.status_code == 200, linked.text
    assert len(github.requests) > seen


# ------------------------------------------------------------------------------------------------ identity


async def test_claiming_someone_elses_github_name_links_nothing(api: Api, github: FakeGithub) -> None:  # noqa: F811
    _seed_repository(github)  # amara-dev's repository (owner id PUSHER_ID)
    mallory = await _github_learner(api, github, github_id=666, login="mallory")
    patched = await api.client.patch("/api/v1/users/me", json={"github_username": "amara-dev"}, headers=mallory)
    assert patched.status_code == 200, patched.text
    roadmap = await _roadmap(api, mallory)
    response = await api.client.post(
        f"/api/v1/roadmaps/{roadmap['id']}/repository", json={"full_name": REPO}, headers=mallory
    )
    assert (response.status_code, response.json()["field"]) == (422, "full_name")
    # Positive control: the real owner, proven by GitHub login, links it.
    amara = await _github_learner(api, github)
    own = await _roadmap(api, amara)
    linked = await api.client.post(f"/api/v1/roadmaps/{own['id']}/repository", json={"full_name": REPO}, headers=amara)
    assert linked.status_code == 200


async def test_done_tags_pushed_by_someone_else_in_the_learners_name_count_for_nothing(
    api: Api,
    github: FakeGithub,  # noqa: F811
) -> None:
    headers, roadmap = await _linked_learner(api, github)
    spoofed = push_payload(REPO)
    spoofed["sender"] = {"login": "kofi", "id": KOFI_ID, "type": "User"}  # kofi pushes commits "by" amara-dev
    assert (await _deliver(api, "push", spoofed)).json()["status"] == "queued"
    progress = (await api.client.get(f"/api/v1/progress/{roadmap['id']}", headers=headers)).json()
    assert [m["id"] for m in progress["completed_modules"]] == ["m2"]  # from the link only
    assert sum(e["event_type"] == "commit" for e in progress["timeline"]["items"]) == 4  # still activity
    # Positive control: the same commits pushed by amara-dev herself (fresh SHAs) complete m1.
    genuine = push_payload(REPO, messages=["Finish the first exercises\n\ndone: m1"])
    assert genuine["sender"]["id"] == PUSHER_ID
    assert (await _deliver(api, "push", genuine)).json()["status"] == "queued"
    progress = (await api.client.get(f"/api/v1/progress/{roadmap['id']}", headers=headers)).json()
    assert [m["id"] for m in progress["completed_modules"]] == ["m1", "m2"]


# ------------------------------------------------------------------------------------------------ backdating


async def test_backdated_commits_do_not_make_a_streak(api: Api, github: FakeGithub) -> None:  # noqa: F811
    weekly = [
        api_commit(
            f"{week:040x}", f"week {week}", login="amara-dev", author_id=PUSHER_ID, date=NOW - timedelta(weeks=week)
        )
        for week in range(1, 30)
    ]
    github.add_repo(REPO, commits=weekly, owner_id=PUSHER_ID)
    headers = await _github_learner(api, github)
    roadmap = await _roadmap(api, headers)
    path = f"/api/v1/roadmaps/{roadmap['id']}/repository"
    assert (await api.client.post(path, json={"full_name": REPO}, headers=headers)).json()["commits_logged"] == 29
    old = push_payload(REPO, messages=["from 2020"])
    old["commits"][0]["timestamp"] = "2020-01-06T10:00:00Z"
    assert (await _deliver(api, "push", old)).status_code == 202
    report = await api.client.get(f"/api/v1/progress/{roadmap['id']}", headers=headers)
    assert report.status_code == 200, report.text
    streaks = (await api.client.get(f"/api/v1/progress/{roadmap['id']}", headers=headers)).json()["streaks"]
    assert (streaks["current_weeks"], streaks["longest_weeks"]) == (1, 1)
    # Positive control: a push received a week later is a second week.
    api.clock.advance(timedelta(weeks=1))
    await _deliver(api, "push", push_payload(REPO, messages=["next week"]))
    headers = await _github_learner(api, github)  # the same account signs in again: its token had expired
    streaks = (await api.client.get(f"/api/v1/progress/{roadmap['id']}", headers=headers)).json()["streaks"]
    assert (streaks["current_weeks"], streaks["longest_weeks"]) == (2, 2)
