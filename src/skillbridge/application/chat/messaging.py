"""Talking inside a mentorship: the two participants send while it is active and read its history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.matching.reading import participant_view
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.html_sanitizer import HtmlSanitizer
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.chat.message import ChatCursor, ChatMessage, clean_message
from skillbridge.domain.errors import Conflict, InvalidInput
from skillbridge.domain.matching.mentorship import Actor, MatchStatus
from skillbridge.domain.notifications.model import NotificationType
from skillbridge.domain.texts import N_

MAX_PAGE = 100
#: How much of a message its notification shows.
PREVIEW_LENGTH = 120


class SendChatMessage:
    """Store a message from one participant of an active mentorship.

    Rules: an account whose email address is not verified may not write (Forbidden, field ``email``);
    non-participants get NotFound (the match's existence stays private); a match that is not
    active is Conflict (pending ones have no conversation yet, finished ones are read-only); the text
    loses any markup (:meth:`HtmlSanitizer.plain`: it reaches the other participant, and its first
    characters their notification), then follows :func:`~skillbridge.domain.chat.message.clean_message`.
    The message is stored (and committed) before anything pushes it live; the other participant is
    notified (type ``chat_message``).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, notifier: Notifier, sanitizer: HtmlSanitizer) -> None:
        self._uow = uow
        self._clock = clock
        self._notifier = notifier
        self._sanitizer = sanitizer

    async def __call__(self, principal: Principal, match_id: UUID, content: str) -> ChatMessage:
        principal.require_verified()
        text = clean_message(self._sanitizer.plain(content))
        async with self._uow as uow:
            mentorship, actor = await participant_view(uow, principal, match_id)
            if mentorship.status is not MatchStatus.ACTIVE:
                raise Conflict(
                    N_("messages are sent while a match is active; this one is {value}"),
                    params={"value": mentorship.status.value},
                )
            message = ChatMessage(
                match_id=match_id, sender_id=principal.user_id, content=text, created_at=self._clock.now()
            )
            await uow.chat.add(message)
            other = mentorship.mentor_id if actor is Actor.LEARNER else mentorship.learner_id
            if other is not None:
                preview = text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1] + "…"
                payload = {"match_id": str(match_id), "message_id": str(message.id)}
                await self._notifier.notify(uow, other, NotificationType.CHAT_MESSAGE, preview, payload)
            await uow.commit()
        return message


@dataclass(frozen=True, slots=True)
class ChatPage:
    """Messages newest first, and the cursor of the next (older) page, None at the start of the talk."""

    items: Sequence[ChatMessage]
    next_cursor: ChatCursor | None


class ReadChat:
    """A page of a mentorship's conversation for one of its participants (whatever the match's status)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(
        self, principal: Principal, match_id: UUID, limit: int, before: ChatCursor | None = None
    ) -> ChatPage:
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(
                N_("limit must be between 1 and {max_page}"), field="limit", params={"max_page": MAX_PAGE}
            )
        async with self._uow.reading() as uow:
            await participant_view(uow, principal, match_id)
            # One more than asked tells whether an older page exists, without a count.
            found = list(await uow.chat.list_for_match(match_id, limit + 1, before))
        more = len(found) > limit
        items = found[:limit]
        return ChatPage(items=items, next_cursor=ChatCursor.after(items[-1]) if more else None)
