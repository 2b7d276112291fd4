"""/api/v1/progress and /api/v1/roadmaps/{id}/repository: the progress report, events reported by hand, and
linking a GitHub repository to a roadmap."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from dishka.integrations.litestar import FromDishka
from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT, HTTP_503_SERVICE_UNAVAILABLE

from skillbridge.adapters.http.auth import SECURITY
from skillbridge.adapters.http.controllers.users import MAX_OFFSET
from skillbridge.adapters.http.problems import problem_responses
from skillbridge.adapters.http.schemas.progress import (
    ProgressEventOut,
    ProgressLogIn,
    ProgressOut,
    RepositoryLinkIn,
    RepositoryLinkOut,
    details_of,
)
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.progress.linking import LinkRepository, UnlinkRepository
from skillbridge.application.progress.reporting import GetProgress, LogProgressEvent
from skillbridge.domain.pagination import MAX_LIMIT, PageRequest

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="timeline page size")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="timeline events to skip")]


class ProgressController(Controller):
    path = "/progress"
    tags = ["progress"]
    security = SECURITY

    @post(
        "/log",
        status_code=HTTP_201_CREATED,
        summary="Report a progress event on one's own roadmap",
        description="`event_type` is one of commit, study_session, resource_completed, note; it decides the "
        "fields of `details`. Only the roadmap's owner reports (its active mentor gets 403, anyone else 404).",
    )
    async def log(
        self, data: JSONBody[ProgressLogIn], principal: FromDishka[Principal], log_event: FromDishka[LogProgressEvent]
    ) -> ProgressEventOut:
        event_type = type(data).__struct_config__.tag
        event = await log_event(principal, data.roadmap_id, str(event_type), details_of(data))
        return ProgressEventOut.of(event)

    @get(
        "/{roadmap_id:uuid}",
        summary="A roadmap's progress: percentage, completed modules, timeline, weekly streaks",
        description="For the owner and the owner's active mentor; anyone else gets 404. Streaks count ISO 8601 "
        "weeks (Monday to Sunday) in UTC with at least one event; the current streak stays alive until a "
        "whole week passes without one. The timeline is newest first.",
    )
    async def report(
        self,
        roadmap_id: FromPath[UUID],
        principal: FromDishka[Principal],
        get_progress: FromDishka[GetProgress],
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> ProgressOut:
        return ProgressOut.of(await get_progress(principal, roadmap_id, PageRequest(limit=limit, offset=offset)))


class RoadmapRepositoryController(Controller):
    path = "/roadmaps/{roadmap_id:uuid}/repository"
    tags = ["progress"]
    security = SECURITY

    @post(
        "/",
        status_code=HTTP_200_OK,
        responses=problem_responses(HTTP_503_SERVICE_UNAVAILABLE),
        summary="Link a public GitHub repository to one's roadmap",
        description="The repository must be public and owned by, or have commits by, the learner's "
        "`profile.github_username`. The newest 30 commits are logged once (their `done: <module>` tags "
        "complete modules); pushes then arrive through the webhook. GitHub's rate limit gives 503 with Retry-After.",
    )
    async def link(
        self,
        roadmap_id: FromPath[UUID],
        data: JSONBody[RepositoryLinkIn],
        principal: FromDishka[Principal],
        link: FromDishka[LinkRepository],
    ) -> RepositoryLinkOut:
        return RepositoryLinkOut.of(await link(principal, roadmap_id, data.full_name))

    @delete("/", status_code=HTTP_204_NO_CONTENT, summary="Unlink the roadmap's repository (its events stay)")
    async def unlink(
        self, roadmap_id: FromPath[UUID], principal: FromDishka[Principal], unlink: FromDishka[UnlinkRepository]
    ) -> None:
        await unlink(principal, roadmap_id)
