"""Contract tests for the KeyValueStore port, run against the memory store and the real Redis.

Redis comes from ``SKILLBRIDGE_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``). Each test works
under its own random key prefix and deletes its keys afterwards. When Redis cannot be reached the Redis
cases fail on CI (``CI`` set) and skip elsewhere.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest
import redis.asyncio as aioredis

from skillbridge.adapters.keyvalue.memory import MemoryKeyValueStore
from skillbridge.adapters.keyvalue.redis import RedisKeyValueStore, create_redis_client
from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.domain.errors import DependencyUnavailable

REDIS_URL = os.environ.get("SKILLBRIDGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class FakeMonotonic:
    """A monotonic clock for the memory store that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Harness:
    """A store under test plus a way to let time pass for it."""

    store: KeyValueStore
    elapse: Callable[[float], Awaitable[None]]


async def redis_client_or_skip() -> aioredis.Redis:
    """A client for the test Redis; fails on CI and skips elsewhere when Redis does not answer."""
    client = create_redis_client(REDIS_URL)
    try:
        await client.ping()
    except (OSError, aioredis.RedisError) as exc:
        await client.aclose()
        reason = f"Redis not reachable at {REDIS_URL} (set SKILLBRIDGE_TEST_REDIS_URL): {exc}"
        if os.environ.get("CI", "").lower() not in {"", "0", "false", "no"}:
            pytest.fail(f"CI needs Redis: {reason}")
        pytest.skip(reason)
    return client


async def delete_prefix(client: aioredis.Redis, prefix: str) -> None:
    keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=500)]
    if keys:
        await client.delete(*keys)


async def elapse_on_redis(client: aioredis.Redis, prefix: str, seconds: float) -> None:
    """Let ``seconds`` pass for the keys under ``prefix``: each key's remaining time is cut by that much, and
    Redis itself drops a key whose time runs out (PEXPIRE with 0). Waiting for real instead would make
    each check depend on how loaded the machine is, with a fraction of a second of slack."""
    cut = round(seconds * 1000)
    async for key in client.scan_iter(match=f"{prefix}*", count=500):
        left = await client.pttl(key)
        if left > 0:
            await client.pexpire(key, max(left - cut, 0))


@pytest.fixture
async def redis_client() -> AsyncIterator[aioredis.Redis]:
    client = await redis_client_or_skip()
    yield client
    await client.aclose()


@pytest.fixture
def prefix() -> str:
    return f"skillbridge-test:{uuid4().hex}:"


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def kv(request: pytest.FixtureRequest, prefix: str) -> AsyncIterator[Harness]:
    if request.param == "memory":
        clock = FakeMonotonic()

        async def step(seconds: float) -> None:
            clock.now += seconds

        yield Harness(MemoryKeyValueStore(clock=clock), step)
        return

    client = await redis_client_or_skip()

    async def shorten_ttls(seconds: float) -> None:
        await elapse_on_redis(client, prefix, seconds)

    try:
        yield Harness(RedisKeyValueStore(client, prefix=prefix), shorten_ttls)
    finally:
        await delete_prefix(client, prefix)
        await client.aclose()


# Just past a one-second TTL (Redis keeps expiry to the millisecond).
PAST_ONE_SECOND = 1.1


async def test_first_increment_starts_the_window(kv: Harness) -> None:
    assert await kv.store.increment("hits", 60) == (1, 60)
    assert await kv.store.seconds_left("hits") == 60
    assert await kv.store.count("hits") == 1


async def test_later_increments_count_up_without_extending_the_window(kv: Harness) -> None:
    await kv.store.increment("hits", 30)
    await kv.elapse(20)

    count, seconds_left = await kv.store.increment("hits", 60)  # a longer TTL must not reopen the window

    # 10 s are left; on Redis real time runs on too, so the bound is the old window's 10, far from a new 60.
    assert count == 2
    assert 1 <= seconds_left <= 10
    assert 1 <= await kv.store.seconds_left("hits") <= 10


async def test_counter_expires_and_the_next_increment_starts_a_new_window(kv: Harness) -> None:
    await kv.store.increment("hits", 1)
    await kv.store.increment("hits", 1)

    await kv.elapse(PAST_ONE_SECOND)

    assert await kv.store.count("hits") == 0
    assert await kv.store.seconds_left("hits") == 0
    assert await kv.store.increment("hits", 5) == (1, 5)


async def test_concurrent_increments_count_exactly(kv: Harness) -> None:
    results = await asyncio.gather(*(kv.store.increment("burst", 30) for _ in range(50)))

    assert sorted(count for count, _ in results) == list(range(1, 51))
    assert all(1 <= seconds_left <= 30 for _, seconds_left in results)
    assert await kv.store.count("burst") == 50


async def test_increment_and_get_counts_and_reads_in_one_call(kv: Harness) -> None:
    await kv.store.put("present", "one", 60)
    await kv.store.put("also", "two", 60)

    first = await kv.store.increment_and_get("budget", 30, ["absent", "present", "nothing", "also"])
    second = await kv.store.increment_and_get("budget", 60, [])

    assert first == (1, 30, [None, "one", None, "two"])  # a missing key in the middle keeps its place
    assert second == (2, 30, [])  # the window started by the first call stays
    assert await kv.store.count("budget") == 2


async def test_increment_and_get_counts_concurrent_calls_exactly(kv: Harness) -> None:
    results = await asyncio.gather(*(kv.store.increment_and_get("burst", 30, ["k"]) for _ in range(40)))

    assert sorted(count for count, _, _ in results) == list(range(1, 41))
    assert {tuple(values) for _, _, values in results} == {(None,)}


async def test_get_many_reads_each_key_and_forgets_expired_ones(kv: Harness) -> None:
    await kv.store.put("short", "gone soon", 1)
    await kv.store.put("long", "stays", 60)
    assert await kv.store.get_many(["short", "long", "never"]) == ["gone soon", "stays", None]
    assert await kv.store.get_many([]) == []

    await kv.elapse(PAST_ONE_SECOND)

    assert await kv.store.get_many(["short", "long"]) == [None, "stays"]


async def test_put_get_delete(kv: Harness) -> None:
    await kv.store.put("revoked:jti-1", "yes", 60)

    assert await kv.store.get("revoked:jti-1") == "yes"
    assert await kv.store.seconds_left("revoked:jti-1") == 60

    await kv.store.delete("revoked:jti-1")

    assert await kv.store.get("revoked:jti-1") is None
    assert await kv.store.seconds_left("revoked:jti-1") == 0


async def test_take_returns_the_value_once(kv: Harness) -> None:
    await kv.store.put("reset:token", "user-1", 60)
    await kv.store.put("other", "stays", 60)

    assert await kv.store.take("reset:token") == "user-1"
    assert await kv.store.take("reset:token") is None
    assert await kv.store.get("reset:token") is None
    assert await kv.store.get("other") == "stays"


async def test_concurrent_takes_hand_the_value_to_one_caller(kv: Harness) -> None:
    await kv.store.put("reset:token", "user-1", 60)

    results = await asyncio.gather(*(kv.store.take("reset:token") for _ in range(10)))

    assert results.count("user-1") == 1
    assert results.count(None) == 9


async def test_put_new_stores_only_where_nothing_is(kv: Harness) -> None:
    assert await kv.store.put_new("grace", "first", 60) is True
    assert await kv.store.put_new("grace", "second", 60) is False
    assert await kv.store.get("grace") == "first"


async def test_concurrent_put_new_lets_exactly_one_store(kv: Harness) -> None:
    results = await asyncio.gather(*(kv.store.put_new("grace", f"v{n}", 60) for n in range(10)))

    assert results.count(True) == 1
    assert await kv.store.get("grace") == f"v{results.index(True)}"


async def test_put_new_stores_again_once_the_value_expired(kv: Harness) -> None:
    await kv.store.put_new("grace", "old", 1)

    await kv.elapse(PAST_ONE_SECOND)

    assert await kv.store.put_new("grace", "new", 60) is True
    assert await kv.store.get("grace") == "new"


async def test_take_of_an_expired_value_is_none(kv: Harness) -> None:
    await kv.store.put("k", "v", 1)

    await kv.elapse(PAST_ONE_SECOND)

    assert await kv.store.take("k") is None


async def test_put_replaces_value_and_ttl(kv: Harness) -> None:
    await kv.store.put("k", "first", 60)
    await kv.store.put("k", "second", 5)

    assert await kv.store.get("k") == "second"
    assert await kv.store.seconds_left("k") == 5


async def test_put_value_expires(kv: Harness) -> None:
    await kv.store.put("k", "v", 1)

    await kv.elapse(PAST_ONE_SECOND)

    assert await kv.store.get("k") is None
    assert await kv.store.seconds_left("k") == 0


async def test_unicode_values_round_trip(kv: Harness) -> None:
    await kv.store.put("clé", "välue 🦁", 60)

    assert await kv.store.get("clé") == "välue 🦁"


async def test_absent_keys(kv: Harness) -> None:
    assert await kv.store.get("nothing") is None
    assert await kv.store.count("nothing") == 0
    assert await kv.store.seconds_left("nothing") == 0
    await kv.store.delete("nothing")  # no error


async def test_keys_are_independent(kv: Harness) -> None:
    await kv.store.increment("a", 60)
    await kv.store.increment("a", 60)
    await kv.store.increment("b", 60)

    assert await kv.store.count("a") == 2
    assert await kv.store.count("b") == 1


async def test_delete_resets_a_counter(kv: Harness) -> None:
    await kv.store.increment("hits", 60)
    await kv.store.delete("hits")

    assert await kv.store.increment("hits", 60) == (1, 60)


async def test_ping_succeeds(kv: Harness) -> None:
    await kv.store.ping()


@pytest.mark.parametrize("ttl", [0, -1])
async def test_non_positive_ttl_is_refused(kv: Harness, ttl: int) -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        await kv.store.increment("k", ttl)
    with pytest.raises(ValueError, match="ttl_seconds"):
        await kv.store.put("k", "v", ttl)


# --- Redis only ---------------------------------------------------------------------------------------------


@pytest.mark.redis
async def test_prefixes_isolate_stores(redis_client: aioredis.Redis, prefix: str) -> None:
    mine = RedisKeyValueStore(redis_client, prefix=prefix + "mine:")
    theirs = RedisKeyValueStore(redis_client, prefix=prefix + "theirs:")
    try:
        await mine.put("k", "mine", 60)

        assert await theirs.get("k") is None
        assert await redis_client.get(prefix + "mine:k") == "mine"
    finally:
        await delete_prefix(redis_client, prefix)


@pytest.mark.redis
async def test_works_with_a_client_that_does_not_decode_responses(prefix: str) -> None:
    probe = await redis_client_or_skip()
    await probe.aclose()
    client = aioredis.Redis.from_url(REDIS_URL, decode_responses=False)
    store = RedisKeyValueStore(client, prefix=prefix)
    try:
        await store.put("k", "välue", 60)
        await store.increment("n", 60)

        assert await store.get("k") == "välue"
        assert await store.count("n") == 1
    finally:
        await delete_prefix(client, prefix)
        await client.aclose()


@pytest.mark.redis
async def test_a_counter_left_without_expiry_gets_one_on_the_next_increment(
    redis_client: aioredis.Redis, prefix: str
) -> None:
    store = RedisKeyValueStore(redis_client, prefix=prefix)
    await redis_client.set(prefix + "hits", "4")  # as if written by something that forgot the TTL
    try:
        assert await store.increment("hits", 30) == (5, 30)
        assert 0 < await redis_client.ttl(prefix + "hits") <= 30
    finally:
        await delete_prefix(redis_client, prefix)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


OPERATIONS: dict[str, Callable[[KeyValueStore], Awaitable[object]]] = {
    "increment": lambda store: store.increment("k", 10),
    "seconds_left": lambda store: store.seconds_left("k"),
    "count": lambda store: store.count("k"),
    "put": lambda store: store.put("k", "v", 10),
    "get": lambda store: store.get("k"),
    "delete": lambda store: store.delete("k"),
    "ping": lambda store: store.ping(),
}


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=OPERATIONS.keys())
async def test_redis_down_raises_dependency_unavailable(
    operation: Callable[[KeyValueStore], Awaitable[object]],
) -> None:
    client = create_redis_client(f"redis://127.0.0.1:{closed_port()}/0")
    try:
        with pytest.raises(DependencyUnavailable) as caught:
            await asyncio.wait_for(operation(RedisKeyValueStore(client)), timeout=10)
    finally:
        await client.aclose()
    assert "127.0.0.1" not in caught.value.message  # the message is safe to show; the cause is chained
    assert caught.value.__cause__ is not None


@contextmanager
def _silent_redis() -> Iterator[aioredis.Redis]:
    """A client of a server that accepts connections (in the kernel's backlog) and never replies."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        yield create_redis_client(f"redis://127.0.0.1:{port}/0", timeout_seconds=0.2, retries=0)


async def test_redis_that_never_answers_raises_dependency_unavailable() -> None:
    with _silent_redis() as client:
        try:
            with pytest.raises(DependencyUnavailable):
                await asyncio.wait_for(RedisKeyValueStore(client).ping(), timeout=10)
        finally:
            await client.aclose()


async def test_adjust_counts_up_and_down_and_removes_a_spent_counter(kv: Harness) -> None:
    assert await kv.store.adjust("streams", 1, 60) == 1
    assert await kv.store.adjust("streams", 1, 60) == 2
    assert await kv.store.adjust("streams", -1, 60) == 1
    assert await kv.store.count("streams") == 1
    assert await kv.store.adjust("streams", -1, 60) == 0
    assert await kv.store.count("streams") == 0  # gone, not left at zero
    assert await kv.store.adjust("never", -1, 60) == -1  # giving back what was never taken stores nothing
    assert await kv.store.count("never") == 0


async def test_adjust_renews_the_lease_and_a_counter_lapses_after_it(kv: Harness) -> None:
    await kv.store.adjust("lease", 1, 1)
    assert await kv.store.adjust("lease", 0, 60) == 1  # renewed: it now outlives the first second
    await kv.elapse(PAST_ONE_SECOND)
    assert await kv.store.count("lease") == 1
    await kv.store.adjust("short", 1, 1)
    await kv.elapse(PAST_ONE_SECOND)
    assert await kv.store.count("short") == 0


@pytest.mark.redis
async def test_the_request_path_survives_redis_forgetting_its_scripts(
    redis_client: aioredis.Redis, prefix: str
) -> None:
    store = RedisKeyValueStore(redis_client, prefix=prefix)
    try:
        assert (await store.increment_and_get("budget", 60, ["k"]))[0] == 1
        await redis_client.script_flush()  # a restart, or an operator's SCRIPT FLUSH
        results = await asyncio.gather(*(store.increment_and_get("budget", 60, ["k"]) for _ in range(5)))
        assert sorted(count for count, _, _ in results) == [2, 3, 4, 5, 6]
    finally:
        await delete_prefix(redis_client, prefix)


@asynccontextmanager
async def _store_of_its_own_user(
    redis_client: aioredis.Redis, prefix: str, **client_options: Any
) -> AsyncIterator[tuple[RedisKeyValueStore, str]]:
    """A store whose client signs in as a Redis user of its own (yielded with the user's name), so that a
    ``CLIENT KILL USER`` reaches its connections and no other test's."""
    user = f"kv-test-{uuid4().hex[:12]}"
    await redis_client.execute_command("ACL", "SETUSER", user, "on", "nopass", "~*", "&*", "+@all")
    scheme, _, rest = REDIS_URL.partition("://")
    client = create_redis_client(f"{scheme}://{user}@{rest.rpartition('@')[2]}", **client_options)
    try:
        yield RedisKeyValueStore(client, prefix=prefix), user
    finally:
        await delete_prefix(redis_client, prefix)
        await client.aclose()
        await redis_client.execute_command("ACL", "DELUSER", user)


@pytest.mark.redis
async def test_the_request_path_survives_its_connection_being_dropped(
    redis_client: aioredis.Redis, prefix: str
) -> None:
    # The request path keeps one connection for its batches; Redis may drop it (a restart, a timeout, an
    # operator's CLIENT KILL). The next batch reconnects, and every count is still exact.
    async with _store_of_its_own_user(redis_client, prefix) as (store, user):
        assert (await store.increment_and_get("budget", 60, []))[0] == 1
        killed = await redis_client.execute_command("CLIENT", "KILL", "USER", user)
        assert int(killed) >= 1  # positive control: the store's connection was there to drop
        results = await asyncio.gather(*(store.increment_and_get("budget", 60, []) for _ in range(3)))
        assert sorted(count for count, _, _ in results) == [2, 3, 4]


async def test_a_request_batch_redis_never_answers_raises_dependency_unavailable() -> None:
    with _silent_redis() as client:
        store = RedisKeyValueStore(client)
        try:
            outcomes = await asyncio.wait_for(
                asyncio.gather(*(store.increment_and_get("budget", 60, []) for _ in range(3)), return_exceptions=True),
                timeout=10,
            )
        finally:
            await client.aclose()
    assert [type(outcome) for outcome in outcomes] == [DependencyUnavailable] * 3


@pytest.mark.redis
async def test_the_request_path_reports_redis_gone_for_good_as_unavailable(
    redis_client: aioredis.Redis, prefix: str
) -> None:
    # Its connection dropped and every new one refused: the one retry fails too, and the callers hear that
    # the store is unavailable (a 503 for a request), not an error of the batching itself.
    async with _store_of_its_own_user(redis_client, prefix, retries=0) as (store, user):
        assert (await store.increment_and_get("budget", 60, []))[0] == 1  # positive control
        await redis_client.execute_command("ACL", "SETUSER", user, "off")  # new sign-ins refused from now on
        await redis_client.execute_command("CLIENT", "KILL", "USER", user)
        with pytest.raises(DependencyUnavailable):
            await asyncio.wait_for(store.increment_and_get("budget", 60, []), timeout=10)
