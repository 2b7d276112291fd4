"""Mailing a notification at once, for the types a user chose ``email`` for (a job)."""

from __future__ import annotations

import json
from uuid import UUID

from skillbridge.application.mail.composing import choose_language, compose
from skillbridge.application.mail.links import MailLinks
from skillbridge.application.mail.unsubscribe import UnsubscribeTokens, type_list
from skillbridge.application.notifications.preferences import settings_of
from skillbridge.application.ports.email_sender import EmailSender
from skillbridge.application.ports.translator import Translator
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.errors import NotFound
from skillbridge.domain.notifications.model import NotificationType
from skillbridge.domain.notifications.preferences import Channel
from skillbridge.domain.texts import Text


def text_of_job(message: str | None, params: str | None) -> Text | None:
    """The :class:`Text` of a job's arguments: its message id, and its values as a JSON object."""
    if not message:
        return None
    values = json.loads(params) if params else {}
    return Text(message, {str(name): value for name, value in values.items()} if isinstance(values, dict) else {})


class MailNotification:
    """The job: mail one notification to its recipient.

    Rules: nothing is sent to a disabled or deleted account, nor when the recipient no longer has ``email``
    for the type (they changed it since); the mail is optional mail, whose one-click unsubscribe link
    turns that type back to ``in_app``.
    """

    def __init__(
        self, uow: UnitOfWork, sender: EmailSender, links: MailLinks, tokens: UnsubscribeTokens, translator: Translator
    ) -> None:
        self._translator = translator
        self._uow = uow
        self._sender = sender
        self._links = links
        self._tokens = tokens

    async def __call__(
        self,
        user_id: str,
        notification_type: str,
        message: str,
        text_message: str | None = None,
        text_params: str | None = None,
    ) -> None:
        """Mail it: a notification the system worded (``text_message``, its values in ``text_params`` as
        JSON) in the recipient's language; else ``message`` as it is (a person's words)."""
        self._uow.act_for_system("job:mail_notification")
        kind = NotificationType(notification_type)
        try:
            async with self._uow.reading() as uow:
                user = await uow.users.get(UUID(user_id))
                settings = await settings_of(uow, user.id)
        except NotFound:
            return
        if not user.is_active or settings.channel_for(kind) is not Channel.EMAIL:
            return
        language = choose_language(user.profile.languages)
        worded = text_of_job(text_message, text_params)
        values = {
            "name": user.profile.display_name or user.email,
            "message": message if worded is None else self._translator.render(language, worded),
            "link": self._links.notifications(),
        }
        unsubscribe = self._links.unsubscribe(self._tokens.token_for(user.id, type_list(kind)))
        await self._sender.send(compose("notification", language, user.email, values, unsubscribe_url=unsubscribe))
