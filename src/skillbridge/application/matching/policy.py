"""The knobs of matching that operators set: default weights and how long a mentor has to answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from skillbridge.domain.matching.scoring import Weights

#: Most mentors a recommendation lists.
MAX_RECOMMENDATIONS = 50
#: Most waiting requests one matching round takes (oldest first); the rest wait for the next round.
MAX_ROUND_REQUESTS = 10_000
#: Most overdue requests one expiry sweep handles.
MAX_SWEEP = 500


@dataclass(frozen=True, slots=True)
class MatchingPolicy:
    """``weights`` apply wherever a request brings none; ``respond_within`` is how long a pending request
    waits for the mentor's answer before it expires and the learner is offered the next mentor."""

    weights: Weights = field(default_factory=Weights)
    respond_within: timedelta = timedelta(days=7)
