"""The email digest of unread notifications, for users who have been away (a scheduled job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import structlog

from skillbridge.application.mail.composing import choose_language, compose
from skillbridge.application.mail.links import MailLinks
from skillbridge.application.mail.unsubscribe import UnsubscribeTokens
from skillbridge.application.notifications.preferences import settings_of
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.email_sender import EmailSender, OutgoingEmail
from skillbridge.application.ports.translator import Translator
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.consents import ConsentKind
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.notifications.model import Notification
from skillbridge.domain.notifications.preferences import Channel, NotificationSettings
from skillbridge.domain.pagination import PageRequest

logger = structlog.get_logger("skillbridge.digest")


@dataclass(frozen=True, slots=True)
class DigestPolicy:
    """When a user counts as away, and how much one run and one mail take."""

    #: Away: no login or refresh for this long (an open app refreshes its token every 15 minutes).
    away_after: timedelta = timedelta(hours=24)
    users_per_run: int = 500
    items_per_mail: int = 20


@dataclass(frozen=True, slots=True)
class _Claimed:
    mail: OutgoingEmail
    before: NotificationSettings
    after: NotificationSettings


async def _digest_withdrawn(uow: UnitOfWork, user_id: UUID) -> bool:
    """Whether ``user_id`` explicitly withdrew (or refused) the ``email_digest`` consent."""
    consents = await uow.consents.list_for_user(user_id)
    return any(consent.kind is ConsentKind.EMAIL_DIGEST and not consent.granted for consent in consents)


class SendNotificationDigests:
    """Mail each away user a digest of their unread notifications; return how many were sent.

    Rules:
    - a user gets a digest only if they have an unread notification at least ``away_after`` old, have not
      signed in or refreshed a session for ``away_after``, are active, and their digest is not ``off``;
    - nor if they withdrew the optional ``email_digest`` consent (an account that never chose keeps the
      digest of its notification settings: only an explicit "no" stops it);
    - at most one digest per period (a UTC day for ``daily``, an ISO week for ``weekly``): the period is
      claimed, atomically, before the mail goes out, so two runs (two workers, a rerun) send it once;
    - a notification is in one digest at most (only those newer than the last digest are listed), and
      types the user turned ``off`` are never listed;
    - the mail is optional mail: it carries the one-click unsubscribe link and headers (RFC 8058);
    - a mail that cannot be sent gives its claim back, so the next run tries again.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        sender: EmailSender,
        links: MailLinks,
        tokens: UnsubscribeTokens,
        clock: Clock,
        policy: DigestPolicy,
        translator: Translator,
    ) -> None:
        self._translator = translator
        self._uow = uow
        self._sender = sender
        self._links = links
        self._tokens = tokens
        self._clock = clock
        self._policy = policy

    async def __call__(self) -> int:
        self._uow.act_for_system("job:send_notification_digests")
        now = self._clock.now()
        async with self._uow.reading() as uow:
            recipients = await uow.notifications.unread_recipients(
                now - self._policy.away_after, self._policy.users_per_run
            )
        sent = 0
        for user_id in recipients:
            try:
                claimed = await self._claim(user_id, now)
            except Conflict:
                continue  # another run claimed this period first
            if claimed is None:
                continue
            try:
                await self._sender.send(claimed.mail)
            except Exception:
                await self._give_back(claimed)
                raise
            sent += 1
        return sent

    async def _claim(self, user_id: UUID, now: datetime) -> _Claimed | None:
        async with self._uow as uow:
            try:
                user = await uow.users.get(user_id)
            except NotFound:
                return None
            settings = await settings_of(uow, user_id)
            period = settings.digest_due(now)
            if not user.is_active or period is None:
                return None
            if await _digest_withdrawn(uow, user_id):
                return None
            sessions = await uow.refresh_sessions.list_live(user_id, now)
            if any(session.issued_at > now - self._policy.away_after for session in sessions):
                return None  # signed in lately: they have seen the app
            page = await uow.notifications.list_for_user(
                user_id, PageRequest(limit=self._policy.items_per_mail), unread_only=True
            )
            items = [item for item in page.items if self._belongs(item, settings)]
            if not items:
                return None
            claimed = settings.digest_sent(period, now)
            if not await uow.notification_settings.save(claimed):
                return None
            await uow.commit()
        language = choose_language(user.profile.languages)
        values = {
            "name": user.profile.display_name or user.email,
            "count": str(len(items)),
            "items": "\n".join(f"- {self._wording(item, language)}" for item in items),
            "link": self._links.notifications(),
        }
        unsubscribe = self._links.unsubscribe(self._tokens.token_for(user.id))
        mail = compose("notification_digest", language, user.email, values, unsubscribe_url=unsubscribe)
        return _Claimed(mail, settings, claimed)

    def _wording(self, item: Notification, language: str) -> str:
        return item.message if item.text is None else self._translator.render(language, item.text)

    @staticmethod
    def _belongs(item: Notification, settings: NotificationSettings) -> bool:
        newer = settings.digest_sent_at is None or item.created_at > settings.digest_sent_at
        return newer and settings.channel_for(item.type) is not Channel.OFF

    async def _give_back(self, claimed: _Claimed) -> None:
        undone = claimed.after.digest_given_back(claimed.before)
        try:
            async with self._uow as uow:
                if await uow.notification_settings.save(undone):
                    await uow.commit()
        except Conflict:
            logger.warning("digest_claim_not_given_back", user_id=str(claimed.before.user_id))
