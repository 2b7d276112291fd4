"""Recommending mentors to a learner: the top k, each with why."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.matching.domains import resolve_domain
from skillbridge.application.matching.policy import MAX_RECOMMENDATIONS, MatchingPolicy
from skillbridge.application.matching.pool import MentorPool
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.user import User
from skillbridge.domain.errors import FieldError, InvalidInput
from skillbridge.domain.matching.limits import DomainNames
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.matching.pairing import learner_profile
from skillbridge.domain.matching.scoring import Recommendation
from skillbridge.domain.texts import N_


@dataclass(frozen=True, slots=True)
class MentorRecommendation:
    """A recommended mentor and the score components that put them there."""

    mentor: User
    recommendation: Recommendation


@dataclass(frozen=True, slots=True)
class NeedsQuery:
    """What a recommendation is for; each part left out comes from the learner's profile (skills, hours
    per week) or defaults (remote mentoring accepted, the general domain)."""

    skills: tuple[str, ...] | None = None
    hours_per_week: int | None = None
    remote_ok: bool = True
    domain: str | None = None

    def needs_of(self, learner: User) -> LearnerNeeds:
        skills = self.skills if self.skills is not None else learner.profile.skills
        hours = self.hours_per_week if self.hours_per_week is not None else learner.profile.hours_per_week
        return LearnerNeeds.create(skills, hours, remote_ok=self.remote_ok, domain=self.domain)


_BODY_PREFIX = "learner_needs."


def _named_as_query_parameters(refused: InvalidInput) -> InvalidInput:
    """``refused`` with the fields named as this query names them (``domain``), not as a request's body does
    (``learner_needs.domain``): the client must find the field at fault among what it sent."""
    errors = [
        FieldError(error.field.removeprefix(_BODY_PREFIX), error.message, error.params) for error in refused.errors
    ]
    field = refused.field.removeprefix(_BODY_PREFIX) if refused.field else None
    return InvalidInput(
        refused.text.message, field=field, errors=errors, allowed=refused.allowed, params=refused.text.params
    )


class RecommendMentors:
    """The ``k`` best eligible mentors for the signed-in learner, best first.

    Rules: learners only (others Forbidden); needs default to the learner's profile (skills, hours per
    week, remote mentoring accepted); a domain, when given, must be one a request may name (see
    :class:`~skillbridge.application.matching.requests.RequestMentor`); a refused need names the query
    parameter (``domain``, ``skills``, ``hours_per_week``); mentors who declined this learner
    in the same domain, blocked them or hold an open match with them are left out; the mentors come from
    the bounded, briefly cached pool (:class:`MentorPool`), so one just filled up may still be listed; the
    weights are the operator's defaults (:class:`MatchingPolicy`); mentors are scored at their public points
    and the learner at their own (what is shown is theirs alone), so neither a score nor its ``distance_km``
    tells the learner more than a mentor's public point, however often they move.
    """

    def __init__(
        self, uow: UnitOfWork, engine: MatchingEngine, policy: MatchingPolicy, pool: MentorPool, domains: DomainNames
    ) -> None:
        self._pool = pool
        self._domains = domains
        self._uow = uow
        self._engine = engine
        self._policy = policy

    async def __call__(self, principal: Principal, query: NeedsQuery, k: int) -> list[MentorRecommendation]:
        principal.require(Role.LEARNER)
        if not 1 <= k <= MAX_RECOMMENDATIONS:
            raise InvalidInput(
                N_("k must be between 1 and {max_recommendations}"),
                field="k",
                params={"max_recommendations": MAX_RECOMMENDATIONS},
            )
        async with self._uow.reading() as uow:
            learner = await uow.users.get(principal.user_id)
            try:
                needs = query.needs_of(learner)
                needs = replace(needs, domain=await resolve_domain(uow, self._domains, needs.domain))
            except InvalidInput as refused:
                raise _named_as_query_parameters(refused) from refused
            profile = learner_profile(learner, needs, privacy=self._policy.privacy, at_own_point=True)
            excluded = (await uow.mentorships.exclusions([learner.id])).mentors_for(learner.id, needs.domain)
            mentors = await self._pool.candidates(uow, profile, self._policy.weights, excluded)
            found = await self._engine.recommend(profile, mentors, k, self._policy.weights)
            people = await uow.users.get_many([UUID(item.mentor_id) for item in found])
        return [MentorRecommendation(people[UUID(item.mentor_id)], item) for item in found]
