"""The mentorship state machine, feedback and session rules, as pure domain functions."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillbridge.domain.errors import Conflict, Forbidden, InvalidInput
from skillbridge.domain.matching.mentorship import (
    Actor,
    MatchChange,
    MatchStatus,
    Mentorship,
    Offer,
    allowed_transitions,
    apply_change,
    expired,
    follow_up,
    new_request,
    offered,
)
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.matching.schedule import MAX_SESSIONS, SessionInput

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
WEEK = timedelta(days=7)
NEEDS = LearnerNeeds.create(["Python"], 4, domain="Python")
OFFER = Offer(mentor_id=uuid4(), score=0.8, components={"skill": 1.0, "score": 0.8})


def _request(status: MatchStatus = MatchStatus.PENDING) -> Mentorship:
    waiting = new_request(uuid4(), NEEDS, T0, None, WEEK)
    if status is MatchStatus.WAITING:
        return waiting
    pending = offered(waiting, OFFER, T0, WEEK)
    if status is MatchStatus.PENDING:
        return pending
    path = {
        MatchStatus.ACTIVE: [(Actor.MENTOR, MatchStatus.ACTIVE)],
        MatchStatus.COMPLETED: [(Actor.MENTOR, MatchStatus.ACTIVE), (Actor.LEARNER, MatchStatus.COMPLETED)],
        MatchStatus.REJECTED: [(Actor.MENTOR, MatchStatus.REJECTED)],
        MatchStatus.CANCELLED: [(Actor.LEARNER, MatchStatus.CANCELLED)],
        MatchStatus.EXPIRED: [(Actor.SYSTEM, MatchStatus.EXPIRED)],
    }[status]
    result = pending
    for actor, target in path:
        result = apply_change(result, actor, MatchChange(status=target), T0)
    return result


def test_a_request_with_an_offer_is_pending_until_its_deadline_and_without_one_waits() -> None:
    pending = new_request(uuid4(), NEEDS, T0, OFFER, WEEK)
    assert (pending.status, pending.mentor_id, pending.expires_at) == (MatchStatus.PENDING, OFFER.mentor_id, T0 + WEEK)
    assert pending.score_components == {"skill": 1.0, "score": 0.8}
    waiting = new_request(uuid4(), NEEDS, T0, None, WEEK)
    assert (waiting.status, waiting.mentor_id, waiting.expires_at) == (MatchStatus.WAITING, None, None)
    assert waiting.domain == "python"


W, P, A, C, R, X, E = (
    MatchStatus.WAITING,
    MatchStatus.PENDING,
    MatchStatus.ACTIVE,
    MatchStatus.COMPLETED,
    MatchStatus.REJECTED,
    MatchStatus.CANCELLED,
    MatchStatus.EXPIRED,
)
LEARNER, MENTOR, SYSTEM = Actor.LEARNER, Actor.MENTOR, Actor.SYSTEM

#: The lifecycle of docs/guide.md ("Lifecycle") and the spec's match statuses, written out by hand: for each
#: status and actor, the statuses that actor may move a match to, in the order ``allowed`` lists them.
#: waiting -> pending is the system's (a mentor is offered); pending -> active | rejected is the mentor's,
#: -> cancelled the learner's, -> expired the system's; active -> completed | cancelled is either participant's;
#: completed, rejected, cancelled and expired are final.
SPEC_ALLOWED: dict[tuple[MatchStatus, Actor], list[MatchStatus]] = {
    (W, LEARNER): [X],
    (W, MENTOR): [],
    (W, SYSTEM): [P],
    (P, LEARNER): [X],
    (P, MENTOR): [A, R],
    (P, SYSTEM): [E],
    (A, LEARNER): [C, X],
    (A, MENTOR): [C, X],
    (A, SYSTEM): [],
    **{(final, actor): [] for final in (C, R, X, E) for actor in Actor},
}


def test_the_spec_table_covers_every_status_and_actor() -> None:
    assert set(SPEC_ALLOWED) == set(itertools.product(MatchStatus, Actor))
    assert len(list(itertools.product(MatchStatus, Actor, MatchStatus))) == 147


@pytest.mark.parametrize(("status", "actor"), list(SPEC_ALLOWED))
def test_allowed_transitions_follow_the_spec_table(status: MatchStatus, actor: Actor) -> None:
    assert list(allowed_transitions(status, actor)) == SPEC_ALLOWED[status, actor]


@pytest.mark.parametrize(
    ("status", "actor", "target"),
    list(itertools.product(MatchStatus, Actor, MatchStatus)),
)
def test_every_transition_is_legal_exactly_when_the_table_says_so(
    status: MatchStatus, actor: Actor, target: MatchStatus
) -> None:
    mentorship = _request(status)
    if target is status:
        assert apply_change(mentorship, actor, MatchChange(status=target), T0).status is status  # no-op
        return
    # waiting -> pending is in the table but only ``offered`` (which brings the mentor) makes it, not a change.
    legal = target in SPEC_ALLOWED[status, actor] and (status, target) != (W, P)
    if legal:
        changed = apply_change(mentorship, actor, MatchChange(status=target), T0 + timedelta(hours=1))
        assert changed.status is target
        assert changed.expires_at is None
        assert changed.updated_at == T0 + timedelta(hours=1)
        return
    with pytest.raises(Conflict) as caught:
        apply_change(mentorship, actor, MatchChange(status=target), T0)
    assert list(caught.value.allowed) == [s.value for s in SPEC_ALLOWED[status, actor] if s is not target]
    assert caught.value.field == "status"


def test_the_conflict_message_names_the_allowed_transitions() -> None:
    with pytest.raises(Conflict, match="allowed: active, rejected"):
        apply_change(_request(), Actor.MENTOR, MatchChange(status=MatchStatus.COMPLETED), T0)
    with pytest.raises(Conflict, match="allowed: none"):
        apply_change(_request(MatchStatus.COMPLETED), Actor.MENTOR, MatchChange(status=MatchStatus.ACTIVE), T0)


def test_expiry_and_follow_up_keep_the_needs_and_drop_the_mentor() -> None:
    gone = expired(_request(), T0 + WEEK)
    assert (gone.status, gone.expires_at) == (MatchStatus.EXPIRED, None)
    again = follow_up(gone, T0 + WEEK)
    assert (again.status, again.mentor_id, again.learner_needs, again.learner_id) == (
        MatchStatus.WAITING,
        None,
        NEEDS,
        gone.learner_id,
    )
    assert again.id != gone.id
    with pytest.raises(Conflict):
        expired(_request(MatchStatus.ACTIVE), T0)
    with pytest.raises(Conflict):
        offered(_request(MatchStatus.PENDING), OFFER, T0, WEEK)


def test_feedback_is_the_learners_once_after_completion() -> None:
    done = _request(MatchStatus.COMPLETED)
    with pytest.raises(Forbidden):
        apply_change(done, Actor.MENTOR, MatchChange(rating=5), T0)
    with pytest.raises(Conflict):
        apply_change(_request(MatchStatus.ACTIVE), Actor.LEARNER, MatchChange(rating=5), T0)
    rated = apply_change(done, Actor.LEARNER, MatchChange(rating=5, testimonial="  Kind and sharp  "), T0)
    assert (rated.rating, rated.testimonial) == (5, "Kind and sharp")
    with pytest.raises(Conflict, match="already"):
        apply_change(rated, Actor.LEARNER, MatchChange(rating=4), T0)
    with pytest.raises(InvalidInput) as caught:
        apply_change(done, Actor.LEARNER, MatchChange(testimonial="no stars"), T0)
    assert caught.value.field == "rating"
    with pytest.raises(InvalidInput):
        apply_change(done, Actor.LEARNER, MatchChange(rating=6), T0)
    with pytest.raises(InvalidInput) as too_long:
        apply_change(done, Actor.LEARNER, MatchChange(rating=3, testimonial="x" * 2001), T0)
    assert too_long.value.field == "testimonial"
    # Completing and rating in one change works: feedback sees the status after the change.
    both = apply_change(
        _request(MatchStatus.ACTIVE), Actor.LEARNER, MatchChange(status=MatchStatus.COMPLETED, rating=4), T0
    )
    assert (both.status, both.rating, both.testimonial) == (MatchStatus.COMPLETED, 4, None)


def test_sessions_are_planned_while_active_in_time_order_and_removed_by_id() -> None:
    active = _request(MatchStatus.ACTIVE)
    later = SessionInput(datetime(2027, 1, 8, 17, tzinfo=UTC), "Pandas", 90)
    sooner = SessionInput(datetime(2027, 1, 1, 18, tzinfo=UTC), " Kick-off ", 30)
    planned = apply_change(active, Actor.MENTOR, MatchChange(add_sessions=(later, sooner)), T0)
    assert [(s.topic, s.duration_minutes) for s in planned.session_schedule] == [("Kick-off", 30), ("Pandas", 90)]
    kept = planned.session_schedule[1]
    trimmed = apply_change(planned, Actor.LEARNER, MatchChange(remove_sessions=(planned.session_schedule[0].id,)), T0)
    assert trimmed.session_schedule == (kept,)

    with pytest.raises(InvalidInput) as unknown:
        apply_change(planned, Actor.LEARNER, MatchChange(remove_sessions=(uuid4(),)), T0)
    assert unknown.value.field == "remove_sessions[0]"
    bad = SessionInput(datetime(2027, 1, 1, 18), "", 5)
    with pytest.raises(InvalidInput) as invalid:
        apply_change(active, Actor.MENTOR, MatchChange(add_sessions=(bad,)), T0)
    assert [error.field for error in invalid.value.errors] == [
        "add_sessions[0].time",
        "add_sessions[0].topic",
        "add_sessions[0].duration_minutes",
    ]
    with pytest.raises(InvalidInput, match="at most"):
        apply_change(active, Actor.MENTOR, MatchChange(add_sessions=(later,) * (MAX_SESSIONS + 1)), T0)
    for status in (MatchStatus.PENDING, MatchStatus.COMPLETED):
        with pytest.raises(Conflict):
            apply_change(_request(status), Actor.MENTOR, MatchChange(add_sessions=(later,)), T0)


def test_a_whole_schedule_replaces_the_planned_one_and_equal_entries_keep_their_ids() -> None:
    active = _request(MatchStatus.ACTIVE)
    kickoff = SessionInput(datetime(2027, 1, 1, 18, tzinfo=UTC), "Kick-off", 30)
    pandas = SessionInput(datetime(2027, 1, 8, 17, tzinfo=UTC), "Pandas", 90)
    planned = apply_change(active, Actor.MENTOR, MatchChange(add_sessions=(kickoff, pandas, kickoff)), T0)
    kickoff_ids = {s.id for s in planned.session_schedule if s.topic == "Kick-off"}
    (pandas_id,) = (s.id for s in planned.session_schedule if s.topic == "Pandas")
    assert len(kickoff_ids) == 2
    numpy = SessionInput(datetime(2027, 1, 15, 17, tzinfo=UTC), "NumPy")
    renewed = apply_change(planned, Actor.LEARNER, MatchChange(schedule=(numpy, kickoff, kickoff)), T0)
    assert [s.topic for s in renewed.session_schedule] == ["Kick-off", "Kick-off", "NumPy"]
    # Two equal entries take the two equal planned sessions, one each; the dropped one (Pandas) is gone.
    assert {s.id for s in renewed.session_schedule[:2]} == kickoff_ids
    assert pandas_id not in {s.id for s in renewed.session_schedule}
    retimed = SessionInput(datetime(2027, 1, 1, 19, tzinfo=UTC), "Kick-off", 30)
    moved = apply_change(renewed, Actor.LEARNER, MatchChange(schedule=(retimed,)), T0)
    assert moved.session_schedule[0].id not in kickoff_ids  # another time: another session
    assert apply_change(moved, Actor.MENTOR, MatchChange(schedule=()), T0).session_schedule == ()


def test_a_whole_schedule_is_refused_with_add_or_remove_when_too_long_or_not_active() -> None:
    active = _request(MatchStatus.ACTIVE)
    session = SessionInput(datetime(2027, 1, 1, 18, tzinfo=UTC), "Kick-off")
    with pytest.raises(InvalidInput) as mixed:
        apply_change(active, Actor.LEARNER, MatchChange(schedule=(), add_sessions=(session,)), T0)
    assert mixed.value.field == "session_schedule"
    with pytest.raises(InvalidInput) as long:
        apply_change(active, Actor.LEARNER, MatchChange(schedule=(session,) * (MAX_SESSIONS + 1)), T0)
    assert long.value.field == "session_schedule"
    bad = SessionInput(datetime(2027, 1, 1, 18), "x")
    with pytest.raises(InvalidInput) as naive:
        apply_change(active, Actor.LEARNER, MatchChange(schedule=(session, bad)), T0)
    assert naive.value.field == "session_schedule[1].time"
    for status in (MatchStatus.PENDING, MatchStatus.COMPLETED):
        with pytest.raises(Conflict):
            apply_change(_request(status), Actor.MENTOR, MatchChange(schedule=()), T0)
    assert apply_change(active, Actor.LEARNER, MatchChange(schedule=(session,)), T0).session_schedule[0].topic == (
        "Kick-off"
    )  # positive control: the same schedule alone is taken


def test_an_empty_change_is_refused() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        apply_change(_request(), Actor.LEARNER, MatchChange(), T0)


def test_learner_needs_are_normalised_and_every_fault_reported() -> None:
    needs = LearnerNeeds.create([" Machine Learning ", "python", "Python"], 5, remote_ok=True, domain=" Data Science ")
    assert (needs.skills, needs.domain, needs.remote_ok) == (("machine-learning", "python"), "data-science", True)
    assert LearnerNeeds.create(["sql"], 1).domain == "general"
    with pytest.raises(InvalidInput) as caught:
        LearnerNeeds.create([], 0, domain="!!")
    assert [error.field for error in caught.value.errors] == [
        "learner_needs.skills",
        "learner_needs.hours_per_week",
        "learner_needs.domain",
    ]
    with pytest.raises(InvalidInput) as bad_skill:
        LearnerNeeds.create(["ok", "+++"[:0] or "--"], 3)
    assert bad_skill.value.field == "learner_needs.skills[1]"


CHANGES = st.builds(
    MatchChange,
    status=st.none() | st.sampled_from(MatchStatus),
    rating=st.none() | st.integers(0, 6),
    testimonial=st.none() | st.text(max_size=5),
    add_sessions=st.lists(
        st.builds(
            SessionInput,
            time=st.datetimes(timezones=st.just(UTC)),
            topic=st.text(max_size=3),
            duration_minutes=st.integers(0, 600),
        ),
        max_size=2,
    ).map(tuple),
    schedule=st.none()
    | st.lists(
        st.builds(
            SessionInput,
            time=st.datetimes(timezones=st.just(UTC)),
            topic=st.sampled_from(["a", "b"]),
            duration_minutes=st.just(60),
        ),
        max_size=3,
    ).map(tuple),
)


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(st.tuples(st.sampled_from(Actor), CHANGES), max_size=12))
def test_any_sequence_of_changes_keeps_a_mentorship_consistent(steps: list[tuple[Actor, MatchChange]]) -> None:
    mentorship = _request(MatchStatus.PENDING)
    for actor, change in steps:
        before = mentorship
        try:
            mentorship = apply_change(mentorship, actor, change, T0)
        except (Conflict, Forbidden, InvalidInput):  # the three refusals of apply_change's contract
            assert mentorship is before  # a refused change changes nothing
            continue
        moved = mentorship.status is not before.status
        assert not moved or mentorship.status in SPEC_ALLOWED[before.status, actor]
        assert (mentorship.mentor_id is None) == (mentorship.status is MatchStatus.WAITING)
        assert (mentorship.expires_at is not None) == (mentorship.status is MatchStatus.PENDING)
        assert mentorship.rating is None or (mentorship.status is MatchStatus.COMPLETED and 1 <= mentorship.rating <= 5)
        assert len(mentorship.session_schedule) <= MAX_SESSIONS
        times = [(s.time, s.id) for s in mentorship.session_schedule]
        assert times == sorted(times)
        assert before.rating is None or mentorship.rating == before.rating  # feedback is final
