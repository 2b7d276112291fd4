"""The in-memory unit of work: staged writes, applied all at once on commit."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Self
from uuid import UUID

from skillbridge.adapters.persistence.memory.badges import MemoryBadgeRepository
from skillbridge.adapters.persistence.memory.chat import MemoryChatRepository
from skillbridge.adapters.persistence.memory.consents import MemoryConsentRepository
from skillbridge.adapters.persistence.memory.database import MemoryDatabase, Staging
from skillbridge.adapters.persistence.memory.erasure import MemoryPersonalDataEraser
from skillbridge.adapters.persistence.memory.failed_jobs import MemoryFailedJobRepository
from skillbridge.adapters.persistence.memory.forum import MemoryForumPostRepository
from skillbridge.adapters.persistence.memory.matching_rounds import MemoryMatchingRoundRepository
from skillbridge.adapters.persistence.memory.notification_settings import MemoryNotificationSettingsRepository
from skillbridge.adapters.persistence.memory.notifications import MemoryNotificationRepository
from skillbridge.adapters.persistence.memory.progress import (
    MemoryProgressLogRepository,
    MemoryWebhookDeliveryRepository,
)
from skillbridge.adapters.persistence.memory.repositories import (
    MemoryAuditLog,
    MemoryMentorshipRepository,
    MemoryRefreshSessionRepository,
    MemoryUserRepository,
)
from skillbridge.adapters.persistence.memory.roadmaps import MemoryRoadmapRepository
from skillbridge.adapters.persistence.memory.two_factor import MemoryTwoFactorRepository
from skillbridge.application.ports.unit_of_work import UnitOfWork, run_after_commit, system_reason


class MemoryUnitOfWork(UnitOfWork):
    """:class:`UnitOfWork` on a :class:`MemoryDatabase`.

    Writes are checked when made (so a duplicate email fails at ``add``, as in SQL) and again on the
    newest committed state at ``commit``, which raises ``Conflict`` and stores nothing if another unit
    committed a clashing write meanwhile. ``acting_user_id`` and :meth:`act_for_system` are accepted for
    parity and change nothing: memory has no row-level security.
    """

    def __init__(
        self,
        database: MemoryDatabase,
        *,
        acting_user_id: UUID | None = None,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._database = database
        self._on_commit = on_commit
        self._after_commit: list[Callable[[], None]] = []  # the open block's (see after_commit)
        self._staging: Staging | None = None
        self.acting_user_id = acting_user_id
        self.system_reason: str | None = None

    def act_for_system(self, reason: str) -> None:
        self.system_reason = system_reason(reason)

    async def elevate(self, reason: str) -> None:
        system_reason(reason)  # checked for parity; memory reaches every row anyway

    async def __aenter__(self) -> Self:
        if self._staging is not None:
            raise RuntimeError("the unit of work is already entered")
        staging = Staging(self._database)
        self._staging = staging
        self.users = MemoryUserRepository(staging)
        self.refresh_sessions = MemoryRefreshSessionRepository(staging)
        self.mentorships = MemoryMentorshipRepository(staging)
        self.roadmaps = MemoryRoadmapRepository(staging)
        self.audit = MemoryAuditLog(staging)
        self.badges = MemoryBadgeRepository(staging)
        self.chat = MemoryChatRepository(staging)
        self.progress_logs = MemoryProgressLogRepository(staging)
        self.webhook_deliveries = MemoryWebhookDeliveryRepository(staging)
        self.notifications = MemoryNotificationRepository(staging)
        self.forum_posts = MemoryForumPostRepository(staging)
        self.failed_jobs = MemoryFailedJobRepository(staging)
        self.matching_rounds = MemoryMatchingRoundRepository(staging)
        self.two_factor = MemoryTwoFactorRepository(staging)
        self.notification_settings = MemoryNotificationSettingsRepository(staging)
        self.consents = MemoryConsentRepository(staging)
        self.erasure = MemoryPersonalDataEraser(staging)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._entered().discard()
        self._staging = None
        self._after_commit.clear()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Self]:
        """A block that only reads: the same as a plain block here."""
        async with self:
            yield self

    async def release(self) -> None:
        """Nothing is held between blocks in memory."""

    async def commit(self) -> None:
        try:
            self._entered().commit()
        except BaseException:
            self._after_commit.clear()
            raise
        if self._on_commit is not None:
            self._on_commit()  # see SqlaUnitOfWork
        run_after_commit(self._after_commit)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._entered()  # only inside a block
        self._after_commit.append(callback)

    async def rollback(self) -> None:
        self._after_commit.clear()
        self._entered().discard()

    def _entered(self) -> Staging:
        if self._staging is None:
            raise RuntimeError("the unit of work is not entered")
        return self._staging
