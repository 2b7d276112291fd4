"""The right of access: one document with everything SkillBridge keeps about the caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TypeVar
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.consents import Consent
from skillbridge.domain.accounts.profile import Profile
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.two_factor import TwoFactorCredential
from skillbridge.domain.accounts.user import User
from skillbridge.domain.badges.rules import Badge
from skillbridge.domain.chat.message import ChatCursor, ChatMessage
from skillbridge.domain.forum.model import ForumPost
from skillbridge.domain.matching.mentorship import Mentorship
from skillbridge.domain.notifications.model import Notification, NotificationType
from skillbridge.domain.notifications.preferences import NotificationSettings
from skillbridge.domain.pagination import MAX_LIMIT, Page, PageRequest
from skillbridge.domain.progress.events import ProgressEvent
from skillbridge.domain.roadmaps.model import Roadmap, RoadmapVersion

T = TypeVar("T")

#: The audit action of an export.
EXPORTED = "user.exported"


@dataclass(frozen=True, slots=True)
class ExportedAccount:
    """The account as the person may see it: no password hash, only whether one is set."""

    id: UUID
    email: str
    role: Role
    profile: Profile
    github_id: int | None
    is_active: bool
    has_password: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> ExportedAccount:
        return cls(
            id=user.id,
            email=user.email,
            role=user.role,
            profile=user.profile,
            github_id=user.github_id,
            is_active=user.is_active,
            has_password=user.password_hash is not None,
            created_at=user.created_at,
            updated_at=user.updated_at,
        )


@dataclass(frozen=True, slots=True)
class ExportedTwoFactor:
    """Whether two-factor authentication is on, and how many recovery codes are left: never the secret
    or the codes' hashes."""

    enabled: bool
    enabled_at: datetime | None
    recovery_codes_left: int

    @classmethod
    def of(cls, credential: TwoFactorCredential | None) -> ExportedTwoFactor:
        if credential is None or not credential.is_enabled:
            return cls(enabled=False, enabled_at=None, recovery_codes_left=0)
        return cls(True, credential.enabled_at, len(credential.recovery_code_hashes))


@dataclass(frozen=True, slots=True)
class ExportedNotificationSettings:
    """One's channel per notification type, digest, and the last digest sent."""

    channels: dict[str, str]
    digest: str
    digest_sent_at: datetime | None

    @classmethod
    def of(cls, settings: NotificationSettings) -> ExportedNotificationSettings:
        channels = {kind.value: settings.channel_for(kind).value for kind in NotificationType}
        return cls(channels, settings.digest.value, settings.digest_sent_at)


@dataclass(frozen=True, slots=True)
class PersonalDataExport:
    """Everything about one person, section by section (each oldest or newest first as its store lists it)."""

    exported_at: datetime
    account: ExportedAccount
    roadmaps: list[Roadmap]
    #: Deleted roadmaps still kept (in their undo window, or until the retention job removes them).
    deleted_roadmaps: list[Roadmap]
    roadmap_versions: list[RoadmapVersion]
    mentorships: list[Mentorship]
    chat_messages: list[ChatMessage]
    progress_events: list[ProgressEvent]
    notifications: list[Notification]
    badges: list[Badge]
    forum_posts: list[ForumPost]
    consents: list[Consent]
    audit_entries: list[AuditEntry]
    two_factor: ExportedTwoFactor
    notification_settings: ExportedNotificationSettings


async def _every(read: Callable[[PageRequest], Awaitable[Page[T]]]) -> list[T]:
    """Every item of a paged list, page after page."""
    items: list[T] = []
    while True:
        page = await read(PageRequest(limit=MAX_LIMIT, offset=len(items)))
        items.extend(page.items)
        if not page.items or len(items) >= page.total:
            return items


async def _written_by(uow: UnitOfWork, match_id: UUID, user_id: UUID) -> list[ChatMessage]:
    """The messages ``user_id`` wrote in one conversation, oldest first."""
    mine: list[ChatMessage] = []
    before: ChatCursor | None = None
    while True:
        page = list(await uow.chat.list_for_match(match_id, MAX_LIMIT, before))
        mine.extend(message for message in page if message.sender_id == user_id)
        if len(page) < MAX_LIMIT:
            return sorted(mine, key=lambda message: (message.created_at, message.id))
        before = ChatCursor(page[-1].created_at, page[-1].id)


class ExportMyData:
    """Return everything kept about the caller as one document (the right of access).

    Rules: only one's own data (the caller is the subject; there is no way to name another user); the
    sections are the profile, roadmaps and their versions, mentorships with their sessions, the chat
    messages the caller wrote, progress events, notifications, badges, forum posts (deleted ones too),
    consents (with their time and version), the audit entries about the caller, whether two-factor
    authentication is on, and the notification settings; secrets (the password hash, refresh-token hashes,
    the TOTP secret, recovery-code hashes) are never included; every export is audited. The route is
    rate-limited on a budget of its own.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, principal: Principal) -> PersonalDataExport:
        me = principal.user_id
        now = self._clock.now()
        async with self._uow as uow:
            user = await uow.users.get(me)
            roadmaps = await _every(lambda page: uow.roadmaps.list_for_user(me, page))
            deleted = list(await uow.roadmaps.list_deleted_for_user(me))
            versions: list[RoadmapVersion] = []
            events: list[ProgressEvent] = []
            for roadmap in roadmaps + deleted:
                versions += await _every(partial(uow.roadmaps.list_versions, roadmap.id))
                events += await _every(partial(uow.progress_logs.list_for_roadmap, roadmap.id))
            mentorships = await _every(lambda page: uow.mentorships.list_for_participant(me, page))
            messages: list[ChatMessage] = []
            for mentorship in mentorships:
                messages += await _written_by(uow, mentorship.id, me)
            export = PersonalDataExport(
                exported_at=now,
                account=ExportedAccount.of(user),
                roadmaps=roadmaps,
                deleted_roadmaps=deleted,
                roadmap_versions=versions,
                mentorships=mentorships,
                chat_messages=messages,
                progress_events=events,
                notifications=await _every(lambda page: uow.notifications.list_for_user(me, page)),
                badges=list(await uow.badges.list_for_user(me)),
                forum_posts=list(await uow.forum_posts.list_by_author(me)),
                consents=list(await uow.consents.list_for_user(me)),
                audit_entries=list(await uow.audit.list_for_subject("user", str(me))),
                two_factor=ExportedTwoFactor.of(await uow.two_factor.find(me)),
                notification_settings=ExportedNotificationSettings.of(
                    (await uow.notification_settings.find_many([me])).get(me) or NotificationSettings(me)
                ),
            )
            await uow.audit.record(
                AuditEntry(action=EXPORTED, at=now, actor_id=me, subject_type="user", subject_id=str(me))
            )
            await uow.commit()
        return export
