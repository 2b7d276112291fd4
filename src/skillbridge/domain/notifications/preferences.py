"""How a user wants to hear of each kind of notification, and their email digest.

Each notification type has a channel: ``in_app`` (stored, listed, pushed live, and summed up in the
digest while unread), ``email`` (all of that, and mailed at once), or ``off`` (not stored at all). The
digest is a mail of the unread notifications, ``daily`` or ``weekly`` at most, or ``off``.

A period (a UTC day, or an ISO week) gets at most one digest: ``digest_sent_for`` names the last period
served, and the job claims a period by changing it under the settings' version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.notifications.model import NotificationType
from skillbridge.domain.texts import N_


class Channel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    OFF = "off"


class DigestFrequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


#: What a user who never chose gets: everything in the app, and a daily digest while they are away.
DEFAULT_CHANNEL = Channel.IN_APP
DEFAULT_DIGEST = DigestFrequency.DAILY


def digest_period(frequency: DigestFrequency, at: datetime) -> str:
    """The period ``at`` falls in: ``2026-12-07`` (a UTC day) or ``2026-W49`` (an ISO week)."""
    if frequency is DigestFrequency.WEEKLY:
        year, week, _ = at.isocalendar()
        return f"{year}-W{week:02d}"
    return at.date().isoformat()


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    """One user's channels (only the types they changed are listed) and digest."""

    user_id: UUID
    channels: Mapping[NotificationType, Channel] = field(default_factory=dict)
    digest: DigestFrequency = DEFAULT_DIGEST
    digest_sent_for: str | None = None
    digest_sent_at: datetime | None = None
    #: 0: never stored (the defaults); each stored change adds one.
    version: int = 0

    def channel_for(self, type_: NotificationType) -> Channel:
        return self.channels.get(type_, DEFAULT_CHANNEL)

    def changed(self, channels: Mapping[str, str] | None = None, digest: str | None = None) -> NotificationSettings:
        """These settings with ``channels`` (type -> channel, by value) and ``digest`` applied.

        Raises:
            InvalidInput: an unknown type or channel (field ``types.<type>``), or digest (``digest``).
        """
        merged = dict(self.channels)
        for raw_type, raw_channel in (channels or {}).items():
            try:
                merged[NotificationType(raw_type)] = Channel(raw_channel)
            except ValueError:
                raise InvalidInput(
                    N_("unknown notification type or channel: {raw_type}: {raw_channel}"),
                    field=f"types.{raw_type}",
                    allowed=[c.value for c in Channel],
                    params={"raw_type": repr(raw_type), "raw_channel": repr(raw_channel)},
                ) from None
        frequency = self.digest
        if digest is not None:
            try:
                frequency = DigestFrequency(digest)
            except ValueError:
                raise InvalidInput(
                    N_("unknown digest frequency"), field="digest", allowed=[d.value for d in DigestFrequency]
                ) from None
        return replace(self, channels=merged, digest=frequency, version=self.version + 1)

    def digest_due(self, at: datetime) -> str | None:
        """The period a digest at ``at`` would serve, or ``None`` if digests are off or it was served."""
        if self.digest is DigestFrequency.OFF:
            return None
        period = digest_period(self.digest, at)
        return None if period == self.digest_sent_for else period

    def digest_sent(self, period: str, at: datetime) -> NotificationSettings:
        return replace(self, digest_sent_for=period, digest_sent_at=at, version=self.version + 1)

    def digest_given_back(self, previous: NotificationSettings) -> NotificationSettings:
        """These settings with the digest bookkeeping of ``previous`` again (a digest that was not sent)."""
        return replace(
            self,
            digest_sent_for=previous.digest_sent_for,
            digest_sent_at=previous.digest_sent_at,
            version=self.version + 1,
        )

    def unsubscribed(self) -> NotificationSettings:
        return replace(self, digest=DigestFrequency.OFF, version=self.version + 1)
