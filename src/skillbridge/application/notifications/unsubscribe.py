"""One-click unsubscribe from optional mail (RFC 8058): the digest, or the mail sent at once for a type."""

from __future__ import annotations

from skillbridge.application.mail.unsubscribe import DIGEST_LIST, UnsubscribeTokens, type_of_list
from skillbridge.application.notifications.preferences import settings_of
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.errors import BadRequest, Conflict, NotFound
from skillbridge.domain.notifications.preferences import Channel, NotificationSettings
from skillbridge.domain.texts import N_

BAD_LINK = N_("this unsubscribe link is not one of ours")


class UnsubscribeFromDigest:
    """Turn off the mail an unsubscribe token names (``POST /notifications/unsubscribe``): the digest, or
    the mail of one notification type (which goes back to ``in_app``: still listed, no longer mailed).

    Rules:
    - the token must be one this server signed (BadRequest, field ``token``, otherwise); no sign-in is
      needed: a mail client posts it (RFC 8058), and it can do nothing else;
    - doing it twice is harmless; a deleted account is answered the same way.
    """

    def __init__(self, uow: UnitOfWork, tokens: UnsubscribeTokens) -> None:
        self._uow = uow
        self._tokens = tokens

    async def __call__(self, token: str) -> None:
        read = self._tokens.read(token)
        kind = None if read is None else type_of_list(read[1])
        if read is None or (read[1] != DIGEST_LIST and kind is None):
            raise BadRequest(BAD_LINK, field="token")
        user_id = read[0]
        self._uow.act_for_system("mail:unsubscribe")
        for _ in range(3):
            try:
                async with self._uow as uow:
                    try:
                        await uow.users.get(user_id)
                    except NotFound:
                        return
                    settings = await settings_of(uow, user_id)
                    changed: NotificationSettings
                    if kind is None:
                        changed = settings.unsubscribed()
                    elif settings.channel_for(kind) is Channel.EMAIL:
                        changed = settings.changed({kind.value: Channel.IN_APP.value})
                    else:
                        return
                    if await uow.notification_settings.save(changed):
                        await uow.commit()
                        return
            except Conflict:
                continue
        raise Conflict(N_("the notification preferences are being changed elsewhere; try again"))
