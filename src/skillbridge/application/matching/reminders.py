"""Session reminders: both participants hear of a session shortly before it starts (a scheduled job)."""

from __future__ import annotations

from datetime import datetime

from skillbridge.application.matching.policy import MAX_REMINDERS, MatchingPolicy
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.errors import Conflict
from skillbridge.domain.matching.mentorship import Mentorship
from skillbridge.domain.matching.schedule import ScheduledSession
from skillbridge.domain.notifications.model import NotificationType
from skillbridge.domain.texts import N_, Text


def reminder_message(mentorship: Mentorship, session: ScheduledSession) -> Text:
    return Text(
        N_('Your {domain} session "{topic}" starts at {starts}'),
        {"domain": mentorship.domain, "topic": session.topic, "starts": session.time.strftime("%Y-%m-%d %H:%M UTC")},
    )


class SendSessionReminders:
    """Send a ``session_reminder`` to the learner and the mentor of every session of an active mentorship
    that starts within ``policy.remind_before`` from now. Returns how many sessions were reminded.

    Rules:
    - once per session: the session is marked reminded in the same transaction as the two notifications,
      and only the run that marks it sends them, so overlapping runs (two workers, a retry) send it once;
    - a session that already started is never reminded (a worker that was down catches up on the sessions
      still ahead, not on the past);
    - a session added inside the window is reminded on the next run; one removed is never reminded;
    - each session in its own transaction: one failure does not undo the others.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, notifier: Notifier, policy: MatchingPolicy) -> None:
        self._uow = uow
        self._clock = clock
        self._notifier = notifier
        self._policy = policy

    async def __call__(self) -> int:
        self._uow.act_for_system("job:send_session_reminders")
        now = self._clock.now()
        async with self._uow as uow:
            due = list(await uow.mentorships.sessions_due(now, now + self._policy.remind_before, MAX_REMINDERS))
        sent = 0
        for mentorship, session in due:
            try:
                if await self._remind(mentorship, session, now):
                    sent += 1
            except Conflict:
                continue  # reminded by a concurrent run meanwhile
        return sent

    async def _remind(self, mentorship: Mentorship, session: ScheduledSession, now: datetime) -> bool:
        async with self._uow as uow:
            if not await uow.mentorships.mark_reminded(session.id, now):
                return False
            payload = {
                "match_id": str(mentorship.id),
                "session_id": str(session.id),
                "starts_at": session.time.isoformat(),
                "topic": session.topic,
                "duration_minutes": session.duration_minutes,
            }
            message = reminder_message(mentorship, session)
            for participant in (mentorship.learner_id, mentorship.mentor_id):
                if participant is not None:
                    await self._notifier.notify(uow, participant, NotificationType.SESSION_REMINDER, message, payload)
            await uow.commit()
        return True
