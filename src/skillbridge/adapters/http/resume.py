"""Resuming a live stream: what a reconnecting client missed, in order, then the live ones, each once.

A client names the last notification it got (SSE: the ``Last-Event-ID`` its EventSource sends by itself,
or ``?since=``; WebSocket: ``?since=``). The stream subscribes to the user's channel *first*, then reads what
was stored after that id, then relays the live ones: a notification stored between the read and the
subscription would otherwise be lost. One stored just before the read but pushed just after the
subscription comes both ways, so the live copy of an id the catch-up delivered is dropped
(:class:`CaughtUp`).

Notification ids are version 7 UUIDs (time-ordered), which is what makes "after this id" a cursor.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from dishka import AsyncContainer

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.notifications.inbox import ListNotificationsSince
from skillbridge.application.ports.notification_push import notification_event
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.notifications.model import NOTIFICATION_ID_VERSION
from skillbridge.domain.pagination import PageRequest
from skillbridge.domain.texts import N_

#: A notification id as text: a version 7 UUID (what the OpenAPI document states for ``since``).
NOTIFICATION_ID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-7[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
#: The most notifications a resumed stream catches up with; a client offline for longer pages through
#: ``GET /notifications/my?since=`` (the stream then goes on from the last one it sent).
MAX_CATCH_UP = 1000
_PAGE = 100


def resume_point(raw: str | None, field: str) -> UUID | None:
    """The notification id a client resumes after (``None``: it starts afresh).

    Raises:
        InvalidInput: (naming ``field``) it is not the id of a notification.
    """
    if raw is None or not raw.strip():
        return None
    try:
        since = UUID(raw.strip())
    except ValueError:
        since = None
    if since is None or since.version != NOTIFICATION_ID_VERSION:
        raise InvalidInput(N_("must be the id of a notification (a version 7 UUID)"), field=field)
    return since


async def missed_since(container: AsyncContainer, principal: Principal, since: UUID) -> list[dict[str, Any]]:
    """The caller's notifications stored after ``since``, oldest first, as live events (at most
    :data:`MAX_CATCH_UP`), read in a unit of work of its own that holds no connection once this returns.

    ``container`` is the app's: a stream outlives the request scope it was opened in.
    """
    events: list[dict[str, Any]] = []
    async with container() as scope:
        uow = await scope.get(UnitOfWork)
        uow.acting_user_id = principal.user_id  # row-level security: this user's rows only
        list_since = await scope.get(ListNotificationsSince)
        cursor = since
        while len(events) < MAX_CATCH_UP:
            wanted = PageRequest(limit=min(_PAGE, MAX_CATCH_UP - len(events)))
            page = (await list_since(principal, cursor, wanted)).page
            events.extend(notification_event(notification) for notification in page.items)
            if len(page.items) >= page.total:  # the total counts every one after the cursor: none is left
                break
            cursor = page.items[-1].id
    return events


class CaughtUp:
    """The ids a catch-up delivered: the live copy of one of them is a duplicate, dropped once."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self._ids = {str(event["id"]) for event in events}

    def is_duplicate(self, event: dict[str, Any]) -> bool:
        """Whether ``event`` (live) was delivered by the catch-up already; each id is dropped at most once."""
        event_id = str(event.get("id", ""))
        if event_id in self._ids:
            self._ids.discard(event_id)
            return True
        return False
