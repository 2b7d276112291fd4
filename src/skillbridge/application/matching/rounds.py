"""A matching round run within the request: one optimal assignment of the waiting requests to the mentors
with free places (rounds too large for a request run as jobs: :mod:`skillbridge.application.matching.round_jobs`)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.matching.policy import MAX_ROUND_MENTORS, MatchingPolicy
from skillbridge.application.matching.round_solving import (
    EXCLUDED,
    INCOMPLETE_PROFILE,
    NO_ELIGIBLE_MENTOR,
    NO_MENTOR_AVAILABLE,
    NOT_PLACED,
    ONLY_DECLINED,
    OUT_OF_TIME,
    PLACES_TAKEN,
    RoundLimits,
    RoundOutcome,
    RoundWork,
    Unassigned,
    since,
)
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.matching.mentorship import Mentorship
from skillbridge.domain.matching.scoring import Algorithm, Weights

__all__ = [
    "EXCLUDED",
    "INCOMPLETE_PROFILE",
    "NOT_PLACED",
    "NO_ELIGIBLE_MENTOR",
    "NO_MENTOR_AVAILABLE",
    "ONLY_DECLINED",
    "OUT_OF_TIME",
    "PLACES_TAKEN",
    "RoundSummary",
    "RunMatchingRound",
    "Unassigned",
]


@dataclass(frozen=True, slots=True)
class RoundSummary:
    """What a round did: the requests now pending, those it took that still wait with reasons, how many
    waiting requests it left for the next round without looking at them, the total score, the engine and
    algorithm used, and the wall time in milliseconds."""

    assigned: tuple[Mentorship, ...]
    unassigned: tuple[Unassigned, ...]
    total_score: float
    engine: str
    algorithm: Algorithm
    elapsed_ms: float
    left_waiting: int = 0


def inline_limits(policy: MatchingPolicy) -> RoundLimits:
    """What a round within a request takes (the job's are larger: see ``round_jobs``)."""
    return RoundLimits(
        max_requests=policy.round_max_requests,
        max_mentors=MAX_ROUND_MENTORS,
        page_size=policy.round_page_size,
        batch_size=policy.round_batch_size,
        time_budget=policy.round_time_budget,
    )


class RunMatchingRound:
    """Assign the waiting requests (oldest first, at most ``policy.round_max_requests``; of one domain when
    given) in one optimal (or greedy) assignment over every mentor's free places.

    Rules:
    - admins only; requests are the engine's learners (one learner may wait in several domains); a
      request whose learner lacks a location or language stays waiting;
    - reading pages through the requests (with their learners) and the free mentors, ``policy.round_page_size``
      rows a statement, so the number of queries grows with the pages, never with the requests one by one;
      then the learners' exclusions, then one solve;
    - a pair is never offered when the mentor declined this learner in this domain (reason
      ``only_declined_mentors_fit``), blocked them, or already holds an open match with them, also one
      made earlier in this round (reason ``mentor_excluded_for_learner``): the engines take no per-pair
      exclusions, so such assignments are dropped after the solve (the request waits for the next round);
    - an unassigned request is told apart as ``no_eligible_mentor`` or ``places_taken_by_better_matches``
      while the unassigned times the mentors are at most ``MAX_EXPLAINED_PAIRS``; beyond, each is
      ``not_placed_by_solver``;
    - the assignments are written in batches of ``policy.round_batch_size``, each in its own transaction with
      a fixed number of statements (mentors locked, places counted, requests re-read, one update, one insert
      of the mentors' notifications, and the round's progress when it has a record); an assignment whose
      request changed meanwhile or whose mentor filled up is dropped (``places_taken_by_better_matches``);
    - time: once ``policy.round_time_budget`` has passed on the clock since the solve began, no further
      batch is written and those requests stay waiting (``round_time_budget_spent``); the first batch is
      always written, so every round moves;
    - every new pending match gets ``policy.respond_within`` to be answered; ``left_waiting`` counts the
      requests beyond the round's cap, which the next round takes.
    """

    def __init__(
        self, uow: UnitOfWork, engine: MatchingEngine, policy: MatchingPolicy, clock: Clock, notifier: Notifier
    ) -> None:
        self._uow = uow
        self._policy = policy
        self._work = RoundWork(uow, engine, policy, clock, notifier)

    async def __call__(
        self,
        principal: Principal,
        weights: Weights | None = None,
        algorithm: Algorithm = "optimal",
        domain: str | None = None,
    ) -> RoundSummary:
        principal.require(Role.ADMIN)
        self._uow.act_for_system("admin:matching_round")
        started = time.perf_counter()
        limits = inline_limits(self._policy)
        read = await self._work.read(domain, limits)
        outcome = await self._work.solve_and_write(read, weights or self._policy.weights, algorithm, limits)
        return summary_of(outcome, algorithm, started, read.left_waiting)


def summary_of(outcome: RoundOutcome, algorithm: Algorithm, started: float, left_waiting: int) -> RoundSummary:
    """The summary of a round that began at ``started`` (a ``time.perf_counter()`` reading)."""
    return RoundSummary(
        tuple(outcome.assigned),
        tuple(outcome.unassigned),
        outcome.total_score,
        outcome.engine,
        algorithm,
        since(started),
        left_waiting,
    )
