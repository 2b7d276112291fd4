"""Schemas of notification preferences (``/users/me/notification-preferences``)."""

from __future__ import annotations

from typing import Literal

import msgspec
from msgspec import Struct

from skillbridge.adapters.http.schemas.accounts import Request
from skillbridge.domain.notifications.model import NotificationType
from skillbridge.domain.notifications.preferences import NotificationSettings

ChannelName = Literal["in_app", "email", "off"]
DigestName = Literal["daily", "weekly", "off"]


class ChannelsPatch(Request):
    """The channel of each type to change; types left out keep theirs."""

    match: ChannelName | None = None
    progress_update: ChannelName | None = None
    session_reminder: ChannelName | None = None
    badge: ChannelName | None = None
    forum_reply: ChannelName | None = None
    chat_message: ChannelName | None = None

    def changes(self) -> dict[str, str]:
        return {name: value for name, value in msgspec.structs.asdict(self).items() if value is not None}


class NotificationPreferencesPatch(Request):
    # Not "channels": Litestar's channels plugin owns that name among handler parameters, and a validation
    # error under it would be taken for a server fault.
    types: ChannelsPatch = msgspec.field(default_factory=ChannelsPatch)
    digest: DigestName | None = None


class ChannelsOut(Struct, kw_only=True):
    """``in_app``: stored, listed and pushed live; ``email``: that, and mailed at once; ``off``: not stored."""

    match: ChannelName
    progress_update: ChannelName
    session_reminder: ChannelName
    badge: ChannelName
    forum_reply: ChannelName
    chat_message: ChannelName


class NotificationPreferencesOut(Struct, kw_only=True):
    #: The channel of each notification type.
    types: ChannelsOut
    #: The email digest of unread notifications while one is away: at most daily or weekly, or off.
    digest: DigestName

    @classmethod
    def of(cls, settings: NotificationSettings) -> NotificationPreferencesOut:
        channels = {kind.value: settings.channel_for(kind).value for kind in NotificationType}
        return cls(types=msgspec.convert(channels, ChannelsOut), digest=settings.digest.value)
