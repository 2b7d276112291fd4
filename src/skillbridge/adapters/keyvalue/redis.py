"""Redis KeyValueStore: one shared view of counters and revocations for every process of the service."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import redis.asyncio as aioredis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from skillbridge.adapters.keyvalue._ttl import check_ttl, whole_seconds
from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.domain.errors import DependencyUnavailable
from skillbridge.domain.texts import N_

_T = TypeVar("_T")

# INCR and the expiry in one atomic step, then the values of the other keys: one round trip for the request
# path (count the request, read the caller's session state). The window starts when the key has no expiry
# yet (it was just created by INCR, or, defensively, was left without one); later hits leave the expiry
# alone. Returns {count, milliseconds left, value or false, ...}.
_INCREMENT_AND_GET = """
local count = redis.call('INCR', KEYS[1])
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then
    pttl = tonumber(ARGV[1]) * 1000
    redis.call('PEXPIRE', KEYS[1], pttl)
end
local result = {count, pttl}
for i = 2, #KEYS do
    result[i + 1] = redis.call('GET', KEYS[i])
end
return result
"""

# INCRBY with a fresh expiry; a counter at zero or below is removed. Returns the new value.
_ADJUST = """
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if value <= 0 then
    redis.call('DEL', KEYS[1])
else
    redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return value
"""

_UNAVAILABLE = N_("the key-value store (Redis) is unavailable")


def create_redis_client(
    url: str,
    *,
    timeout_seconds: float = 2.0,
    health_check_interval: int = 30,
    retries: int = 2,
) -> aioredis.Redis:
    """Return a Redis client for ``url`` that fails fast when Redis is down.

    The client is lazy (nothing connects until the first command) and owned by the caller, who closes it
    with ``await client.aclose()``. Timeouts bound every connect and reply; a couple of quick retries ride
    out a dropped connection without stalling a request for seconds as redis-py's default policy would.
    """
    return aioredis.Redis.from_url(
        url,
        socket_connect_timeout=timeout_seconds,
        socket_timeout=timeout_seconds,
        health_check_interval=health_check_interval,
        retry=Retry(ExponentialWithJitterBackoff(cap=0.2, base=0.02), retries),
        decode_responses=True,
    )


class _PipelinedEvals:
    """EVALSHA calls made during one turn of the event loop, written to Redis together on a connection of
    their own, their replies read back in order.

    Every request runs one such call (its rate-limit counter and session state); under load dozens are
    waiting at once. One batch is one write and one read loop for all of them, and it goes straight to the
    connection: redis-py's pipeline object (a pool checkout, a task to reset it, per-command bookkeeping)
    cost more CPU than the round trip itself. Batches take turns on the connection; the calls made while
    one is in flight form the next. Each caller gets its own reply or its own error (a NOSCRIPT reply
    reaches only its caller, who loads the script and tries again).

    The connection is taken from the client's pool and kept (so closing the client closes it too). One found
    dead when a batch is written (Redis restarted, an idle socket dropped) reconnects and the batch is written
    once more: nothing ran yet. A failure while the replies are read is not retried (the scripts may have
    run): every caller of the batch hears it, and the connection goes back to the pool, closed.
    """

    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client
        self._queued: list[tuple[tuple[Any, ...], asyncio.Future[Any]]] = []
        self._connection: AbstractConnection | None = None
        self._turn = asyncio.Lock()

    async def evalsha(self, *args: Any) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if not self._queued:
            asyncio.get_running_loop().call_soon(self._flush)
        self._queued.append((args, future))
        return await future

    def _flush(self) -> None:
        batch, self._queued = self._queued, []
        task = asyncio.get_running_loop().create_task(self._send(batch))
        _SENDING.add(task)
        task.add_done_callback(_SENDING.discard)

    async def _send(self, batch: list[tuple[tuple[Any, ...], asyncio.Future[Any]]]) -> None:
        try:
            async with self._turn:
                replies = await self._round_trip([("EVALSHA", *args) for args, _ in batch])
        except BaseException as exc:  # the connection failed: every caller of the batch hears it
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), reply in zip(batch, replies, strict=True):
            if future.done():
                continue
            if isinstance(reply, BaseException):
                future.set_exception(reply)
            else:
                future.set_result(reply)

    async def _round_trip(self, commands: list[tuple[Any, ...]]) -> list[Any]:
        try:
            return await self._write_and_read(commands)
        except _Unanswered:
            # The connection was found dead before any reply came (Redis restarted, an idle socket was
            # dropped): a new one, once, as redis-py's own retry does. Counting twice is the worst case (the
            # scripts ran and only their replies were lost): one request more against a rate limit.
            try:
                return await self._write_and_read(commands)
            except _Unanswered as again:
                raise again.failure from None  # the connection error itself, for the callers

    async def _write_and_read(self, commands: list[tuple[Any, ...]]) -> list[Any]:
        connection = self._connection
        if connection is None:
            pool = self._client.connection_pool
            connection = self._connection = await pool.get_connection()  # type: ignore[no-untyped-call]
        replies: list[Any] = []
        try:
            await connection.send_packed_command(connection.pack_commands(commands))
            for _ in commands:
                try:
                    replies.append(await connection.read_response())
                except ResponseError as error:  # one command's error reply; the others' follow on the wire
                    replies.append(error)
        except BaseException as failure:
            # A timeout, a dropped socket or a cancellation mid-batch may leave replies on the wire: this
            # connection is done with, the next batch gets a new one.
            self._connection = None
            await connection.disconnect()
            await self._client.connection_pool.release(connection)
            if not replies and isinstance(failure, RedisConnectionError | OSError):
                raise _Unanswered(failure) from failure
            raise
        return replies


class _Unanswered(Exception):
    """The connection failed (``failure``) before any reply of the batch came back."""

    def __init__(self, failure: RedisConnectionError | OSError) -> None:
        super().__init__(failure)
        self.failure = failure


# Pipelines in flight (the loop keeps only weak references to tasks).
_SENDING: set[asyncio.Task[None]] = set()


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class RedisKeyValueStore(KeyValueStore):
    """KeyValueStore on Redis; every key is namespaced under ``prefix``.

    Works with clients that decode responses or not. Connection failures and timeouts surface as
    :class:`DependencyUnavailable`; the client is not closed by this class.
    """

    def __init__(self, client: aioredis.Redis, prefix: str = "skillbridge:") -> None:
        """Use ``client`` (see :func:`create_redis_client`), with keys under ``prefix``."""
        self._client = client
        self._prefix = prefix
        self._increment_and_get_script = client.register_script(_INCREMENT_AND_GET)
        self._adjust_script = client.register_script(_ADJUST)
        self._pipelined = _PipelinedEvals(client)

    async def increment(self, key: str, ttl_seconds: int) -> tuple[int, int]:
        """Add one to the counter at ``key``; the first increment starts a ``ttl_seconds`` window."""
        count, seconds_left, _ = await self.increment_and_get(key, ttl_seconds, ())
        return count, seconds_left

    async def increment_and_get(
        self, key: str, ttl_seconds: int, read: Sequence[str]
    ) -> tuple[int, int, list[str | None]]:
        """Count ``key`` and read ``read`` in one script call (one round trip)."""
        check_ttl(ttl_seconds)
        keys = [self._key(key), *(self._key(k) for k in read)]

        async def run() -> tuple[int, int, list[str | None]]:
            reply = await self._evalsha(self._increment_and_get_script, keys, ttl_seconds, pipelined=True)
            # Lua nil inside a table ends it (and false comes back as None): pad to the keys asked for.
            values = [None if v is None else _text(v) for v in reply[2:]]
            values += [None] * (len(read) - len(values))
            return int(reply[0]), whole_seconds(int(reply[1]) / 1000), values

        return await self._call(run)

    async def adjust(self, key: str, delta: int, ttl_seconds: int) -> int:
        """Add ``delta`` to the counter at ``key`` and give it ``ttl_seconds`` from now (one script call)."""
        check_ttl(ttl_seconds)

        async def run() -> int:
            return int(await self._evalsha(self._adjust_script, [self._key(key)], delta, ttl_seconds))

        return await self._call(run)

    async def get_many(self, keys: Sequence[str]) -> list[str | None]:
        """Return the value at each of ``keys`` (one MGET)."""
        if not keys:
            return []
        values = await self._call(lambda: self._client.mget([self._key(k) for k in keys]))
        return [None if v is None else _text(v) for v in values]

    async def seconds_left(self, key: str) -> int:
        """Return the whole seconds (rounded up) until ``key`` expires, 0 if absent."""
        pttl = await self._call(lambda: self._client.pttl(self._key(key)))
        return whole_seconds(pttl / 1000) if pttl > 0 else 0

    async def count(self, key: str) -> int:
        """Return the counter at ``key``, 0 if absent."""
        value = await self._call(lambda: self._client.get(self._key(key)))
        return 0 if value is None else int(value)

    async def put(self, key: str, value: str, ttl_seconds: int) -> None:
        """Store ``value`` at ``key`` for ``ttl_seconds``, replacing any value and expiry."""
        check_ttl(ttl_seconds)
        await self._call(lambda: self._client.set(self._key(key), value, ex=ttl_seconds))

    async def get(self, key: str) -> str | None:
        """Return the value at ``key``, or ``None`` if absent or expired."""
        value = await self._call(lambda: self._client.get(self._key(key)))
        return None if value is None else _text(value)

    async def put_new(self, key: str, value: str, ttl_seconds: int) -> bool:
        """Store ``value`` at ``key`` unless it exists, in one SET NX EX."""
        check_ttl(ttl_seconds)
        stored = await self._call(lambda: self._client.set(self._key(key), value, ex=ttl_seconds, nx=True))
        return bool(stored)

    async def take(self, key: str) -> str | None:
        """Return the value at ``key`` and remove it, in one GETDEL (atomic in Redis)."""
        value = await self._call(lambda: self._client.getdel(self._key(key)))
        return None if value is None else _text(value)

    async def delete(self, key: str) -> None:
        """Remove ``key`` if present."""
        await self._call(lambda: self._client.delete(self._key(key)))

    async def ping(self) -> None:
        """Return when Redis answers PING.

        Raises:
            DependencyUnavailable: it does not (refused, timed out, authentication failed).
        """
        await self._call(self._client.ping)

    async def _evalsha(self, script: AsyncScript, keys: list[str], *args: int, pipelined: bool = False) -> Any:
        """Run ``script`` by its digest: one EVALSHA, without the script wrapper's per-call work (this runs
        on every request), in the shared pipeline if ``pipelined``; loaded once more if the server forgot it
        (a restart, SCRIPT FLUSH)."""
        try:
            if pipelined:
                return await self._pipelined.evalsha(script.sha, len(keys), *keys, *args)
            return await self._client.evalsha(script.sha, len(keys), *keys, *args)
        except NoScriptError:
            await self._client.script_load(script.script)
            return await self._client.evalsha(script.sha, len(keys), *keys, *args)

    def _key(self, key: str) -> str:
        return self._prefix + key

    async def _call(self, operation: Callable[[], Awaitable[_T]]) -> _T:
        try:
            return await operation()
        except (RedisConnectionError, RedisTimeoutError) as exc:
            raise DependencyUnavailable(_UNAVAILABLE) from exc
