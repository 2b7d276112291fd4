"""Matching use cases on the in-memory adapters and the reference engine: the rules a round, the expiry
sweep and the recommendations keep when the HTTP layer is not there."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from uuid import uuid4

import pytest

from skillbridge.adapters.ai.catalog_generator import CatalogRoadmapGenerator
from skillbridge.adapters.matching.reference import ReferenceMatchingEngine
from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.sanitizing.nh3_sanitizer import Nh3HtmlSanitizer
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.matching.changes import ChangeMatch
from skillbridge.application.matching.domains import domain_names
from skillbridge.application.matching.expiry import ExpireUnansweredMatches
from skillbridge.application.matching.policy import MatchingPolicy
from skillbridge.application.matching.pool import MentorPool
from skillbridge.application.matching.recommendations import NeedsQuery, RecommendMentors
from skillbridge.application.matching.requests import RequestMentor
from skillbridge.application.matching.rounds import (
    INCOMPLETE_PROFILE,
    NO_MENTOR_AVAILABLE,
    ONLY_DECLINED,
    RunMatchingRound,
)
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.domain.accounts.profile import Profile
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.user import User
from skillbridge.domain.badges.rules import default_rules
from skillbridge.domain.errors import Conflict, Forbidden, InvalidInput
from skillbridge.domain.matching.mentorship import MatchChange, MatchStatus, Mentorship
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.pagination import PageRequest
from tests.support.entities import location, make_mentor, make_mentorship, make_user

ENGINE = ReferenceMatchingEngine()
POLICY = MatchingPolicy(respond_within=timedelta(days=3))
NEEDS = LearnerNeeds.create(["python"], 3, domain="python")
LAGOS = location(6.52, 3.38, "NG", "Lagos")
DOMAINS = domain_names(CatalogRoadmapGenerator())


def _learner(**profile: object) -> User:
    base = Profile(display_name="Ada", skills=("python",), location=LAGOS, hours_per_week=3, languages=("en",))
    return make_user(profile=replace(base, weekly_slots=(10, 11, 12), **profile))  # type: ignore[arg-type]


@dataclass
class World:
    db: MemoryDatabase
    clock: MutableClock

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.db)

    @property
    def pool(self) -> MentorPool:
        return MentorPool(self.clock, POLICY)

    async def add(self, *users: User) -> list[Principal]:
        async with self.uow() as uow:
            for user in users:
                await uow.users.add(user)
            await uow.commit()
        return [Principal(user.id, user.role, email_verified=True) for user in users]

    async def store(self, mentorship: Mentorship) -> None:
        async with self.uow() as uow:
            await uow.mentorships.add(mentorship)
            await uow.commit()

    async def matches_of(self, who: Principal) -> list[Mentorship]:
        async with self.uow() as uow:
            return list((await uow.mentorships.list_for_participant(who.user_id, PageRequest())).items)


@pytest.fixture
def world() -> World:
    return World(MemoryDatabase(), MutableClock())


def _mentor(name: str, **overrides: object) -> User:
    return make_mentor(name, skills=("python",), at=LAGOS, **overrides)  # type: ignore[arg-type]


async def test_a_round_is_for_admins_and_explains_every_request_it_leaves_waiting(world: World) -> None:
    ready, homeless, refused = _learner(), _learner(location=None), _learner()
    mentor = _mentor("Chidi")
    admin = make_user(role=Role.ADMIN)
    people = await world.add(ready, homeless, refused, mentor, admin)
    for learner in (ready, homeless, refused):
        await world.store(make_mentorship(learner.id, None, status=MatchStatus.WAITING, domain="python"))
    # ``refused``'s only possible mentor already said no to them in this domain.
    await world.store(make_mentorship(refused.id, mentor.id, status=MatchStatus.REJECTED, domain="python"))
    run = RunMatchingRound(world.uow(), ENGINE, POLICY, world.clock, Notifier(world.clock))

    with pytest.raises(Forbidden):
        await run(people[0])
    summary = await run(people[-1])

    reasons = {item.request.learner_id: item.reason for item in summary.unassigned}
    assert reasons[homeless.id] == INCOMPLETE_PROFILE
    assert len(summary.assigned) + len(summary.unassigned) == 3
    assigned = {request.learner_id for request in summary.assigned}
    assert refused.id not in assigned
    if ready.id not in assigned:  # the optimum may give the one place to ``refused``, then drop it
        assert reasons[refused.id] == ONLY_DECLINED
    for request in summary.assigned:
        assert (request.status, request.mentor_id) == (MatchStatus.PENDING, mentor.id)
        assert request.expires_at == world.clock.now() + POLICY.respond_within
    assert summary.engine == "reference"


async def test_a_round_without_mentors_leaves_everyone_waiting(world: World) -> None:
    learner, admin = _learner(), make_user(role=Role.ADMIN)
    people = await world.add(learner, admin)
    await world.store(make_mentorship(learner.id, None, status=MatchStatus.WAITING, domain="python"))

    summary = await RunMatchingRound(world.uow(), ENGINE, POLICY, world.clock, Notifier(world.clock))(people[1])

    assert [item.reason for item in summary.unassigned] == [NO_MENTOR_AVAILABLE]
    assert (summary.assigned, summary.total_score) == ((), 0.0)


async def test_the_sweep_expires_overdue_requests_and_offers_the_next_mentor(world: World) -> None:
    learner, first, second = _learner(), _mentor("First"), _mentor("Second", created_at=world.clock.now())
    ada, first_p, _ = await world.add(learner, first, second)
    request = await RequestMentor(world.uow(), ENGINE, POLICY, world.clock, Notifier(world.clock), world.pool, DOMAINS)(
        ada, NEEDS
    )
    sweep = ExpireUnansweredMatches(world.uow(), ENGINE, POLICY, world.clock, Notifier(world.clock), world.pool)
    assert await sweep() == 0  # not due yet

    world.clock.advance(timedelta(days=3, seconds=1))
    assert await sweep() == 1

    newest, oldest = await world.matches_of(ada)
    assert (oldest.id, oldest.status) == (request.id, MatchStatus.EXPIRED)
    assert newest.status is MatchStatus.PENDING
    assert newest.mentor_id is not None
    assert newest.mentor_id != request.mentor_id
    assert await sweep() == 0  # nothing overdue any more
    late = ChangeMatch(
        world.uow(), ENGINE, POLICY, world.clock, default_rules(), Notifier(world.clock), world.pool, Nh3HtmlSanitizer()
    )
    accepter = first_p if request.mentor_id == first.id else Principal(second.id, Role.MENTOR, email_verified=True)
    with pytest.raises(Conflict, match="expired") as too_late:
        await late(accepter, request.id, MatchChange(status=MatchStatus.ACTIVE))
    assert (too_late.value.field, list(too_late.value.allowed)) == ("status", [])


async def test_the_sweep_skips_a_match_answered_meanwhile(world: World) -> None:
    learner, mentor = _learner(), _mentor("Quick")
    await world.add(learner, mentor)
    overdue = make_mentorship(learner.id, mentor.id, domain="python", expires_at=world.clock.now() - timedelta(1))
    await world.store(overdue)

    class AnswersFirst(MemoryUnitOfWork):
        """A unit of work whose first entry lets the mentor accept before the sweep writes."""

        entered = 0

        async def __aenter__(self) -> AnswersFirst:
            AnswersFirst.entered += 1
            if AnswersFirst.entered == 2:
                async with MemoryUnitOfWork(world.db) as other:
                    current = await other.mentorships.get(overdue.id)
                    await other.mentorships.update(replace(current, status=MatchStatus.ACTIVE, expires_at=None))
                    await other.commit()
            return await super().__aenter__()

    assert (
        await ExpireUnansweredMatches(
            AnswersFirst(world.db), ENGINE, POLICY, world.clock, Notifier(world.clock), world.pool
        )()
        == 0
    )
    async with world.uow() as uow:
        assert (await uow.mentorships.get(overdue.id)).status is MatchStatus.ACTIVE


async def test_recommendations_default_to_the_profile_and_check_k(world: World) -> None:
    learner, mentor = _learner(), _mentor("Near")
    ada, mentor_p = await world.add(learner, mentor)
    recommend = RecommendMentors(world.uow(), ENGINE, POLICY, world.pool, DOMAINS)

    found = await recommend(ada, NeedsQuery(), 3)
    assert [item.mentor.id for item in found] == [mentor.id]
    assert found[0].recommendation.components.skill == 1.0
    overridden = await recommend(ada, NeedsQuery(skills=("rust",), hours_per_week=1, remote_ok=False), 3)
    assert all(item.recommendation.components.skill == 0.0 for item in overridden)
    with pytest.raises(InvalidInput) as caught:
        await recommend(ada, NeedsQuery(), 0)
    assert caught.value.field == "k"
    with pytest.raises(Forbidden):
        await recommend(mentor_p, NeedsQuery(), 3)


async def test_a_chosen_mentor_who_declined_before_or_is_full_is_refused(world: World) -> None:
    learner, mentor, full = _learner(), _mentor("Once"), _mentor("Full", capacity=1)
    ada, *_ = await world.add(learner, mentor, full, other := _learner())
    await world.store(make_mentorship(learner.id, mentor.id, status=MatchStatus.REJECTED, domain="python"))
    await world.store(make_mentorship(other.id, full.id, status=MatchStatus.ACTIVE))
    request = RequestMentor(world.uow(), ENGINE, POLICY, world.clock, Notifier(world.clock), world.pool, DOMAINS)

    with pytest.raises(InvalidInput, match="declined"):
        await request(ada, NEEDS, mentor.id)
    with pytest.raises(InvalidInput, match="free place"):
        await request(ada, NEEDS, full.id)
    with pytest.raises(InvalidInput, match="no active mentor"):
        await request(ada, NEEDS, uuid4())
    # With no one left to offer, the request waits.
    waiting = await request(ada, NEEDS)
    assert (waiting.status, waiting.mentor_id) == (MatchStatus.WAITING, None)
