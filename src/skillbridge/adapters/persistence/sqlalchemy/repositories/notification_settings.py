"""Notification settings in SQL: a change is an insert (version 1) or a conditional update on the version,
so the digest job's claim of a period is atomic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.tables import NotificationSettingsRow
from skillbridge.application.ports.repositories import NotificationSettingsRepository
from skillbridge.domain.clock import utc
from skillbridge.domain.notifications.model import NotificationType
from skillbridge.domain.notifications.preferences import Channel, DigestFrequency, NotificationSettings


def _from_row(row: NotificationSettingsRow) -> NotificationSettings:
    return NotificationSettings(
        user_id=row.user_id,
        channels={NotificationType(kind): Channel(channel) for kind, channel in row.channels.items()},
        digest=DigestFrequency(row.digest),
        digest_sent_for=row.digest_sent_for,
        digest_sent_at=None if row.digest_sent_at is None else utc(row.digest_sent_at),
        version=row.version,
    )


def _values(settings: NotificationSettings) -> dict[str, Any]:
    return {
        "channels": {kind.value: channel.value for kind, channel in settings.channels.items()},
        "digest": settings.digest.value,
        "digest_sent_for": settings.digest_sent_for,
        "digest_sent_at": None if settings.digest_sent_at is None else utc(settings.digest_sent_at),
        "version": settings.version,
    }


#: Built once: every notification reads its recipients' settings first.
_OF_USERS = (
    select(NotificationSettingsRow)
    .where(NotificationSettingsRow.user_id.in_(bindparam("user_ids", expanding=True)))
    .execution_options(populate_existing=True)
)


class SqlaNotificationSettingsRepository(NotificationSettingsRepository):
    """:class:`NotificationSettingsRepository` on a SQLAlchemy session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def find_many(self, user_ids: Sequence[UUID]) -> dict[UUID, NotificationSettings]:
        if not user_ids:
            return {}
        rows = await self._session.scalars(_OF_USERS, {"user_ids": list(user_ids)})
        return {row.user_id: _from_row(row) for row in rows}

    @translated
    async def save(self, settings: NotificationSettings) -> bool:
        if settings.version == 1:
            # A first write: two racing ones clash on the key, which the caller's commit reports.
            await self._session.execute(
                insert(NotificationSettingsRow).values(user_id=settings.user_id, **_values(settings))
            )
            return True
        statement = (
            update(NotificationSettingsRow)
            .where(
                NotificationSettingsRow.user_id == settings.user_id,
                NotificationSettingsRow.version == settings.version - 1,
            )
            .values(**_values(settings))
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult[Any], await self._session.execute(statement)).rowcount == 1
