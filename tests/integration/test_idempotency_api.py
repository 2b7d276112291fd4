"""Safe retries (``Idempotency-Key``) on SQLite and PostgreSQL, with the in-memory store and with Redis:
a retry gets the stored answer and runs nothing; another body, another user, no token, a bad key, an
answer that must not be kept and two requests racing with one key are each tried."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any, cast
from uuid import uuid4

import httpx
import pytest
from dishka import Provider, Scope, provide
from litestar import Litestar
from litestar.testing import AsyncTestClient

from skillbridge.adapters.keyvalue.memory import MemoryKeyValueStore
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.main import Settings
from tests.integration.helpers import Api, ClockProvider, register_body
from tests.support.apps import build_test_app
from tests.support.databases import redis_url_or_skip
from tests.support.openai_server import FakeOpenAI, Reply, completion, error, fake_openai

pytestmark = pytest.mark.asyncio

POSTS = "/api/v1/forum/posts"
THREAD = {"category": "Python", "title": "Reading CSV files", "content": "<p>How do I read a CSV?</p>"}
ROADMAPS = "/api/v1/roadmaps"
# A domain the offline catalog does not cover: only OpenAI can make it (so a failure of OpenAI is a 503).
AI_ROADMAP = {"domain": "Rust programming", "skill_level": "intermediate", "time_availability": 6}
MODULES = [
    {
        "title": f"Part {n}",
        "summary": "s",
        "level": "intermediate",
        "estimated_hours": 4,
        "resources": [
            {
                "title": "r",
                "url": f"https://docs.example.org/{n}",
                "type": "docs",
                "estimated_hours": 1,
                "language": "en",
                "low_bandwidth": True,
            }
        ],
    }
    for n in range(3)
]
POLL_LIMIT_SECONDS = 20.0


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid4())}


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def store_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings that put the idempotency keys in memory, or in Redis (under a prefix of this test's own)."""
    if request.param == "memory":
        return {}
    return {
        "redis_url": await redis_url_or_skip(),
        "redis_key_prefix": f"t-{uuid4().hex}:",
        "jobs_broker": "in-process",  # the verification mail is sent in this process
    }


@asynccontextmanager
async def _api(make_settings: Callable[..., Settings], *providers: Provider, **overrides: Any) -> AsyncIterator[Api]:
    """The API over httpx's ASGI transport, in this test's event loop: unlike Litestar's test client, which
    runs each request to its end in a thread of its own, requests sent together here really overlap."""
    clock = MutableClock()
    settings = make_settings(**overrides)
    app = build_test_app(settings, ClockProvider(clock), *providers)
    transport = httpx.ASGITransport(app=app)
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        yield Api(client=cast(AsyncTestClient[Litestar], client), clock=clock, settings=settings)


@pytest.fixture
async def api(make_settings: Callable[..., Settings], store_settings: dict[str, Any]) -> AsyncIterator[Api]:
    """The API through Litestar's test client (one request at a time; see :func:`_api` for overlapping ones)."""
    clock = MutableClock()
    settings = make_settings(**store_settings)
    async with AsyncTestClient(app=build_test_app(settings, ClockProvider(clock))) as client:
        yield Api(client=client, clock=clock, settings=settings)


async def _threads(api: Api, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await api.client.get(POSTS, params={"category": "Python"}, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_retry_gets_the_stored_answer_and_creates_nothing(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    key = _key()
    first = await api.client.post(POSTS, json=THREAD, headers=headers | key)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = await api.client.post(POSTS, json=THREAD, headers=headers | key)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"] == f"{POSTS}/{first.json()['id']}"
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-type"] == first.headers["content-type"]
    assert [thread["id"] for thread in await _threads(api, headers)] == [first.json()["id"]]
    # Positive control: a new key is a new request, which does create a second thread.
    other = await api.client.post(POSTS, json=THREAD, headers=headers | _key())
    assert other.status_code == 201
    assert "idempotent-replayed" not in other.headers
    assert len(await _threads(api, headers)) == 2


async def test_the_same_key_with_another_body_is_422_and_runs_nothing(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    key = _key()
    assert (await api.client.post(POSTS, json=THREAD, headers=headers | key)).status_code == 201
    changed = await api.client.post(POSTS, json=THREAD | {"title": "Another title"}, headers=headers | key)
    assert changed.status_code == 422
    assert changed.headers["content-type"].startswith("application/problem+json")
    assert changed.json()["field"] == "Idempotency-Key"
    # The same body on another path is another request too.
    elsewhere = await api.client.post(f"{POSTS}?x=1", json=THREAD, headers=headers | key)
    assert elsewhere.status_code == 422
    assert [thread["title"] for thread in await _threads(api, headers)] == ["Reading CSV files"]


async def test_keys_are_per_user_and_a_replay_needs_the_same_users_valid_token(api: Api) -> None:
    amara = await api.token_for("amara@example.org")
    kofi = await api.token_for("kofi@example.org")
    key = _key()
    first = await api.client.post(POSTS, json=THREAD, headers=amara | key)
    assert first.status_code == 201
    # Kofi's request with Amara's key is Kofi's own: it runs, and Amara's answer is not shown to him.
    his = await api.client.post(POSTS, json=THREAD, headers=kofi | key)
    assert his.status_code == 201
    assert "idempotent-replayed" not in his.headers
    assert his.json()["id"] != first.json()["id"]
    # Without a token, or with a forged one, no replay: 401 before anything else.
    assert (await api.client.post(POSTS, json=THREAD, headers=key)).status_code == 401
    forged = {"Authorization": "Bearer not-a-token"} | key
    assert (await api.client.post(POSTS, json=THREAD, headers=forged)).status_code == 401
    # Amara, signed in, still gets her own answer.
    again = await api.client.post(POSTS, json=THREAD, headers=amara | key)
    assert (again.status_code, again.headers["idempotent-replayed"]) == (201, "true")
    assert again.json()["id"] == first.json()["id"]


@pytest.mark.parametrize(
    "raw_key",
    ["x" * 256, "has space", "", "naïve"],
    ids=["too-long", "space", "empty", "non-ascii"],
)
async def test_a_malformed_key_is_refused_naming_the_header(api: Api, raw_key: str) -> None:
    headers = await api.token_for("amara@example.org")
    raw_headers: dict[str, Any] = headers | {"Idempotency-Key": raw_key.encode()}  # bytes: sent as they are
    response = await api.client.post(POSTS, json=THREAD, headers=raw_headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "Idempotency-Key"
    assert await _threads(api, headers) == []
    # Positive control: the longest key allowed is taken.
    assert (
        await api.client.post(POSTS, json=THREAD, headers=headers | {"Idempotency-Key": "k" * 255})
    ).status_code == 201


async def test_anonymous_requests_are_not_covered_the_header_is_ignored(api: Api) -> None:
    key = _key()
    body = register_body("anon@example.org")
    first = await api.client.post("/api/v1/auth/register", json=body, headers=key)
    assert first.status_code == 201
    again = await api.client.post("/api/v1/auth/register", json=body, headers=key)
    # The register ran again (and found the email taken): nothing was stored for an anonymous caller.
    assert again.status_code == 409
    assert "idempotent-replayed" not in again.headers


async def test_a_deterministic_4xx_is_replayed(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    key = _key()
    invalid = THREAD | {"category": ""}
    first = await api.client.post(POSTS, json=invalid, headers=headers | key)
    assert first.status_code == 422
    again = await api.client.post(POSTS, json=invalid, headers=headers | key)
    assert (again.status_code, again.headers["idempotent-replayed"]) == (422, "true")
    assert again.json() == first.json()


async def test_patch_is_covered_unless_if_match_guards_it(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    key = _key()
    first = await api.client.patch("/api/v1/users/me", json={"display_name": "Amara O."}, headers=headers | key)
    assert first.status_code == 200, first.text
    again = await api.client.patch("/api/v1/users/me", json={"display_name": "Amara O."}, headers=headers | key)
    assert (again.status_code, again.headers["idempotent-replayed"]) == (200, "true")
    # A PATCH with If-Match is guarded by the version: the key is not used, the retry meets the new version.
    thread = (await api.client.post(POSTS, json=THREAD, headers=headers)).json()
    version_one = (await api.client.get(f"{POSTS}/{thread['id']}", headers=headers)).headers["etag"]
    guarded = headers | key | {"If-Match": version_one}
    key_for_edit = {"Idempotency-Key": str(uuid4())}
    guarded |= key_for_edit
    edit = await api.client.patch(f"{POSTS}/{thread['id']}", json={"content": "<p>edited</p>"}, headers=guarded)
    assert edit.status_code == 200, edit.text
    retried = await api.client.patch(f"{POSTS}/{thread['id']}", json={"content": "<p>edited</p>"}, headers=guarded)
    assert retried.status_code == 409
    assert "idempotent-replayed" not in retried.headers


async def test_a_compressed_answer_is_replayed_plain_to_a_retry_that_does_not_accept_it(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    key = _key()
    body = {"domain": "Python", "skill_level": "beginner", "time_availability": 6}
    first = await api.client.post(ROADMAPS, json=body, headers=headers | key | {"Accept-Encoding": "br"})
    assert first.status_code == 201, first.text
    assert first.headers["content-encoding"] == "br"
    again = await api.client.post(ROADMAPS, json=body, headers=headers | key | {"Accept-Encoding": "identity"})
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert "content-encoding" not in again.headers
    assert again.json() == first.json()


async def test_an_answer_too_large_to_keep_keeps_its_key(
    make_settings: Callable[..., Settings], store_settings: dict[str, Any]
) -> None:
    async with _api(make_settings, idempotency_max_response_bytes=1024, **store_settings) as api:
        headers = await api.token_for("amara@example.org")
        key = _key()
        body = {"domain": "Python", "skill_level": "beginner", "time_availability": 6}
        plain = {"Accept-Encoding": "identity"}
        first = await api.client.post(ROADMAPS, json=body, headers=headers | key | plain)
        assert first.status_code == 201
        assert len(first.content) > 1024
        again = await api.client.post(ROADMAPS, json=body, headers=headers | key | plain)
        assert again.status_code == 409
        assert again.headers["location"] == first.headers["location"]
        assert again.headers["idempotent-replayed"] == "true"
        mine = await api.client.get(f"{ROADMAPS}/my", headers=headers)
        assert [roadmap["id"] for roadmap in mine.json()["items"]] == [first.json()["id"]]


class _SteppedStore(Provider):
    """The key-value store in memory, on a clock the test steps (to reach the end of a key's 24 hours)."""

    def __init__(self, now: list[float]) -> None:
        super().__init__()
        self._now = now

    @provide(scope=Scope.APP)
    def store(self) -> KeyValueStore:
        return MemoryKeyValueStore(clock=lambda: self._now[0])


async def test_a_key_lives_24_hours(make_settings: Callable[..., Settings]) -> None:
    now = [1_000.0]
    async with _api(make_settings, _SteppedStore(now)) as api:
        headers = await api.token_for("amara@example.org")
        key = _key()
        first = await api.client.post(POSTS, json=THREAD, headers=headers | key)
        assert first.status_code == 201
        now[0] += 24 * 3600 - 1
        assert (await api.client.post(POSTS, json=THREAD, headers=headers | key)).headers[
            "idempotent-replayed"
        ] == "true"
        now[0] += 1
        later = await api.client.post(POSTS, json=THREAD, headers=headers | key)
        assert later.status_code == 201
        assert "idempotent-replayed" not in later.headers
        assert len(await _threads(api, headers)) == 2


@pytest.fixture
def openai() -> Iterator[FakeOpenAI]:
    with fake_openai() as server:
        yield server


def _ai_settings(openai: FakeOpenAI, store_settings: dict[str, Any]) -> dict[str, Any]:
    return {"openai_api_key": "sk-test", "openai_base_url": openai.url, "openai_model": "gpt-test", **store_settings}


async def _until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` (bounded): the fake server runs in a thread of its own."""
    deadline = time.monotonic() + POLL_LIMIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true"
        await asyncio.sleep(0.01)


async def test_a_5xx_is_not_kept_so_the_retry_runs_again(
    make_settings: Callable[..., Settings], store_settings: dict[str, Any], openai: FakeOpenAI
) -> None:
    openai.script(error(500))
    async with _api(make_settings, **_ai_settings(openai, store_settings), openai_max_retries=0) as api:
        headers = await api.token_for("amara@example.org", role="learner")
        key = _key()
        failed = await api.client.post(ROADMAPS, json=AI_ROADMAP, headers=headers | key)
        assert failed.status_code == 503, failed.text
        seen_after_failure = len(openai.requests)
        assert seen_after_failure >= 1
        openai.script(completion(json.dumps({"modules": MODULES})))
        retried = await api.client.post(ROADMAPS, json=AI_ROADMAP, headers=headers | key)
        assert retried.status_code == 201, retried.text
        assert "idempotent-replayed" not in retried.headers
        assert len(openai.requests) == seen_after_failure + 1


async def test_racing_requests_with_one_key_pay_openai_once(
    make_settings: Callable[..., Settings], store_settings: dict[str, Any], openai: FakeOpenAI
) -> None:
    held = threading.Event()
    openai.script(Reply(body=completion(json.dumps({"modules": MODULES})).body, hold=held))
    async with _api(make_settings, **_ai_settings(openai, store_settings)) as api:
        headers = await api.token_for("amara@example.org")
        key = _key()
        try:
            first = asyncio.ensure_future(api.client.post(ROADMAPS, json=AI_ROADMAP, headers=headers | key))
            await _until(lambda: len(openai.requests) == 1)  # the first is in flight, waiting for OpenAI
            duplicate = await api.client.post(ROADMAPS, json=AI_ROADMAP, headers=headers | key)
            assert duplicate.status_code == 409, duplicate.text
            assert duplicate.headers["retry-after"] == "1"
            # Positive control: the same body with another key is another request, and does call OpenAI.
            second = asyncio.ensure_future(api.client.post(ROADMAPS, json=AI_ROADMAP, headers=headers | _key()))
            await _until(lambda: len(openai.requests) == 2)
        finally:
            held.set()
        created, other = await first, await second
        assert (created.status_code, other.status_code) == (201, 201)
        replay = await api.client.post(ROADMAPS, json=AI_ROADMAP, headers=headers | key)
        assert (replay.status_code, replay.headers["idempotent-replayed"]) == (201, "true")
        assert replay.json()["id"] == created.json()["id"]
        mine = await api.client.get(f"{ROADMAPS}/my", headers=headers)
        assert {roadmap["id"] for roadmap in mine.json()["items"]} == {created.json()["id"], other.json()["id"]}
    assert len(openai.requests) == 2  # one for the key (raced and retried), one for the control


async def test_simultaneous_requests_with_one_key_have_one_effect(
    make_settings: Callable[..., Settings], store_settings: dict[str, Any]
) -> None:
    async with _api(make_settings, **store_settings) as api:
        headers = await api.token_for("amara@example.org")
        key = _key()
        answers = await asyncio.gather(*(api.client.post(POSTS, json=THREAD, headers=headers | key) for _ in range(5)))
        statuses = [answer.status_code for answer in answers]
        assert set(statuses) <= {201, 409}, statuses
        # One ran; each other one met its claim (409) or, once it was done, its stored answer. (The held
        # request of the OpenAI test below makes the overlap certain; here it depends on scheduling.)
        ran = [
            answer for answer in answers if answer.status_code == 201 and "idempotent-replayed" not in answer.headers
        ]
        assert len(ran) == 1
        created = {answer.json()["id"] for answer in answers if answer.status_code == 201}
        assert len(created) == 1
        assert [thread["id"] for thread in await _threads(api, headers)] == list(created)


@pytest.mark.redis
async def test_a_retry_that_reaches_another_process_gets_the_replay(make_settings: Callable[..., Settings]) -> None:
    """Two API processes on one Redis (a load balancer sends the retry to the other one): the key is shared."""
    shared = {
        "redis_url": await redis_url_or_skip(),
        "redis_key_prefix": f"t-{uuid4().hex}:",
        "jobs_broker": "in-process",
    }
    async with _api(make_settings, **shared) as first_process, _api(make_settings, **shared) as second_process:
        headers = await first_process.token_for("amara@example.org")
        key = _key()
        first = await first_process.client.post(POSTS, json=THREAD, headers=headers | key)
        assert first.status_code == 201
        again = await second_process.client.post(POSTS, json=THREAD, headers=headers | key)
        assert (again.status_code, again.headers["idempotent-replayed"]) == (201, "true")
        assert again.json() == first.json()
        assert len(await _threads(second_process, headers)) == 1


async def test_a_browser_app_may_send_the_key_and_read_the_replay_mark(make_settings: Callable[..., Settings]) -> None:
    origin = "https://app.skillbridge.africa"
    async with _api(make_settings, cors_origins=[origin]) as api:
        preflight = await api.client.options(
            POSTS,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "idempotency-key, content-type",
            },
        )
        assert preflight.status_code == 204
        assert "idempotency-key" in preflight.headers["access-control-allow-headers"].lower()
        headers = await api.token_for("amara@example.org") | {"Origin": origin}
        key = _key()
        assert (await api.client.post(POSTS, json=THREAD, headers=headers | key)).status_code == 201
        again = await api.client.post(POSTS, json=THREAD, headers=headers | key)
        assert again.headers["idempotent-replayed"] == "true"
        assert again.headers["access-control-expose-headers"] == "Idempotent-Replayed"


async def test_a_claim_ends_with_its_lease_so_a_dead_process_does_not_block_the_key_for_a_day(
    make_settings: Callable[..., Settings], openai: FakeOpenAI
) -> None:
    """A request holds its key for the lease only: past it (its process died, say) the key runs again.
    The first request is held at OpenAI to stand for the one whose process died."""
    now = [1_000.0]
    held = threading.Event()
    openai.script(Reply(body=completion(json.dumps({"modules": MODULES})).body, hold=held))
    settings = _ai_settings(openai, {}) | {"idempotency_lease_seconds": 60}
    async with _api(make_settings, _SteppedStore(now), **settings) as api:
        headers = await api.token_for("amara@example.org")
        key = _key()
        try:
            stuck = asyncio.ensure_future(api.client.post(ROADMAPS, json=AI_ROADMAP, headers=headers | key))
            await _until(lambda: len(openai.requests) == 1)
            now[0] += 59
            assert (await api.client.post(ROADMAPS, json=AI_ROADMAP, headers=headers | key)).status_code == 409
            now[0] += 1
            retried = asyncio.ensure_future(api.client.post(ROADMAPS, json=AI_ROADMAP, headers=headers | key))
            await _until(lambda: len(openai.requests) == 2)  # the retry runs: it called OpenAI itself
        finally:
            held.set()
        assert ((await stuck).status_code, (await retried).status_code) == (201, 201)
