"""/api/v1/users/me/notification-preferences and /api/v1/notifications/unsubscribe."""

from __future__ import annotations

from typing import Annotated

from dishka.integrations.litestar import FromDishka
from litestar import Controller, get, patch, post
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from skillbridge.adapters.http.access import CONSENT_EXEMPT, PUBLIC_SENSITIVE
from skillbridge.adapters.http.auth import SECURITY
from skillbridge.adapters.http.schemas.notification_preferences import (
    NotificationPreferencesOut,
    NotificationPreferencesPatch,
)
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.notifications.preferences import (
    GetNotificationPreferences,
    UpdateNotificationPreferences,
)
from skillbridge.application.notifications.unsubscribe import UnsubscribeFromDigest


class NotificationPreferencesController(Controller):
    path = "/users/me/notification-preferences"
    tags = ["notifications"]
    security = SECURITY

    @get(summary="One's channel per notification type, and one's email digest")
    async def get_preferences(
        self, principal: FromDishka[Principal], get_preferences: FromDishka[GetNotificationPreferences]
    ) -> NotificationPreferencesOut:
        return NotificationPreferencesOut.of(await get_preferences(principal))

    @patch(
        opt=CONSENT_EXEMPT,  # receiving less never waits on new terms
        summary="Change one's channel of the types given (`types`), and one's digest",
        description="`off` stops storing that type for you; `email` also mails it at once; the digest "
        "(`daily`, `weekly`, `off`) sums up unread notifications when you have been away.",
    )
    async def update_preferences(
        self,
        data: JSONBody[NotificationPreferencesPatch],
        principal: FromDishka[Principal],
        update: FromDishka[UpdateNotificationPreferences],
    ) -> NotificationPreferencesOut:
        return NotificationPreferencesOut.of(await update(principal, data.types.changes(), data.digest))


class UnsubscribeController(Controller):
    path = "/notifications/unsubscribe"
    tags = ["notifications"]

    @post(
        status_code=HTTP_204_NO_CONTENT,
        opt=PUBLIC_SENSITIVE,
        summary="One-click unsubscribe from the digest mail (RFC 8058)",
        description="The URL of the digest's `List-Unsubscribe` header: a mail client POSTs to it (any body, "
        "such as `List-Unsubscribe=One-Click`). 204, the digest is off; 400 `field: token` for a token this "
        "server did not sign.",
    )
    async def unsubscribe(
        self,
        unsubscribe: FromDishka[UnsubscribeFromDigest],
        token: Annotated[str, QueryParameter(min_length=1, max_length=200)],
    ) -> None:
        await unsubscribe(token)
