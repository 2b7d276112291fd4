"""Schemas of the progress, repository-link, webhook and GitHub-login endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta, Struct

from skillbridge.application.progress.linking import LinkResult
from skillbridge.application.progress.reporting import ProgressReport
from skillbridge.domain.progress.events import MAX_MESSAGE_LENGTH, MAX_MINUTES, MAX_NOTE_LENGTH, ProgressEvent
from skillbridge.domain.roadmaps.rules import MAX_URL_LENGTH

#: The streak rule, said in every progress answer so a client does not have to guess it.
STREAK_BASIS = "ISO 8601 weeks (Monday to Sunday) in UTC"

RepositoryName = Annotated[
    str,
    Meta(
        min_length=3,
        max_length=140,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$",
        examples=["amara-dev/python-exercises"],
    ),
]
CommitHash = Annotated[str, Meta(pattern=r"^[0-9a-fA-F]{7,40}$", examples=["9f2c1e7"])]
ModuleId = Annotated[str, Meta(min_length=1, max_length=20, examples=["m3"])]
Url = Annotated[str, Meta(min_length=1, max_length=MAX_URL_LENGTH)]


class _Body(Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: a field outside the schema is an error."""


class RepositoryLinkIn(_Body):
    full_name: RepositoryName


class CommitDetailsIn(_Body):
    repo: RepositoryName
    commit_hash: CommitHash
    message: Annotated[str, Meta(max_length=MAX_MESSAGE_LENGTH)] | None = None
    url: Url | None = None


class StudySessionDetailsIn(_Body):
    minutes: Annotated[int, Meta(ge=1, le=MAX_MINUTES)]
    module_id: ModuleId | None = None
    note: Annotated[str, Meta(max_length=MAX_NOTE_LENGTH)] | None = None


class ResourceCompletedDetailsIn(_Body):
    module_id: ModuleId
    url: Url


class NoteDetailsIn(_Body):
    text: Annotated[str, Meta(min_length=1, max_length=MAX_NOTE_LENGTH)]


class _LogIn(_Body, tag_field="event_type", kw_only=True):
    roadmap_id: (
        Annotated[
            UUID,
            Meta(
                description="the roadmap reported on; may be left out (as the spec sends it) when the learner "
                "has exactly one roadmap in progress (below 100 %), else 422 on roadmap_id"
            ),
        ]
        | None
    ) = None


class CommitLogIn(_LogIn, tag="commit"):
    """A commit made somewhere other than a linked GitHub repository."""

    details: CommitDetailsIn


class StudySessionLogIn(_LogIn, tag="study_session"):
    details: StudySessionDetailsIn


class ResourceCompletedLogIn(_LogIn, tag="resource_completed"):
    details: ResourceCompletedDetailsIn


class NoteLogIn(_LogIn, tag="note"):
    details: NoteDetailsIn


#: ``POST /progress/log``: the ``event_type`` field picks the shape of ``details``.
ProgressLogIn = CommitLogIn | StudySessionLogIn | ResourceCompletedLogIn | NoteLogIn


def details_of(body: ProgressLogIn) -> dict[str, Any]:
    """The sent details as plain values, without the fields left out."""
    return {key: value for key, value in msgspec.structs.asdict(body.details).items() if value is not None}


class ProgressEventOut(Struct, kw_only=True):
    id: UUID
    event_type: str
    details: dict[str, Any]
    occurred_at: datetime
    recorded_at: datetime

    @classmethod
    def of(cls, event: ProgressEvent) -> ProgressEventOut:
        return cls(
            id=event.id,
            event_type=event.event_type.value,
            details=event.details,
            occurred_at=event.occurred_at,
            recorded_at=event.created_at,
        )


class ProgressEventPage(Struct, kw_only=True):
    items: list[ProgressEventOut]
    total: int
    limit: int
    offset: int


class CompletedModuleOut(Struct, kw_only=True):
    id: str
    title: str
    completed_at: datetime | None


class StreaksOut(Struct, kw_only=True):
    current_weeks: int
    longest_weeks: int
    basis: str = STREAK_BASIS


class ProgressOut(Struct, kw_only=True):
    roadmap_id: UUID
    percentage: float
    completed_modules: list[CompletedModuleOut]
    total_modules: int
    repository: str | None
    streaks: StreaksOut
    timeline: ProgressEventPage

    @classmethod
    def of(cls, report: ProgressReport) -> ProgressOut:
        roadmap, timeline = report.roadmap, report.timeline
        return cls(
            roadmap_id=roadmap.id,
            percentage=roadmap.progress,
            completed_modules=[
                CompletedModuleOut(id=module.id, title=module.title, completed_at=module.completed_at)
                for module in roadmap.modules
                if module.completed
            ],
            total_modules=len(roadmap.modules),
            repository=roadmap.repository,
            streaks=StreaksOut(current_weeks=report.streaks.current, longest_weeks=report.streaks.longest),
            timeline=ProgressEventPage(
                items=[ProgressEventOut.of(event) for event in timeline.items],
                total=timeline.total,
                limit=timeline.limit,
                offset=timeline.offset,
            ),
        )


class RepositoryLinkOut(Struct, kw_only=True):
    roadmap_id: UUID
    repository: str
    html_url: str
    commits_logged: int
    modules_completed: list[str]
    progress: float
    version: int

    @classmethod
    def of(cls, result: LinkResult) -> RepositoryLinkOut:
        return cls(
            roadmap_id=result.roadmap.id,
            repository=result.repository.full_name,
            html_url=result.repository.html_url,
            commits_logged=result.commits_logged,
            modules_completed=list(result.modules_completed),
            progress=result.roadmap.progress,
            version=result.roadmap.version,
        )


class WebhookAck(Struct, kw_only=True):
    """What became of a delivery: ``pong``, ``queued`` (processed after this answer), ``duplicate``
    (seen before: not processed again) or ``ignored`` (an event or action progress does not use)."""

    delivery_id: str
    event: str
    status: str


class GithubLoginOut(Struct, kw_only=True):
    authorization_url: str
