"""The right to erasure in SQL: a handful of set-based statements, each bounded by the person's id."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Text, delete, or_, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Delete, Update

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.tables import (
    BadgeRow,
    ChatMessageRow,
    ConsentRow,
    FailedJobRow,
    ForumPostRow,
    MentorBlockRow,
    MentorMatchRow,
    NotificationRow,
    NotificationSettingsRow,
    ProgressLogRow,
    RefreshTokenRow,
    RoadmapRow,
    RoadmapVersionRow,
    TwoFactorCredentialRow,
    WebhookDeliveryRow,
)
from skillbridge.application.ports.erasure import PersonalDataEraser
from skillbridge.domain.accounts.erasure import ERASED_NOTE, ErasedCounts, Erasure
from skillbridge.domain.notifications.model import NotificationType


class SqlaPersonalDataEraser(PersonalDataEraser):
    """:class:`PersonalDataEraser` on a SQLAlchemy session (SQLite or PostgreSQL)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _count(self, statement: Update | Delete) -> int:
        result = cast(CursorResult[Any], await self._session.execute(statement))
        return result.rowcount

    @translated
    async def erase(self, erasure: Erasure) -> ErasedCounts:
        me = erasure.user_id
        repositories = select(RoadmapRow.repository).where(RoadmapRow.user_id == me, RoadmapRow.repository.is_not(None))
        await self._session.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.repository.in_(repositories))
            .values(payload={}, repository=None)
        )
        own_roadmaps = select(RoadmapRow.id).where(RoadmapRow.user_id == me)
        await self._session.execute(
            delete(ProgressLogRow).where(or_(ProgressLogRow.user_id == me, ProgressLogRow.roadmap_id.in_(own_roadmaps)))
        )
        await self._session.execute(delete(RoadmapVersionRow).where(RoadmapVersionRow.roadmap_id.in_(own_roadmaps)))
        roadmaps = await self._count(delete(RoadmapRow).where(RoadmapRow.user_id == me))
        badges = await self._count(delete(BadgeRow).where(BadgeRow.user_id == me))
        notifications = await self._count(delete(NotificationRow).where(NotificationRow.user_id == me))
        sessions = await self._count(delete(RefreshTokenRow).where(RefreshTokenRow.user_id == me))
        await self._session.execute(delete(ConsentRow).where(ConsentRow.user_id == me))
        # The second factor (TOTP secret, recovery-code hashes) and the notification settings: personal, and
        # of no use to anyone once the account is gone.
        await self._session.execute(delete(TwoFactorCredentialRow).where(TwoFactorCredentialRow.user_id == me))
        await self._session.execute(delete(NotificationSettingsRow).where(NotificationSettingsRow.user_id == me))
        await self._session.execute(
            delete(MentorBlockRow).where(or_(MentorBlockRow.mentor_id == me, MentorBlockRow.learner_id == me))
        )
        mine = select(ChatMessageRow.id).where(ChatMessageRow.sender_id == me)
        quoted = [str(message_id) for message_id in (await self._session.scalars(mine)).all()]
        if quoted:
            await self._session.execute(
                update(NotificationRow)
                .where(
                    NotificationRow.type == NotificationType.CHAT_MESSAGE.value,
                    NotificationRow.data["message_id"].as_string().in_(quoted),
                )
                .values(content=ERASED_NOTE)
            )
        messages = await self._count(
            update(ChatMessageRow)
            .where(ChatMessageRow.sender_id == me, ChatMessageRow.content != "")
            .values(content="")
        )
        posts = await self._count(
            update(ForumPostRow)
            .where(
                ForumPostRow.user_id == me,
                or_(ForumPostRow.is_deleted.is_(False), ForumPostRow.title.is_not(None), ForumPostRow.content != ""),
            )
            .values(title=None, content="", is_deleted=True, updated_at=erasure.at, version=ForumPostRow.version + 1)
        )
        await self._session.execute(
            update(MentorMatchRow)
            .where(MentorMatchRow.learner_id == me, MentorMatchRow.testimonial.is_not(None))
            .values(testimonial=None, updated_at=erasure.at, version=MentorMatchRow.version + 1)
        )
        arguments = sql_cast(FailedJobRow.arguments, Text)
        named = [arguments.contains(needle, autoescape=True) for needle in (str(me), me.hex, *erasure.traces)]
        await self._session.execute(delete(FailedJobRow).where(or_(*named)))
        return ErasedCounts(
            roadmaps=roadmaps,
            badges=badges,
            notifications=notifications,
            chat_messages=messages,
            forum_posts=posts,
            sessions=sessions,
        )
