"""The domain rules behind the matching bounds: open requests, one match per mentor, the pool's reach,
and the mentor record that badges read."""

from __future__ import annotations

import math
from datetime import timedelta
from uuid import uuid4

import pytest

from skillbridge.domain.accounts.location_privacy import MAX_PUBLIC_OFFSET_KM
from skillbridge.domain.badges.rules import Completion, mentor_record
from skillbridge.domain.errors import Conflict
from skillbridge.domain.matching.candidates import REACH_MARGIN_KM, reach_km, stored_reach_km
from skillbridge.domain.matching.limits import refuse_beyond_limits
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.domain.matching.scoring import Weights
from tests.support.entities import T0, make_mentorship


def test_open_requests_are_bounded_whatever_their_domains() -> None:
    learner, mentor = uuid4(), uuid4()
    held = [
        make_mentorship(learner, mentor, domain="python"),
        make_mentorship(learner, None, status=MatchStatus.WAITING, domain="sql"),
    ]
    refuse_beyond_limits(held, "javascript", 3)  # control: the third is allowed
    active = [*held, make_mentorship(learner, uuid4(), status=MatchStatus.ACTIVE, domain="ui-ux")]
    refuse_beyond_limits(active, "javascript", 3)  # an active mentorship is no request
    with pytest.raises(Conflict) as caught:
        refuse_beyond_limits([*held, make_mentorship(learner, None, status=MatchStatus.WAITING)], "backend", 3)
    assert caught.value.field == "learner_needs"
    with pytest.raises(Conflict) as same_domain:
        refuse_beyond_limits(held, "sql", 3)
    assert same_domain.value.field == "domain"
    with pytest.raises(Conflict) as same_mentor:
        refuse_beyond_limits(held, "javascript", 3, mentor)
    assert same_mentor.value.field == "mentor_id"


def test_the_reach_of_a_mentor_without_common_skills_follows_from_the_weights() -> None:
    # Defaults, on site: (0.2 * e + 0.3) / 1.0 >= 0.4 while e >= 0.5, i.e. d <= 500 ln 2 km.
    assert reach_km(Weights(), remote_ok=False) == pytest.approx(500 * math.log(2) + REACH_MARGIN_KM)
    # Remote: (0.05 * e + 0.3) / 0.85 >= 0.4 while e >= 0.8.
    assert reach_km(Weights(), remote_ok=True) == pytest.approx(500 * math.log(1.25) + REACH_MARGIN_KM)
    assert reach_km(Weights(min_score=0.3), remote_ok=False) is None  # availability alone is enough
    assert reach_km(Weights(min_score=0.6), remote_ok=False) == 0.0  # no skill-less mentor can qualify


def test_a_mentor_record_counts_distinct_learners_of_long_enough_mentorships() -> None:
    puppet, real = uuid4(), uuid4()
    long_enough = {"accepted_at": T0, "completed_at": T0 + timedelta(days=14)}
    record = mentor_record(
        [
            *(Completion(puppet, rating=5, **long_enough) for _ in range(5)),
            Completion(real, T0, T0 + timedelta(days=13, hours=23), rating=1),  # too short
            Completion(real, None, None, rating=1),  # times unknown
            Completion(real, rating=3, **long_enough),
        ],
        timedelta(days=14),
    )
    assert (record.completed_mentorships, record.rated_mentorships, record.average_rating) == (2, 2, 4.0)
    assert mentor_record([], timedelta(days=14)).average_rating is None


def test_the_reach_on_stored_points_widens_the_public_one_by_the_largest_offset() -> None:
    # The scorer sees public points, the pool's query filters stored ones: a mentor whose public point is
    # within reach stands at most the largest public offset farther.
    assert stored_reach_km(120.0) == 120.0 + MAX_PUBLIC_OFFSET_KM
    assert stored_reach_km(0.0) == 0.0  # nobody without a common skill: still nobody
    assert stored_reach_km(None) is None  # any distance: still any
