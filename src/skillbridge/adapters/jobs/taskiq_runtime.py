"""The background job queue on taskiq: Redis streams in production, in process in the embedded default.

- Jobs are plain async callables registered under a name (:class:`JobSpec`), called with keyword arguments.
- Every job has a timeout (taskiq's ``timeout`` label) and is retried on any error with exponential backoff
  and jitter, up to ``max_attempts`` runs. A retry is not a sleep inside the worker: it is a schedule at a
  time, kept in a schedule source (Redis in production), so it survives a worker restart.
- When the last attempt fails, :class:`RecordFailuresForGood` hands the job to a hook (the composition root
  stores it in ``failed_jobs``), so a job is never dropped silently.
- Scheduled jobs (``every_seconds``) run on the scheduler's clock. In production ``skillbridge worker``
  runs the receiver and the scheduler; embedded, the API process runs the scheduler and jobs run inline.

On Redis the broker is a stream with a consumer group and acknowledgement after the run, so a job taken
by a worker that dies is delivered again (at least once): jobs must be idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from prometheus_client import Counter, Histogram
from taskiq import AsyncBroker, InMemoryBroker, ScheduleSource, TaskiqMessage, TaskiqMiddleware, TaskiqResult
from taskiq.cli.scheduler.run import SchedulerLoop
from taskiq.exceptions import NoResultError
from taskiq.middlewares import SmartRetryMiddleware
from taskiq.receiver import Receiver
from taskiq.schedule_sources import LabelScheduleSource
from taskiq.scheduler.scheduled_task import ScheduledTask
from taskiq.scheduler.scheduler import TaskiqScheduler
from taskiq_redis import ListRedisScheduleSource, RedisStreamBroker

from skillbridge.application.ports.job_queue import JobArgument, JobQueue
from skillbridge.domain.errors import DependencyUnavailable, NotFound
from skillbridge.domain.texts import N_

_log = structlog.get_logger(__name__)

#: The Redis key of the job stream; retry schedules live under ``<key>:retries:``.
QUEUE_KEY = "skillbridge:jobs"
CONSUMER_GROUP = "skillbridge-workers"

#: Runs of each job by outcome: ``succeeded``, ``retrying`` (failed, a retry is scheduled) or ``failed`` (for
#: good, recorded). On /metrics of the API process (embedded) or of ``skillbridge worker --metrics-port``.
JOB_RUNS = Counter("skillbridge_job_runs_total", "Background job runs by outcome", ["job", "outcome"])
JOB_SECONDS = Histogram("skillbridge_job_run_seconds", "How long one run of a background job took", ["job"])

#: Called with (job name, keyword arguments, the last error, how many runs it had) when a job fails for good.
FailureHook = Callable[[str, dict[str, Any], BaseException, int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A job: its name, what it runs, its timeout, how many runs it gets, and its clock if scheduled."""

    name: str
    run: Callable[..., Awaitable[object]]
    timeout_seconds: float
    max_attempts: int
    every_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Delay before retry ``n`` (1-based): ``base * 2**(n-1)``, at most ``max``, then scaled by a random
    factor in [0.5, 1] when ``jitter`` is on (so jobs that failed together do not retry together)."""

    base_seconds: float = 10.0
    max_seconds: float = 900.0
    jitter: bool = True

    def delay(self, retry: int) -> float:
        delay = min(self.base_seconds * 2.0 ** (retry - 1), self.max_seconds)
        return delay * random.uniform(0.5, 1.0) if self.jitter else delay  # noqa: S311 - not for security


class ExponentialBackoffRetry(SmartRetryMiddleware):
    """taskiq's retry middleware with the delays of a :class:`RetryPolicy` (its own backoff is linear)."""

    def __init__(self, policy: RetryPolicy, schedule_source: ScheduleSource) -> None:
        super().__init__(
            default_retry_count=1,
            default_retry_label=True,
            no_result_on_retry=True,
            default_delay=policy.base_seconds,
            schedule_source=schedule_source,
        )
        self._policy = policy

    def make_delay(self, message: TaskiqMessage, retries: int) -> float:
        return self._policy.delay(retries)


class RecordFailuresForGood(TaskiqMiddleware):
    """Hand a job whose last attempt failed to ``hook``.

    It must come *before* the retry middleware in the broker's list: taskiq calls ``on_error`` in reverse
    order, so the retry middleware has already decided, and a scheduled retry shows as ``NoResultError``.
    """

    def __init__(self, hook: FailureHook) -> None:
        super().__init__()
        self._hook = hook

    async def on_error(self, message: TaskiqMessage, result: TaskiqResult[Any], exception: BaseException) -> None:
        if isinstance(result.error, NoResultError):
            return  # a retry is scheduled
        attempts = int(message.labels.get("_retries", 0)) + 1
        try:
            await self._hook(message.task_name, dict(message.kwargs), exception, attempts)
        except Exception:  # the database is down too: the log line is all that is left
            _log.exception("failed_job_not_recorded", job=message.task_name, arguments=message.kwargs)


class CountRuns(TaskiqMiddleware):
    """Count every run by outcome, and time it (:data:`JOB_RUNS`, :data:`JOB_SECONDS`).

    ``post_execute`` comes after the error handlers, so a run whose retry is scheduled already shows
    ``NoResultError`` there."""

    def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        if not result.is_err:
            outcome = "succeeded"
        elif isinstance(result.error, NoResultError):
            outcome = "retrying"
        else:
            outcome = "failed"
        JOB_RUNS.labels(message.task_name, outcome).inc()
        JOB_SECONDS.labels(message.task_name).observe(result.execution_time)


class MemoryScheduleSource(ScheduleSource):
    """Retry schedules in process memory (embedded): gone with the process, like the in-process queue."""

    def __init__(self) -> None:
        self._schedules: dict[str, ScheduledTask] = {}

    async def get_schedules(self) -> list[ScheduledTask]:
        return list(self._schedules.values())

    async def add_schedule(self, schedule: ScheduledTask) -> None:
        self._schedules[schedule.schedule_id] = schedule

    async def delete_schedule(self, schedule_id: str) -> None:
        self._schedules.pop(schedule_id, None)

    async def post_send(self, task: ScheduledTask) -> None:
        if task.time is not None:  # a one-off retry has been sent
            self._schedules.pop(task.schedule_id, None)


def _task(spec: JobSpec) -> Callable[..., Awaitable[None]]:
    async def run(**arguments: Any) -> None:
        await spec.run(**arguments)

    run.__name__ = spec.name
    return run


class JobRuntime:
    """A taskiq broker with SkillBridge's jobs, retry and failure handling, and the scheduler of its clock.

    Build it with :meth:`in_process` or :meth:`on_redis`, :meth:`register` the jobs (once), :meth:`startup`
    it, then either produce (:attr:`queue`) or also run the scheduler (:meth:`run_scheduler`) and the worker
    (:meth:`run_worker`).
    """

    def __init__(
        self, broker: AsyncBroker, retry_source: ScheduleSource, retry: RetryPolicy, *, runs_inline: bool
    ) -> None:
        self.broker = broker
        self.retry = retry
        self.retry_source = retry_source
        #: Whether jobs run in this process when queued (embedded) instead of in a worker.
        self.runs_inline = runs_inline
        self.queue = TaskiqJobQueue(broker)
        self._specs: dict[str, JobSpec] = {}
        self._scheduler_task: asyncio.Task[None] | None = None

    @classmethod
    def in_process(cls, retry: RetryPolicy) -> JobRuntime:
        """Jobs run in this process when queued (the enqueue waits for the run); retries on its clock."""
        return cls(InMemoryBroker(await_inplace=True), MemoryScheduleSource(), retry, runs_inline=True)

    @classmethod
    def on_redis(
        cls, url: str, retry: RetryPolicy, *, queue_key: str = QUEUE_KEY, redeliver_after_seconds: float = 600.0
    ) -> JobRuntime:
        """Jobs go to the Redis stream ``queue_key``, read by ``skillbridge worker`` processes; retries wait
        in Redis. Environments sharing one Redis keep apart with their own ``queue_key``. A job left
        unacknowledged (its worker died) is given to a worker again once idle ``redeliver_after_seconds``; the
        broker looks for such jobs after each read that brought new ones (the scheduler's ticks are some)."""
        # consumer_id "0": a consumer group made after jobs were queued still reads them.
        broker = RedisStreamBroker(
            url,
            queue_name=queue_key,
            consumer_group_name=CONSUMER_GROUP,
            consumer_id="0",
            idle_timeout=round(redeliver_after_seconds * 1000),
        )
        retries = ListRedisScheduleSource(url, prefix=f"{queue_key}:retries")
        return cls(broker, retries, retry, runs_inline=False)

    def register(self, specs: Sequence[JobSpec], on_failed: FailureHook) -> None:
        """Register jobs under their names (with their timeout, attempts and clock as taskiq labels), and
        ``on_failed`` for the jobs that fail for good."""
        if self._specs:
            raise RuntimeError("the jobs are registered already")
        # Order matters: taskiq calls on_error last to first, so the retry decision is made before the
        # failure recorder looks at it (and the counter's post_execute runs after both).
        retrying = ExponentialBackoffRetry(self.retry, self.retry_source)
        self.broker.add_middlewares(CountRuns(), RecordFailuresForGood(on_failed), retrying)
        for spec in specs:
            labels: dict[str, Any] = {"timeout": spec.timeout_seconds, "max_retries": spec.max_attempts}
            if spec.every_seconds:
                labels["schedule"] = [{"interval": spec.every_seconds, "schedule_id": spec.name}]
            self.broker.register_task(_task(spec), task_name=spec.name, **labels)
            self._specs[spec.name] = spec

    @property
    def scheduled(self) -> list[JobSpec]:
        return [spec for spec in self._specs.values() if spec.every_seconds]

    async def startup(self, *, tolerate_unavailable: bool = False) -> None:
        """Start the broker. ``tolerate_unavailable`` (the API process): a Redis that does not answer is
        logged, not raised, so the API still starts (``/ready`` reports it); each enqueue tries again, and a job
        that cannot be queued is recorded as failed. A worker should fail instead, for its supervisor to see."""
        try:
            await self.broker.startup()
        except Exception:
            if not tolerate_unavailable:
                raise
            _log.warning("job_queue_unavailable_at_startup", exc_info=True)

    async def shutdown(self) -> None:
        await self.stop_scheduler()
        await self.broker.shutdown()

    async def run_scheduler(self, *, first_runs_now: bool, poll_seconds: float = 2.0) -> None:
        """Queue scheduled jobs on their clock and retries when due, until cancelled.

        ``first_runs_now``: a worker starting catches up at once; the API process (embedded) waits one
        interval first, as a server that just started has nothing overdue to find.
        """
        scheduler = TaskiqScheduler(self.broker, sources=[LabelScheduleSource(self.broker), self.retry_source])
        for source in scheduler.sources:
            await source.startup()
        loop = SchedulerLoop(scheduler)
        if not first_runs_now:
            now = datetime.now(UTC)
            loop.interval_tasks_last_run.update(dict.fromkeys((spec.name for spec in self.scheduled), now))
        await loop.run(update_interval=timedelta(seconds=poll_seconds), loop_interval=timedelta(seconds=1))

    def start_scheduler(self, *, first_runs_now: bool, poll_seconds: float = 2.0) -> None:
        """Run :meth:`run_scheduler` in the background of this event loop."""
        if self._scheduler_task is None:
            self._scheduler_task = asyncio.create_task(
                self.run_scheduler(first_runs_now=first_runs_now, poll_seconds=poll_seconds), name="job-scheduler"
            )

    async def stop_scheduler(self) -> None:
        task, self._scheduler_task = self._scheduler_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run_worker(
        self, *, concurrency: int = 10, stop: asyncio.Event | None = None, grace_seconds: float = 30.0
    ) -> None:
        """Take jobs from the broker and run them (Redis only: in process they run inline), until cancelled
        or until ``stop`` is set: then no new job is taken, the running ones get ``grace_seconds`` to finish,
        and this returns. A job still running then is left unacknowledged, and Redis gives it to a worker
        again once it has been idle for the broker's idle timeout (jobs are idempotent)."""
        stop = stop or asyncio.Event()
        self.broker.is_worker_process = True
        with ThreadPoolExecutor() as executor:
            while not stop.is_set():
                receiver = Receiver(
                    broker=self.broker,
                    executor=executor,
                    run_startup=False,
                    max_async_tasks=concurrency,
                    wait_tasks_timeout=grace_seconds,
                )
                try:
                    await receiver.listen(stop)
                except Exception:  # the broker lost Redis: listen again, as taskiq's own runner does
                    _log.warning("job_listener_failed", exc_info=True)
                    await asyncio.sleep(1.0)


class TaskiqJobQueue(JobQueue):
    """:class:`JobQueue` on a taskiq broker."""

    def __init__(self, broker: AsyncBroker) -> None:
        self._broker = broker

    async def enqueue(self, name: str, arguments: Mapping[str, JobArgument]) -> None:
        task = self._broker.find_task(name)
        if task is None:
            raise NotFound(N_("no job is named {name}"), field="name", params={"name": repr(name)})
        try:
            await task.kiq(**arguments)
        except Exception as exc:
            raise DependencyUnavailable(N_("the job queue does not answer")) from exc
