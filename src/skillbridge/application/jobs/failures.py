"""Failed jobs for admins: listing them and queueing one again."""

from __future__ import annotations

from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.jobs.submitting import SubmitJob
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import Conflict
from skillbridge.domain.jobs.failure import FailedJob
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.texts import N_


class ListFailedJobs:
    """Failed jobs, newest first; only those not retried yet unless ``include_retried``. Admins only."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, page: PageRequest, include_retried: bool = False) -> Page[FailedJob]:
        principal.require(Role.ADMIN)
        self._uow.act_for_system("admin:list_failed_jobs")
        async with self._uow.reading() as uow:
            return await uow.failed_jobs.list(page, include_retried=include_retried)


class RetryFailedJob:
    """Queue a failed job again with the same arguments. Admins only; audited.

    Rules: a record is retried once (409 the second time: a new failure makes a new record); the record is
    marked first and the job queued after the commit, so two admins clicking at once queue it once; a job
    the broker cannot take is recorded again (see :class:`SubmitJob`). Returns the record and whether the
    job was queued.
    """

    def __init__(self, uow: UnitOfWork, submit: SubmitJob, clock: Clock) -> None:
        self._uow = uow
        self._submit = submit
        self._clock = clock

    async def __call__(self, principal: Principal, failed_job_id: UUID) -> tuple[FailedJob, bool]:
        principal.require(Role.ADMIN)
        self._uow.act_for_system("admin:retry_failed_job")
        now = self._clock.now()
        async with self._uow as uow:
            failed = await uow.failed_jobs.get(failed_job_id)
            if failed.retried_at is not None or not await uow.failed_jobs.mark_retried(failed.id, now):
                raise Conflict(N_("this failed job was already queued again"), field="failed_job_id")
            await uow.audit.record(
                AuditEntry(
                    action="job.retried",
                    at=now,
                    actor_id=principal.user_id,
                    subject_type="failed_job",
                    subject_id=str(failed.id),
                    details={"name": failed.name},
                )
            )
            await uow.commit()
        return failed.retried(now), await self._submit(failed.name, failed.arguments)
