"""The sweep that expires requests their mentor left unanswered and offers the learner the next mentor."""

from __future__ import annotations

from skillbridge.application.matching.auditing import audit_transition
from skillbridge.application.matching.followups import offer_next_mentor
from skillbridge.application.matching.policy import MAX_SWEEP, MatchingPolicy
from skillbridge.application.matching.pool import MentorPool
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.errors import Conflict
from skillbridge.domain.matching.mentorship import expired


class ExpireUnansweredMatches:
    """Expire every pending match past its ``expires_at`` (at most ``MAX_SWEEP`` per call, most overdue
    first) and offer each learner the next mentor. Returns how many expired.

    Each match is handled in its own transaction: a mentor who accepts at the last moment wins (the sweep
    loses the optimistic-locking race, skips that match and goes on), and one failure does not undo the
    others. Safe to run from several processes at once for the same reason.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        engine: MatchingEngine,
        policy: MatchingPolicy,
        clock: Clock,
        notifier: Notifier,
        pool: MentorPool,
    ) -> None:
        self._pool = pool
        self._notifier = notifier
        self._uow = uow
        self._engine = engine
        self._policy = policy
        self._clock = clock

    async def __call__(self) -> int:
        self._uow.act_for_system("job:expire_unanswered_matches")
        now = self._clock.now()
        async with self._uow as uow:
            overdue = list(await uow.mentorships.list_overdue(now, MAX_SWEEP))
        count = 0
        for mentorship in overdue:
            try:
                async with self._uow as uow:
                    stored = await uow.mentorships.update(expired(mentorship, now))
                    await audit_transition(uow, mentorship, stored, None, now)
                    await offer_next_mentor(uow, self._engine, self._pool, self._policy, self._notifier, stored, now)
                    await uow.commit()
                count += 1
            except Conflict:
                continue  # answered or expired by someone else meanwhile
        return count
