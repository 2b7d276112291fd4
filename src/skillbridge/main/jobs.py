"""The background jobs of SkillBridge: which use case each runs, on which clock, and the runtime behind them.

Each job opens a request scope of its own on the container, runs its use case, then pushes the
notifications the use case stored (when the container can push: the API process and ``skillbridge
worker`` can, plain scripts cannot). A job that fails for good is stored through :class:`RecordFailedJob`.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Any
from uuid import UUID

import prometheus_client
import structlog
from dishka import AsyncContainer, Provider, Scope, provide, provide_all
from dishka.exceptions import NoFactoryError

from skillbridge.adapters.http.observability import configure_logging
from skillbridge.adapters.jobs.taskiq_runtime import FailureHook, JobRuntime, JobSpec, RetryPolicy
from skillbridge.adapters.realtime.channels import build_channels_plugin, channels_redis_client
from skillbridge.application.accounts.email_verification import (
    MailEmailVerification,
    RequestEmailVerification,
    ResendVerification,
)
from skillbridge.application.accounts.password_reset import MailPasswordReset, RequestPasswordReset
from skillbridge.application.jobs.failures import RetryFailedJob
from skillbridge.application.jobs.names import JobName
from skillbridge.application.jobs.recording import RecordFailedJob
from skillbridge.application.jobs.retention import ApplyRetention
from skillbridge.application.jobs.submitting import SubmitJob
from skillbridge.application.matching.expiry import ExpireUnansweredMatches
from skillbridge.application.matching.reminders import SendSessionReminders
from skillbridge.application.matching.round_jobs import ExecuteMatchingRound, StartMatchingRound
from skillbridge.application.notifications.delivery import DeliverStoredNotifications
from skillbridge.application.notifications.digest import SendNotificationDigests
from skillbridge.application.notifications.mailing import MailNotification
from skillbridge.application.ports.job_queue import JobQueue
from skillbridge.application.progress.webhooks import ProcessGithubDelivery
from skillbridge.main.container import build_container
from skillbridge.main.error_reports import start_error_reports
from skillbridge.main.providers import RealtimeProvider
from skillbridge.main.settings import Settings
from skillbridge.main.tracing import add_trace_ids, flush_traces, start_tracing, trace_jobs

_log = structlog.get_logger(__name__)


async def _push_stored(scope: AsyncContainer) -> None:
    try:
        deliver = await scope.get(DeliverStoredNotifications)
    except NoFactoryError:  # a container without live delivery (scripts): the inbox still lists them
        return
    await deliver()


def job_specs(container: AsyncContainer, settings: Settings) -> list[JobSpec]:
    """Every job, bound to ``container``. Timeouts and attempts come from ``settings``."""

    async def process_github_delivery(delivery_id: str) -> None:
        async with container() as scope:
            await (await scope.get(ProcessGithubDelivery))(delivery_id)
            await _push_stored(scope)

    async def expire_unanswered_matches() -> None:
        async with container() as scope:
            expired = await (await scope.get(ExpireUnansweredMatches))()
            await _push_stored(scope)
        if expired:
            _log.info("match_requests_expired", count=expired)

    async def send_session_reminders() -> None:
        async with container() as scope:
            sent = await (await scope.get(SendSessionReminders))()
            await _push_stored(scope)
        if sent:
            _log.info("session_reminders_sent", count=sent)

    async def send_notification_digests() -> None:
        async with container() as scope:
            sent = await (await scope.get(SendNotificationDigests))()
        if sent:
            _log.info("notification_digests_sent", count=sent)

    async def mail_notification(
        user_id: str,
        notification_type: str,
        message: str,
        text_message: str | None = None,
        text_params: str | None = None,
    ) -> None:
        async with container() as scope:
            mail = await scope.get(MailNotification)
            await mail(user_id, notification_type, message, text_message, text_params)

    async def apply_retention() -> None:
        async with container() as scope:
            sweep = await (await scope.get(ApplyRetention))()
        if sweep.total:
            _log.info("retention_applied", **{name: getattr(sweep, name) for name in sweep.__dataclass_fields__})

    async def mail_password_reset(email: str, languages: str = "") -> None:
        async with container() as scope:
            await (await scope.get(MailPasswordReset))(email, languages)

    async def mail_email_verification(user_id: str, languages: str = "") -> None:
        async with container() as scope:
            await (await scope.get(MailEmailVerification))(user_id, languages)

    async def run_matching_round(round_id: str) -> None:
        async with container() as scope:
            done = await (await scope.get(ExecuteMatchingRound))(UUID(round_id))
            await _push_stored(scope)
        _log.info("matching_round_ran", round_id=round_id, status=done.status.value, stored=done.matches_stored)

    timeout, attempts = settings.jobs_timeout_seconds, settings.jobs_max_attempts
    return [
        JobSpec(JobName.PROCESS_GITHUB_DELIVERY, process_github_delivery, timeout, attempts),
        JobSpec(JobName.MAIL_PASSWORD_RESET, mail_password_reset, timeout, attempts),
        JobSpec(JobName.MAIL_EMAIL_VERIFICATION, mail_email_verification, timeout, attempts),
        JobSpec(JobName.MAIL_NOTIFICATION, mail_notification, timeout, attempts),
        # The solve comes before the time budget of the writes: the job gets both.
        JobSpec(
            JobName.RUN_MATCHING_ROUND,
            run_matching_round,
            timeout + settings.match_round_job_max_seconds,
            attempts,
        ),
        # A scheduled job is not retried: the next tick is its retry.
        JobSpec(
            JobName.EXPIRE_UNANSWERED_MATCHES,
            expire_unanswered_matches,
            timeout,
            1,
            every_seconds=settings.match_expiry_sweep_seconds or None,
        ),
        JobSpec(
            JobName.SEND_SESSION_REMINDERS,
            send_session_reminders,
            timeout,
            1,
            every_seconds=settings.session_reminder_sweep_seconds or None,
        ),
        JobSpec(
            JobName.SEND_NOTIFICATION_DIGESTS,
            send_notification_digests,
            timeout,
            1,
            every_seconds=settings.notification_digest_sweep_seconds or None,
        ),
        JobSpec(
            JobName.APPLY_RETENTION,
            apply_retention,
            timeout,
            1,
            every_seconds=settings.retention_sweep_seconds or None,
        ),
    ]


def build_job_runtime(settings: Settings) -> JobRuntime:
    """The runtime ``settings`` ask for: in process (embedded), or on Redis for ``skillbridge worker``."""
    retry = RetryPolicy(base_seconds=settings.jobs_retry_base_seconds, max_seconds=settings.jobs_retry_max_seconds)
    if settings.jobs_run_inline or settings.redis_url is None:
        return JobRuntime.in_process(retry)
    return JobRuntime.on_redis(
        settings.redis_url,
        retry,
        queue_key=settings.jobs_queue_key,
        redeliver_after_seconds=settings.jobs_redeliver_after_seconds,
    )


def failure_recorder(container: AsyncContainer) -> FailureHook:
    """The hook that stores a job that failed for good (``failed_jobs``), in a scope of ``container``."""

    async def record(name: str, arguments: dict[str, Any], error: BaseException, attempts: int) -> None:
        async with container() as scope:
            await (await scope.get(RecordFailedJob))(name, arguments, error, attempts)

    return record


def register_jobs(runtime: JobRuntime, container: AsyncContainer, settings: Settings) -> None:
    """Register every job on ``runtime``, bound to ``container``; failures for good are stored through it."""
    runtime.register(job_specs(container, settings), on_failed=failure_recorder(container))


class JobsProvider(Provider):
    """The job queue of a :class:`JobRuntime` (owned by whoever built it) and the use cases on it."""

    def __init__(self, runtime: JobRuntime) -> None:
        super().__init__()
        self._runtime = runtime

    @provide(scope=Scope.APP)
    def job_queue(self) -> JobQueue:
        return self._runtime.queue

    use_cases = provide_all(
        SubmitJob,
        RetryFailedJob,
        StartMatchingRound,
        RequestPasswordReset,
        RequestEmailVerification,
        ResendVerification,
        scope=Scope.REQUEST,
    )


def _stop_on_signals(task: asyncio.Task[Any] | None, stop: asyncio.Event) -> None:
    """The first SIGTERM (a supervisor) or SIGINT (Ctrl-C) stops the worker gracefully: no new job is taken,
    the running ones get the grace period. A second one cancels the worker's task at once; a job cut short is
    not acknowledged, so Redis hands it to a worker again (jobs are idempotent)."""
    if task is None:
        return
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if stop.is_set():
            task.cancel()
        else:
            _log.info("worker_stopping")
            stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal)


async def run_worker(
    settings: Settings, *, concurrency: int, with_scheduler: bool, metrics_port: int | None = None
) -> None:
    """``skillbridge worker``: run jobs from Redis (and the scheduler's clock) until cancelled or signalled.

    The worker pushes the notifications its jobs store through the same Redis channels as the API, so a
    reminder reaches an open WebSocket at once.
    """
    if settings.redis_url is None:
        raise RuntimeError("the worker needs SKILLBRIDGE_REDIS_URL")
    tracing = start_tracing(service_name="skillbridge-worker")
    configure_logging(settings.log_level, json=settings.log_json, extra_processors=(add_trace_ids,) if tracing else ())
    start_error_reports(settings)
    if metrics_port is not None:
        prometheus_client.start_http_server(metrics_port, addr=settings.host)
    runtime = build_job_runtime(settings)
    trace_jobs(runtime.broker)
    redis = channels_redis_client(settings.redis_url)
    channels = build_channels_plugin(redis)
    container = build_container(settings, extra=(RealtimeProvider(channels), JobsProvider(runtime)))
    register_jobs(runtime, container, settings)
    stop = asyncio.Event()
    _stop_on_signals(asyncio.current_task(), stop)
    try:
        async with channels:
            await runtime.startup()
            if with_scheduler:
                runtime.start_scheduler(first_runs_now=True)
            _log.info("worker_started", concurrency=concurrency, scheduler=with_scheduler)
            with contextlib.suppress(asyncio.CancelledError):
                await runtime.run_worker(
                    concurrency=concurrency, stop=stop, grace_seconds=settings.shutdown_grace_seconds
                )
            _log.info("worker_stopped")
    finally:
        await runtime.shutdown()
        await container.close()
        await redis.aclose()
        await flush_traces()
