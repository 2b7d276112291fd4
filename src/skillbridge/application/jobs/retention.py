"""The scheduled retention job: what is kept only for a while goes when its time is up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork

#: The reason of the job's audited bypass (it reaches every account's rows).
RETENTION_REASON = "job:apply_retention"


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long each kind of data is kept (``SKILLBRIDGE_RETENTION_*``, ``SKILLBRIDGE_ROADMAP_UNDO_DAYS``)."""

    expired_sessions: timedelta = timedelta(days=30)  # after the refresh token expired
    webhook_payloads: timedelta = timedelta(days=30)  # after the delivery arrived
    read_notifications: timedelta = timedelta(days=180)  # after it was read
    deleted_roadmaps: timedelta = timedelta(days=30)  # the undo window
    deleted_notifications: timedelta = timedelta(0)  # no undo: gone at the next run
    failed_jobs: timedelta = timedelta(days=90)  # after the job failed for good
    audit: timedelta = timedelta(days=365)  # after the entry was made


@dataclass(frozen=True, slots=True)
class RetentionSweep:
    """How many rows one run removed (or emptied, for webhook payloads), by kind."""

    expired_sessions: int
    webhook_payloads: int
    notifications: int
    deleted_roadmaps: int
    failed_jobs: int
    audit_entries: int

    @property
    def total(self) -> int:
        return (
            self.expired_sessions
            + self.webhook_payloads
            + self.notifications
            + self.deleted_roadmaps
            + self.failed_jobs
            + self.audit_entries
        )


class ApplyRetention:
    """Remove what has outlived its retention period (the scheduled job ``apply_retention``).

    Rules, each measured back from the clock's now with its period of :class:`RetentionPolicy`:
    - refresh tokens that expired more than ``expired_sessions`` ago go;
    - webhook deliveries older than ``webhook_payloads`` lose their payload (the commits, their authors),
      keeping the delivery id, which deduplicates a redelivery;
    - notifications read more than ``read_notifications`` ago go, and deleted ones after
      ``deleted_notifications``;
    - roadmaps deleted more than ``deleted_roadmaps`` ago (their undo window) go with their versions and
      progress;
    - failed jobs older than ``failed_jobs`` go;
    - audit entries older than ``audit`` go (on PostgreSQL through the schema owner's function: the
      application role still may not delete them, see migration 0012).

    Idempotent: a second run at the same instant removes nothing. It acts for the system (audited).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, policy: RetentionPolicy) -> None:
        self._uow = uow
        self._clock = clock
        self._policy = policy

    async def __call__(self) -> RetentionSweep:
        now, policy = self._clock.now(), self._policy
        self._uow.act_for_system(RETENTION_REASON)
        async with self._uow as uow:
            sweep = RetentionSweep(
                expired_sessions=await uow.refresh_sessions.purge_expired(now - policy.expired_sessions),
                webhook_payloads=await uow.webhook_deliveries.empty_payloads(now - policy.webhook_payloads),
                notifications=await uow.notifications.purge(
                    deleted_before=now - policy.deleted_notifications, read_before=now - policy.read_notifications
                ),
                deleted_roadmaps=await uow.roadmaps.purge_deleted(now - policy.deleted_roadmaps),
                failed_jobs=await uow.failed_jobs.purge(now - policy.failed_jobs),
                audit_entries=await uow.audit.purge(now - policy.audit),
            )
            await uow.commit()
        return sweep
