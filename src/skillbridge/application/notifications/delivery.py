"""Pushing, after the fact, the notifications a request stored: stored first, then pushed."""

from __future__ import annotations

import json

from skillbridge.application.jobs.names import JobName
from skillbridge.application.jobs.submitting import SubmitJob
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.job_queue import JobArgument
from skillbridge.application.ports.notification_push import NotificationPush


class DeliverStoredNotifications:
    """Push the notifications this request's :class:`Notifier` stored, once they are committed.

    Run it after the request's use case has finished (the HTTP layer does, after the response is sent).
    The notifier holds only notifications whose unit of work committed: a use case that failed after
    notifying rolled them back with everything else, and nobody hears of a change that did not happen. Those
    whose recipient chose ``email`` for their type are also mailed, by a job each. Returns how many were
    pushed.
    """

    def __init__(self, notifier: Notifier, push: NotificationPush, submit: SubmitJob) -> None:
        self._notifier = notifier
        self._push = push
        self._submit = submit

    async def __call__(self) -> int:
        pending, self._notifier.stored = list(self._notifier.stored), []
        to_mail, self._notifier.to_mail = list(self._notifier.to_mail), []
        for notification in to_mail:
            arguments: dict[str, JobArgument] = {
                "user_id": str(notification.recipient_id),
                "notification_type": notification.type.value,
                "message": notification.message,
            }
            if notification.text is not None:  # worded in the recipient's language when mailed
                arguments["text_message"] = notification.text.message
                arguments["text_params"] = json.dumps(dict(notification.text.params))
            await self._submit(JobName.MAIL_NOTIFICATION, arguments)
        return await self._push.push(pending) if pending else 0
