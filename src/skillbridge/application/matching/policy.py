"""The knobs of matching that operators set: default weights, how long a mentor has to answer, how long
before a session its participants are reminded, and the bounds on requests, pools and rounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from skillbridge.domain.accounts.location_privacy import LocationPrivacy
from skillbridge.domain.matching.scoring import Weights

#: The public points of a policy built without the server's key (scripts and tests): still displaced.
_UNKEYED = LocationPrivacy.from_secret("skillbridge-development-location-key")

#: Most mentors a recommendation lists.
MAX_RECOMMENDATIONS = 50
#: Most mentors a matching round offers places of (oldest accounts first).
MAX_ROUND_MENTORS = 10_000
#: Waiting requests written per statement batch (and per transaction) by a matching round, unless set.
ROUND_BATCH = 200
#: Rows a matching round reads per statement (waiting requests, their learners, free mentors), unless set.
ROUND_PAGE = 5_000
#: Most mentors a matching round run as a job offers places of.
MAX_JOB_ROUND_MENTORS = 100_000
#: Most overdue requests one expiry sweep handles.
MAX_SWEEP = 500
#: Most session reminders one run sends (soonest first); the rest go on the next run.
MAX_REMINDERS = 500


@dataclass(frozen=True, slots=True)
class MatchingPolicy:
    """``weights`` apply wherever a request brings none; ``respond_within`` is how long a pending request
    waits for the mentor's answer before it expires and the learner is offered the next mentor;
    ``remind_before`` is how long before a session both participants get a ``session_reminder``;
    ``privacy`` places every person at their public point for the engines.

    Bounds: a learner holds at most ``max_open_requests`` waiting or pending requests; a request's mentor
    pool holds at most ``pool_size`` mentors and is kept ``pool_cache_ttl`` (zero: not cached); a round
    takes at most ``round_max_requests`` waiting requests (oldest first) and writes no further batch once
    ``round_time_budget`` has passed; it reads ``round_page_size`` rows a statement and writes
    ``round_batch_size`` matches a transaction. A round whose scope holds more than
    ``round_inline_max_requests`` waiting requests runs as a job instead, which takes at most
    ``round_job_max_requests`` of them and writes no further batch once ``round_job_time_budget`` has passed.
    """

    weights: Weights = field(default_factory=Weights)
    respond_within: timedelta = timedelta(days=7)
    remind_before: timedelta = timedelta(minutes=30)
    max_open_requests: int = 3
    pool_size: int = 200
    pool_cache_ttl: timedelta = timedelta(seconds=30)
    round_max_requests: int = 2_000
    round_time_budget: timedelta = timedelta(seconds=20)
    round_batch_size: int = ROUND_BATCH
    round_page_size: int = ROUND_PAGE
    round_inline_max_requests: int = 2_000
    round_job_max_requests: int = 100_000
    round_job_time_budget: timedelta = timedelta(minutes=10)
    privacy: LocationPrivacy = _UNKEYED
