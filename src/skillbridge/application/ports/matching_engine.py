"""MatchingEngine port: optimal (or greedy) assignment of learners to mentors, and top-k recommendations.

Every adapter applies the scoring rule of :mod:`skillbridge.domain.matching.scoring`; they differ only in
where the work happens (the Rust extension in process, the matcher-rs HTTP service, pure Python).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from skillbridge.domain.matching.scoring import (
    Algorithm,
    AssignmentResult,
    LearnerProfile,
    MentorProfile,
    Recommendation,
    Weights,
)


class MatchingEngine(Protocol):
    """Assigns learners to mentors and recommends mentors to one learner."""

    #: Short name of the engine (``native``, ``remote``, ``reference``), reported in results and metrics.
    name: str

    async def assign(
        self,
        learners: Sequence[LearnerProfile],
        mentors: Sequence[MentorProfile],
        weights: Weights,
        *,
        algorithm: Algorithm = "optimal",
    ) -> AssignmentResult:
        """Give each learner at most one mentor and each mentor at most ``capacity`` learners, using eligible
        pairs only. ``optimal`` maximises the total score (ties broken deterministically); ``greedy`` takes
        pairs by score descending (ties: learner index, then mentor index). Assignments and unassigned ids
        are in learner input order; the result depends only on the input.

        Raises:
            InvalidInput: (an :class:`~skillbridge.domain.matching.scoring.InvalidMatchingInput`) the input
                breaks a rule; ``field`` is its path, e.g. ``learners[3].lat``; empty lists are refused.
            DependencyUnavailable: the engine cannot run (extension missing, service unreachable or failing).
        """
        ...

    async def recommend(
        self, learner: LearnerProfile, mentors: Sequence[MentorProfile], k: int, weights: Weights
    ) -> list[Recommendation]:
        """The ``k`` best eligible mentors for ``learner``, score descending (ties by mentor input order),
        each with its score components. No mentors gives an empty list.

        Raises:
            InvalidInput: as for :meth:`assign` (paths ``learner.*``, ``mentors[i].*``, ``weights.*``).
            DependencyUnavailable: the engine cannot run.
        """
        ...
