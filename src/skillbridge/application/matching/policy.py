"""The knobs of matching that operators set: default weights, how long a mentor has to answer, and how long
before a session its participants are reminded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from skillbridge.domain.accounts.location_privacy import LocationPrivacy
from skillbridge.domain.matching.scoring import Weights

#: The public points of a policy built without the server's key (scripts and tests): still displaced.
_UNKEYED = LocationPrivacy.from_secret("skillbridge-development-location-key")

#: Most mentors a recommendation lists.
MAX_RECOMMENDATIONS = 50
#: Most waiting requests one matching round takes (oldest first); the rest wait for the next round.
MAX_ROUND_REQUESTS = 10_000
#: Most overdue requests one expiry sweep handles.
MAX_SWEEP = 500
#: Most session reminders one run sends (soonest first); the rest go on the next run.
MAX_REMINDERS = 500


@dataclass(frozen=True, slots=True)
class MatchingPolicy:
    """``weights`` apply wherever a request brings none; ``respond_within`` is how long a pending request
    waits for the mentor's answer before it expires and the learner is offered the next mentor;
    ``remind_before`` is how long before a session both participants get a ``session_reminder``;
    ``privacy`` places every person at their public point for the engines."""

    weights: Weights = field(default_factory=Weights)
    respond_within: timedelta = timedelta(days=7)
    remind_before: timedelta = timedelta(minutes=30)
    privacy: LocationPrivacy = _UNKEYED
