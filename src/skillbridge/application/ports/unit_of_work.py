"""UnitOfWork port: one transaction spanning the repositories a use case touches."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
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
    stores nothing. ``acting_user_id`` (set before the first block) is handed to the database for
    row-level security policies where the adapter supports them.

    One unit serves one request (or job, or script call) and may be entered several times, one block after
    the other; an adapter may keep one database connection for all of them until :meth:`release`.
    A use case that only reads enters ``async with uow.reading():`` instead: the adapter may then skip the
    transaction, so each read sees the latest committed data but two reads need not see the same snapshot.
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

    def reading(self) -> AbstractAsyncContextManager[Self]:
        """Enter a block that only reads (see above); writing in it is a programming error."""
        ...

    async def release(self) -> None:
        """Give back whatever the unit holds between blocks (a database connection). Safe to call twice."""
        ...

    async def commit(self) -> None:
        """Make every write of this unit visible. Raises Conflict if a unique key clashed at commit time."""
        ...

    async def rollback(self) -> None:
        """Discard every write since the last commit."""
        ...
