"""One-click unsubscribe from the digest mail (RFC 8058)."""

from __future__ import annotations

from skillbridge.application.mail.unsubscribe import UnsubscribeTokens
from skillbridge.application.notifications.preferences import settings_of
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.errors import BadRequest, Conflict, NotFound

BAD_LINK = "this unsubscribe link is not one of ours"


class UnsubscribeFromDigest:
    """Turn the digest off for the user an unsubscribe token names (``POST /notifications/unsubscribe``).

    Rules:
    - the token must be one this server signed for the digest (BadRequest, field ``token``, otherwise);
      no sign-in is needed: a mail client posts it (RFC 8058), and it can do nothing else;
    - doing it twice is harmless (the digest stays off); a deleted account is answered the same way.
    """

    def __init__(self, uow: UnitOfWork, tokens: UnsubscribeTokens) -> None:
        self._uow = uow
        self._tokens = tokens

    async def __call__(self, token: str) -> None:
        user_id = self._tokens.user_of(token)
        if user_id is None:
            raise BadRequest(BAD_LINK, field="token")
        self._uow.act_for_system("mail:unsubscribe")
        for _ in range(3):
            try:
                async with self._uow as uow:
                    try:
                        await uow.users.get(user_id)
                    except NotFound:
                        return
                    settings = await settings_of(uow, user_id)
                    if await uow.notification_settings.save(settings.unsubscribed()):
                        await uow.commit()
                        return
            except Conflict:
                continue
        raise Conflict("the notification preferences are being changed elsewhere; try again")
