"""A worker told to stop (its first SIGTERM) stops reading the queue and lets the running job finish: the job
is done and acknowledged, and a job queued meanwhile is run once, by it (if a read under way fetched it) or
by the next worker; none is lost or run twice."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest
from redis.asyncio import Redis

from skillbridge.adapters.jobs.backlog import Backlog, queue_backlog
from skillbridge.adapters.jobs.taskiq_runtime import JobRuntime, JobSpec, RetryPolicy
from tests.support.databases import redis_url_or_skip

pytestmark = [pytest.mark.asyncio, pytest.mark.redis]
WAIT_SECONDS = 30.0


async def _no_failures(*_: object) -> None:
    raise AssertionError("no job may fail here")


async def test_a_stopping_worker_finishes_its_job_and_takes_no_new_one() -> None:
    url = await redis_url_or_skip()
    key = f"skillbridge:test-jobs:{uuid4().hex}"
    started, release = asyncio.Event(), asyncio.Event()
    finished: list[str] = []

    async def long_job(order: str) -> None:
        started.set()
        await release.wait()
        finished.append(order)

    def runtime() -> JobRuntime:
        made = JobRuntime.on_redis(url, RetryPolicy(), queue_key=key)
        made.register([JobSpec("long", long_job, timeout_seconds=60, max_attempts=1)], on_failed=_no_failures)
        return made

    first, client = runtime(), Redis.from_url(url)
    await first.startup()
    stop = asyncio.Event()
    worker = asyncio.create_task(first.run_worker(concurrency=2, stop=stop, grace_seconds=WAIT_SECONDS))
    try:
        await first.queue.enqueue("long", {"order": "A"})
        await asyncio.wait_for(started.wait(), WAIT_SECONDS)

        stop.set()  # what the worker's first SIGTERM does
        await first.queue.enqueue("long", {"order": "B"})
        await asyncio.sleep(0.5)
        assert not worker.done()  # it waits for its running job
        release.set()
        await asyncio.wait_for(worker, WAIT_SECONDS)
        assert finished[0] == "A"
        # B was queued after the stop: a read already under way may still have fetched it, and then it ran
        # (taskiq runs what it fetched); otherwise it waits on the queue. Either way it is not lost.
        waiting = (await queue_backlog(client, key)).depth
        assert (finished, waiting) in ((["A"], 1), (["A", "B"], 0))

        second = runtime()  # the next worker takes what waits
        await second.startup()
        again = asyncio.Event()
        next_worker = asyncio.create_task(second.run_worker(stop=again, grace_seconds=WAIT_SECONDS))
        for _ in range(int(WAIT_SECONDS * 10)):
            if finished == ["A", "B"]:
                break
            await asyncio.sleep(0.1)
        again.set()
        await asyncio.wait_for(next_worker, WAIT_SECONDS)
        await second.shutdown()
        assert finished == ["A", "B"]
        assert await queue_backlog(client, key) == Backlog(0, 0.0)
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        await first.shutdown()
        await client.delete(key, f"{key}:retries")
        await client.aclose()
