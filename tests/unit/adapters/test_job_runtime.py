"""The taskiq job runtime's own rules: backoff delays, names, a queue that is down, and the in-process
runtime of the embedded default (retries on its own clock, the last failure handed to the hook)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY
from redis.exceptions import ConnectionError as RedisConnectionError
from taskiq.scheduler.scheduled_task import ScheduledTask

from skillbridge.adapters.jobs.taskiq_runtime import JobRuntime, JobSpec, MemoryScheduleSource, RetryPolicy
from skillbridge.domain.errors import DependencyUnavailable, NotFound


def test_retry_delays_double_up_to_the_cap_and_jitter_only_shortens_them() -> None:
    exact = RetryPolicy(base_seconds=10, max_seconds=60, jitter=False)
    assert [exact.delay(n) for n in range(1, 6)] == [10, 20, 40, 60, 60]
    jittered = RetryPolicy(base_seconds=10, max_seconds=60, jitter=True)
    for n in range(1, 6):
        assert exact.delay(n) / 2 <= jittered.delay(n) <= exact.delay(n)


async def _nothing(**_: Any) -> None:
    return None


async def _ignore(*_: Any) -> None:
    return None


async def test_a_job_is_registered_once_and_unknown_names_are_refused() -> None:
    runtime = JobRuntime.in_process(RetryPolicy())
    runtime.register([JobSpec("noop", _nothing, 1, 1, every_seconds=60)], on_failed=_ignore)
    with pytest.raises(RuntimeError):
        runtime.register([JobSpec("other", _nothing, 1, 1)], on_failed=_ignore)
    assert [spec.name for spec in runtime.scheduled] == ["noop"]
    with pytest.raises(NotFound):
        await runtime.queue.enqueue("no-such-job", {})


async def test_a_queue_that_is_down_says_so() -> None:
    runtime = JobRuntime.on_redis("redis://127.0.0.1:1/0", RetryPolicy(), queue_key="skillbridge:nowhere")
    runtime.register([JobSpec("noop", _nothing, 1, 1)], on_failed=_ignore)
    await runtime.startup(tolerate_unavailable=True)  # the API still starts
    with pytest.raises(DependencyUnavailable):
        await runtime.queue.enqueue("noop", {})
    with pytest.raises(RedisConnectionError):
        await runtime.startup()  # a worker does not
    await runtime.shutdown()


async def test_in_process_jobs_run_when_queued_and_retry_on_the_runtimes_clock() -> None:
    started: list[float] = []
    failures: list[tuple[str, dict[str, Any], str, int]] = []

    async def flaky(name: str) -> None:
        started.append(time.monotonic())
        raise RuntimeError(f"{name} failed")

    async def record(job: str, arguments: dict[str, Any], error: BaseException, attempts: int) -> None:
        failures.append((job, arguments, str(error), attempts))

    def runs(outcome: str) -> float:
        return REGISTRY.get_sample_value("skillbridge_job_runs_total", {"job": "flaky", "outcome": outcome}) or 0.0

    before = {outcome: runs(outcome) for outcome in ("retrying", "failed", "succeeded")}
    runtime = JobRuntime.in_process(RetryPolicy(base_seconds=1, jitter=False))
    runtime.register([JobSpec("flaky", flaky, timeout_seconds=5, max_attempts=2)], on_failed=record)
    await runtime.startup()
    runtime.start_scheduler(first_runs_now=False, poll_seconds=0.5)
    try:
        await runtime.queue.enqueue("flaky", {"name": "x"})
        assert len(started) == 1  # embedded: the enqueue waited for the first run
        for _ in range(100):
            if failures:
                break
            await asyncio.sleep(0.1)
    finally:
        await runtime.shutdown()
    assert failures == [("flaky", {"name": "x"}, "x failed", 2)]
    assert started[1] - started[0] >= 0.9
    # counted on /metrics: one run that scheduled a retry, one that failed for good
    assert {outcome: runs(outcome) - count for outcome, count in before.items()} == {
        "retrying": 1.0,
        "failed": 1.0,
        "succeeded": 0.0,
    }


async def test_the_memory_schedule_source_forgets_a_one_off_schedule_once_sent() -> None:
    source = MemoryScheduleSource()
    one_off = ScheduledTask(
        task_name="noop", labels={}, args=[], kwargs={}, schedule_id="retry-1", time=datetime.now(UTC) - timedelta(1)
    )
    recurring = ScheduledTask(task_name="noop", labels={}, args=[], kwargs={}, schedule_id="tick", interval=60)
    await source.add_schedule(one_off)
    await source.add_schedule(recurring)
    await source.post_send(one_off)
    await source.post_send(recurring)
    assert [s.schedule_id for s in await source.get_schedules()] == ["tick"]
    await source.delete_schedule("tick")
    assert await source.get_schedules() == []
