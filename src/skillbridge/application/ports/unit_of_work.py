"""UnitOfWork port: one transaction spanning the repositories a use case touches."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from skillbridge.application.ports.repositories import (
    AuditLog,
    BadgeRepository,
    ChatRepository,
    FailedJobRepository,
    ForumPostRepository,
    MentorshipRepository,
    NotificationRepository,
    ProgressLogRepository,
    RefreshSessionRepository,
    RoadmapRepository,
    UserRepository,
    WebhookDeliveryRepository,
)


class UnitOfWork(Protocol):
    """A transaction. Use as ``async with uow: ...; await uow.commit()``.

    Leaving the block without ``commit`` rolls everything back, so a use case that raises half way
    stores nothing. ``acting_user_id`` (set before entering) is handed to the database for row-level
    security policies where the adapter supports them.
    """

    acting_user_id: UUID | None
    users: UserRepository
    refresh_sessions: RefreshSessionRepository
    mentorships: MentorshipRepository
    roadmaps: RoadmapRepository
    audit: AuditLog
    badges: BadgeRepository
    chat: ChatRepository
    progress_logs: ProgressLogRepository
    webhook_deliveries: WebhookDeliveryRepository
    notifications: NotificationRepository
    forum_posts: ForumPostRepository
    failed_jobs: FailedJobRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None:
        """Make every write of this unit visible. Raises Conflict if a unique key clashed at commit time."""
        ...

    async def rollback(self) -> None:
        """Discard every write since the last commit."""
        ...
