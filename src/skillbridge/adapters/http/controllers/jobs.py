"""/api/v1/admin/jobs: background jobs that failed for good, for admins (the use cases check the role too)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from dishka.integrations.litestar import FromDishka
from litestar import Controller, get, post
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED

from skillbridge.adapters.http.access import only
from skillbridge.adapters.http.auth import SECURITY
from skillbridge.adapters.http.controllers.users import MAX_OFFSET
from skillbridge.adapters.http.schemas.jobs import FailedJobOut, FailedJobPage, RetryOut
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.jobs.failures import ListFailedJobs, RetryFailedJob
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.pagination import MAX_LIMIT, PageRequest


class AdminJobsController(Controller):
    path = "/admin/jobs"
    tags = ["admin"]
    opt = only(Role.ADMIN)
    security = SECURITY

    @get(
        "/failed",
        summary="Background jobs that failed for good (admins only)",
        description="Newest first. A job lands here when its last retry failed, or when the queue could not "
        "take it (attempts 0). Retried ones only with `include_retried=true`.",
    )
    async def list_failed(
        self,
        principal: FromDishka[Principal],
        list_failed: FromDishka[ListFailedJobs],
        include_retried: Annotated[bool, QueryParameter(description="also those queued again")] = False,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> FailedJobPage:
        page = await list_failed(principal, PageRequest(limit=limit, offset=offset), include_retried)
        return FailedJobPage.of(page)

    @post(
        "/failed/{failed_job_id:uuid}/retry",
        status_code=HTTP_202_ACCEPTED,
        summary="Queue a failed job again, with the same arguments (admins only)",
        description="202 with `queued`; 409 when it was queued again already; 404 for an unknown id. "
        "Jobs are idempotent, so retrying one whose effects happened meanwhile changes nothing.",
    )
    async def retry(
        self, failed_job_id: FromPath[UUID], principal: FromDishka[Principal], retry: FromDishka[RetryFailedJob]
    ) -> RetryOut:
        failed, queued = await retry(principal, failed_job_id)
        return RetryOut(failed_job=FailedJobOut.of(failed), queued=queued)
