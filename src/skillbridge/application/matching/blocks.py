"""A mentor blocks a learner (no further request from them), lifts the block, lists their blocks."""

from __future__ import annotations

from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.matching.followups import offer_next_mentor
from skillbridge.application.matching.news import tell_of_change
from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.matching.pool import MentorPool
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import NotFound
from skillbridge.domain.matching.blocks import MentorBlock
from skillbridge.domain.matching.mentorship import Actor, MatchChange, MatchStatus, apply_change
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.texts import N_

#: The one answer for a learner a mentor may not block, so learner ids cannot be probed.
_NOT_YOURS = N_("no learner has asked you for mentoring under this id")


class BlockLearner:
    """The signed-in mentor blocks a learner.

    Rules:
    - mentors only (Forbidden otherwise); only a learner who has had a request or a match with this mentor
      (any status) can be blocked, else NotFound (the same answer for every other id, so ids cannot be
      probed);
    - the learner's pending request to this mentor is rejected in the same transaction (and, like any
      rejection, followed by a request to the next mentor, never this one); an active mentorship stays
      (the mentor may cancel it);
    - from then on no request of this learner reaches this mentor (requests, follow-ups, rounds), and a
      request naming this mentor is answered as for an unavailable mentor: the learner is not told of the
      block;
    - blocking twice keeps the first block; returns the block and whether it is new.
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
        self._uow = uow
        self._engine = engine
        self._policy = policy
        self._clock = clock
        self._notifier = notifier
        self._pool = pool

    async def __call__(self, principal: Principal, learner_id: UUID) -> tuple[MentorBlock, bool]:
        principal.require(Role.MENTOR)
        now = self._clock.now()
        block = MentorBlock(mentor_id=principal.user_id, learner_id=learner_id, created_at=now)
        async with self._uow as uow:
            if not await uow.mentorships.has_asked(learner_id, principal.user_id):
                raise NotFound(_NOT_YOURS)
            held = await uow.mentorships.lock_open_for_learner(learner_id)
            stored, created = await uow.mentorships.add_block(block)
            pending = [m for m in held if m.mentor_id == principal.user_id and m.status is MatchStatus.PENDING]
            for mentorship in pending:
                rejected = apply_change(mentorship, Actor.MENTOR, MatchChange(status=MatchStatus.REJECTED), now)
                answered = await uow.mentorships.update(rejected)
                await tell_of_change(self._notifier, uow, mentorship, answered, Actor.MENTOR)
                await offer_next_mentor(uow, self._engine, self._pool, self._policy, self._notifier, answered, now)
            await uow.commit()
        return stored, created


class UnblockLearner:
    """The signed-in mentor lifts their block of a learner. Rules: mentors only; NotFound when there is
    no such block. Requests rejected by the block stay rejected."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, learner_id: UUID) -> None:
        principal.require(Role.MENTOR)
        async with self._uow as uow:
            if not await uow.mentorships.remove_block(principal.user_id, learner_id):
                raise NotFound(N_("you have not blocked this learner"))
            await uow.commit()


class ListMyBlocks:
    """The signed-in mentor's blocks, newest first. Mentors only."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, page: PageRequest) -> Page[MentorBlock]:
        principal.require(Role.MENTOR)
        async with self._uow.reading() as uow:
            return await uow.mentorships.list_blocks(principal.user_id, page)
