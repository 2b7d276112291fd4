"""UnitOfWork port: one transaction spanning the repositories a use case touches."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from skillbridge.application.ports.erasure import PersonalDataEraser
from skillbridge.application.ports.repositories import (
    AuditLog,
    BadgeRepository,
    ChatRepository,
    ConsentRepository,
    FailedJobRepository,
    ForumPostRepository,
    MatchingRoundRepository,
    MentorshipRepository,
    NotificationRepository,
    NotificationSettingsRepository,
    ProgressLogRepository,
    RefreshSessionRepository,
    RoadmapRepository,
    TwoFactorRepository,
    UserRepository,
    WebhookDeliveryRepository,
)


class UnitOfWork(Protocol):
    """A transaction. Use as ``async with uow: ...; await uow.commit()``.

    Leaving the block without ``commit`` rolls everything back, so a use case that raises half way
    stores nothing. ``acting_user_id`` (set before the first block) is handed to the database for
    row-level security policies where the adapter supports them: the unit then reaches only what that user
    may (nothing at all when nobody acts). A job, an admin operation or a sign-in before anyone is known
    calls :meth:`act_for_system` instead, which lifts that limit and is audited where it is enforced.

    One unit serves one request (or job, or script call) and may be entered several times, one block after
    the other; an adapter may keep one database connection for all of them until :meth:`release`.
    A use case that only reads enters ``async with uow.reading():`` instead: the adapter may then skip the
    transaction, so each read sees the latest committed data but two reads need not see the same snapshot.
    """

    acting_user_id: UUID | None
    #: Why this unit acts for the system rather than for one user (see :meth:`act_for_system`); None: it does not.
    system_reason: str | None
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
    matching_rounds: MatchingRoundRepository
    two_factor: TwoFactorRepository
    notification_settings: NotificationSettingsRepository
    consents: ConsentRepository
    erasure: PersonalDataEraser

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

    def act_for_system(self, reason: str) -> None:
        """From the next block on, reach every row, not only the acting user's (a job, an admin operation).

        ``reason`` (for example ``"job:send_session_reminders"``) is recorded in the audit log, with the
        acting user if one is set, by an adapter that enforces row-level security. Raises ValueError if
        ``reason`` is empty.
        """
        ...

    async def elevate(self, reason: str) -> None:
        """Inside a writing block: reach every row until the block ends (what a use case does when one
        user's act has consequences for others that no policy of theirs covers: the next mentor offered
        after a decline, the badges a learner's rating earns the mentor). Audited with the block's writes
        where row-level security is enforced. Raises ValueError if ``reason`` is empty."""
        ...

    async def release(self) -> None:
        """Give back whatever the unit holds between blocks (a database connection). Safe to call twice."""
        ...

    async def commit(self) -> None:
        """Make every write of this unit visible. Raises Conflict if a unique key clashed at commit time."""
        ...

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` right after the block's next :meth:`commit` succeeds. A block left, or rolled
        back, before that drops it uncalled (its writes were never made), as does a commit that fails."""
        ...

    async def rollback(self) -> None:
        """Discard every write since the last commit."""
        ...


def run_after_commit(callbacks: list[Callable[[], None]]) -> None:
    """Call, then forget, the callbacks :meth:`UnitOfWork.after_commit` kept for a commit that succeeded
    (shared by the adapters)."""
    pending = list(callbacks)
    callbacks.clear()
    for callback in pending:
        callback()


def system_reason(reason: str) -> str:
    """``reason`` checked for :meth:`UnitOfWork.act_for_system` (shared by the adapters)."""
    reason = reason.strip()
    if not reason:
        raise ValueError("acting for the system needs a reason")
    return reason
