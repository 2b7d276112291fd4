"""Notifications pushed through Litestar channels, one channel per user.

The channel of a user is derived from their id on the server side only (``notification_channel``); a client
never names a channel, so a token opens exactly its own user's stream. With Redis configured the backend is
Redis pub/sub, so a notification stored by one API process reaches a socket held by another; embedded, it
is in memory (one process).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

import structlog
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.asyncio import Redis

from skillbridge.application.ports.notification_push import NotificationPush, notification_channel, notification_event
from skillbridge.domain.notifications.model import Notification

_log = structlog.get_logger(__name__)
#: Events a slow subscriber may fall behind by before the oldest are dropped (they stay stored).
SUBSCRIBER_BACKLOG = 200


def channels_redis_client(url: str) -> Redis:
    """A Redis client for pub/sub: bytes replies (what the channels backend decodes itself) and no read
    timeout (a subscription is idle for as long as nobody is notified), with health checks instead."""
    client: Redis = Redis.from_url(url, health_check_interval=30, socket_connect_timeout=2.0)
    return client


class SerialSubscribeRedisBackend(RedisChannelsPubSubBackend):
    """Redis pub/sub whose subscribes and unsubscribes run one at a time.

    redis-py's asyncio ``PubSub`` opens its connection on first use without a lock: a burst of sockets
    subscribing at once (a server start, a reconnect storm after a deploy) opened several connections, of
    which only the last is read, and the notifications of users subscribed on the others were lost for good.
    """

    def __init__(self, redis: Redis, key_prefix: str) -> None:
        super().__init__(redis=redis, key_prefix=key_prefix)
        self._serial = asyncio.Lock()

    async def subscribe(self, channels: Iterable[str]) -> None:
        async with self._serial:
            await super().subscribe(channels)

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        async with self._serial:
            await super().unsubscribe(channels)


def build_channels_plugin(redis: Redis | None) -> ChannelsPlugin:
    """The channels plugin on Redis pub/sub (``redis`` from :func:`channels_redis_client`) or in memory."""
    backend = (
        SerialSubscribeRedisBackend(redis=redis, key_prefix="skillbridge:channels")
        if redis is not None
        else MemoryChannelsBackend()
    )
    return ChannelsPlugin(
        backend=backend,
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=SUBSCRIBER_BACKLOG,
        subscriber_backlog_strategy="dropleft",
    )


class ChannelsNotificationPush(NotificationPush):
    """:class:`NotificationPush` through a started :class:`ChannelsPlugin`."""

    def __init__(self, plugin: ChannelsPlugin) -> None:
        self._plugin = plugin

    async def push(self, notifications: Sequence[Notification]) -> int:
        pushed = 0
        for notification in notifications:
            try:
                await self._plugin.wait_published(
                    notification_event(notification), [notification_channel(notification.recipient_id)]
                )
                pushed += 1
            except Exception:  # the broker is down: the notification is stored, so nothing is lost
                _log.warning("notification_push_failed", notification_id=str(notification.id), exc_info=True)
        return pushed
