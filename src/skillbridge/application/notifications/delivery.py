"""Pushing, after the fact, the notifications a request stored: stored first, then pushed."""

from __future__ import annotations

import json
from uuid import UUID

from skillbridge.application.jobs.names import JobName
from skillbridge.application.jobs.submitting import SubmitJob
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.job_queue import JobArgument
from skillbridge.application.ports.notification_push import NotificationPush
from skillbridge.application.ports.unit_of_work import UnitOfWork


class DeliverStoredNotifications:
    """Push the notifications this request's :class:`Notifier` stored, once they are committed.

    Run it after the request's use case has finished (the HTTP layer does, after the response is sent).
    Only notifications found in the database are pushed: a use case that failed after notifying rolled
    them back with everything else, and nobody must hear of a change that did not happen. Those whose
    recipient chose ``email`` for their type are also mailed, by a job each. Returns how many were pushed.
    """

    def __init__(self, uow: UnitOfWork, notifier: Notifier, push: NotificationPush, submit: SubmitJob) -> None:
        self._uow = uow
        self._notifier = notifier
        self._push = push
        self._submit = submit

    async def __call__(self) -> int:
        pending, self._notifier.stored = list(self._notifier.stored), []
        to_mail, self._notifier.to_mail = list(self._notifier.to_mail), []
        if not pending:
            return 0
        committed: set[UUID] = set()
        by_recipient: dict[UUID, list[UUID]] = {}
        for notification in pending:
            by_recipient.setdefault(notification.recipient_id, []).append(notification.id)
        # Under row-level security a user reads only their own notifications, and these are mostly someone
        # else's (a reply tells the thread's author): each recipient's are looked up as that recipient, which
        # reaches exactly them and nothing more (no system access, no audit entry per push).
        acting = self._uow.acting_user_id
        try:
            for recipient, ids in by_recipient.items():
                self._uow.acting_user_id = recipient
                async with self._uow.reading() as uow:
                    committed |= await uow.notifications.existing_ids(ids)
        finally:
            self._uow.acting_user_id = acting
        for notification in to_mail:
            if notification.id in committed:
                arguments: dict[str, JobArgument] = {
                    "user_id": str(notification.recipient_id),
                    "notification_type": notification.type.value,
                    "message": notification.message,
                }
                if notification.text is not None:  # worded in the recipient's language when mailed
                    arguments["text_message"] = notification.text.message
                    arguments["text_params"] = json.dumps(dict(notification.text.params))
                await self._submit(JobName.MAIL_NOTIFICATION, arguments)
        return await self._push.push([notification for notification in pending if notification.id in committed])
