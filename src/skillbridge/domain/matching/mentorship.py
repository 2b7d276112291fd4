"""The mentorship (a match between one learner and one mentor) and its state machine.

::

    waiting --(a mentor is found: system)--> pending --(mentor accepts)--> active --(either)--> completed
       |                                      |  |  \\--(mentor rejects)--> rejected           \\--(either)--> cancelled
       \\--(learner)--> cancelled             |   \\--(no answer in time: system)--> expired
                                              \\--(learner)--> cancelled

``waiting`` is a request no eligible mentor could take yet; the next matching round (or the next
expiry sweep) gives it one. Rating and testimonial come from the learner, once, after completion;
sessions are planned by either participant while the mentorship is active.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from skillbridge.domain.errors import Conflict, ErrorCollector, Forbidden, InvalidInput
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.matching.schedule import MAX_SESSIONS, ScheduledSession, SessionInput, build_session, ordered
from skillbridge.domain.texts import N_

MAX_TESTIMONIAL_LENGTH = 2000


class MatchStatus(StrEnum):
    WAITING = "waiting"
    PENDING = "pending"
    ACTIVE = "active"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


#: Statuses that hold one of the mentor's capacity places.
OPEN_STATUSES = frozenset({MatchStatus.PENDING, MatchStatus.ACTIVE})
#: Statuses of a learner's still-open request: at most one per learner and domain.
LEARNER_OPEN_STATUSES = OPEN_STATUSES | {MatchStatus.WAITING}
#: Statuses of a learner's request still waiting for a mentor's yes: at most ``max_open_requests`` at once.
REQUEST_STATUSES = frozenset({MatchStatus.WAITING, MatchStatus.PENDING})
#: Statuses after which a mentor is not offered the same learner's request again.
DECLINED_STATUSES = frozenset({MatchStatus.REJECTED, MatchStatus.EXPIRED})


class Actor(StrEnum):
    """Who moves a mentorship: one of its two participants, or the platform itself."""

    LEARNER = "learner"
    MENTOR = "mentor"
    SYSTEM = "system"


#: Every legal transition and who may make it.
TRANSITIONS: Mapping[MatchStatus, Mapping[MatchStatus, frozenset[Actor]]] = {
    MatchStatus.WAITING: {
        MatchStatus.PENDING: frozenset({Actor.SYSTEM}),
        MatchStatus.CANCELLED: frozenset({Actor.LEARNER}),
    },
    MatchStatus.PENDING: {
        MatchStatus.ACTIVE: frozenset({Actor.MENTOR}),
        MatchStatus.REJECTED: frozenset({Actor.MENTOR}),
        MatchStatus.CANCELLED: frozenset({Actor.LEARNER}),
        MatchStatus.EXPIRED: frozenset({Actor.SYSTEM}),
    },
    MatchStatus.ACTIVE: {
        MatchStatus.COMPLETED: frozenset({Actor.LEARNER, Actor.MENTOR}),
        MatchStatus.CANCELLED: frozenset({Actor.LEARNER, Actor.MENTOR}),
    },
}


def allowed_transitions(status: MatchStatus, actor: Actor) -> tuple[MatchStatus, ...]:
    """The statuses ``actor`` may move a mentorship in ``status`` to, in declaration order."""
    return tuple(target for target, actors in TRANSITIONS.get(status, {}).items() if actor in actors)


@dataclass(slots=True)
class Mentorship:
    """One learner's request and, once found, the mentor who takes it.

    ``mentor_id`` is None only while ``waiting``; ``expires_at`` is set only while ``pending`` (the
    moment the mentor's silence counts as a no); ``accepted_at`` and ``completed_at`` say when it became
    active and completed (how long it lasted decides whether it counts for the mentor's badges).
    """

    learner_id: UUID
    mentor_id: UUID | None
    status: MatchStatus
    created_at: datetime
    updated_at: datetime
    learner_needs: LearnerNeeds
    score: float | None = None
    score_components: dict[str, float] = field(default_factory=dict)
    session_schedule: tuple[ScheduledSession, ...] = ()
    rating: int | None = None
    testimonial: str | None = None
    expires_at: datetime | None = None
    accepted_at: datetime | None = None
    completed_at: datetime | None = None
    version: int = 1
    id: UUID = field(default_factory=uuid4)

    @property
    def domain(self) -> str:
        return self.learner_needs.domain

    def actor(self, user_id: UUID) -> Actor | None:
        """The part ``user_id`` plays in this mentorship, or None for an outsider."""
        if user_id == self.learner_id:
            return Actor.LEARNER
        if self.mentor_id is not None and user_id == self.mentor_id:
            return Actor.MENTOR
        return None


@dataclass(frozen=True, slots=True)
class Offer:
    """A mentor proposed for a request, with the score that chose them."""

    mentor_id: UUID
    score: float
    components: Mapping[str, float]


def new_request(
    learner_id: UUID, needs: LearnerNeeds, now: datetime, offer: Offer | None, respond_within: timedelta
) -> Mentorship:
    """A new request: pending with ``offer``'s mentor, or waiting when no mentor could take it."""
    request = Mentorship(
        learner_id=learner_id,
        mentor_id=None,
        status=MatchStatus.WAITING,
        created_at=now,
        updated_at=now,
        learner_needs=needs,
    )
    return request if offer is None else offered(request, offer, now, respond_within)


def offered(request: Mentorship, offer: Offer, now: datetime, respond_within: timedelta) -> Mentorship:
    """``request`` (waiting) handed to a mentor: pending until they answer or ``respond_within`` passes."""
    _check_transition(request, Actor.SYSTEM, MatchStatus.PENDING)
    return replace(
        request,
        mentor_id=offer.mentor_id,
        status=MatchStatus.PENDING,
        score=offer.score,
        score_components=dict(offer.components),
        expires_at=now + respond_within,
        updated_at=now,
    )


def expired(mentorship: Mentorship, now: datetime) -> Mentorship:
    """A pending mentorship whose mentor did not answer in time."""
    _check_transition(mentorship, Actor.SYSTEM, MatchStatus.EXPIRED)
    return replace(mentorship, status=MatchStatus.EXPIRED, expires_at=None, updated_at=now)


def withdrawn(mentorship: Mentorship, now: datetime) -> Mentorship:
    """``mentorship`` cancelled because one of its people erased their account: whatever their part and
    whatever open status it is in (waiting, pending, active), which no participant's change could do (a
    mentor cannot cancel a pending request, only decline it; the learner is then offered nobody else)."""
    if mentorship.status not in LEARNER_OPEN_STATUSES:
        raise Conflict(
            N_("a {value} mentorship is not open"), field="status", params={"value": mentorship.status.value}
        )
    return replace(mentorship, status=MatchStatus.CANCELLED, expires_at=None, updated_at=now)


def follow_up(declined: Mentorship, now: datetime) -> Mentorship:
    """A fresh waiting request with the same needs, for a learner whose mentor declined or let it expire."""
    return Mentorship(
        learner_id=declined.learner_id,
        mentor_id=None,
        status=MatchStatus.WAITING,
        created_at=now,
        updated_at=now,
        learner_needs=declined.learner_needs,
    )


@dataclass(frozen=True, slots=True)
class MatchChange:
    """What a participant asks to change; every part left at its default is untouched."""

    status: MatchStatus | None = None
    rating: int | None = None
    testimonial: str | None = None
    add_sessions: tuple[SessionInput, ...] = ()
    remove_sessions: tuple[UUID, ...] = ()
    #: The whole schedule anew (the spec's ``session_schedule``): None leaves it, ``()`` empties it.
    schedule: tuple[SessionInput, ...] | None = None

    @property
    def is_empty(self) -> bool:
        return (
            self.status is None
            and self.rating is None
            and self.testimonial is None
            and not self.add_sessions
            and not self.remove_sessions
            and self.schedule is None
        )


def apply_change(mentorship: Mentorship, actor: Actor, change: MatchChange, now: datetime) -> Mentorship:
    """``mentorship`` after ``actor``'s ``change``, or an error and no change at all.

    Order: sessions first (they need the mentorship active *before* the change, so a participant can
    plan a last session and complete in one request but not plan one on a finished mentorship), then the
    status, then the feedback (which needs the status *after* the change, so "complete and rate" is one
    request).

    Raises:
        InvalidInput: an empty change, or a field breaks its rule (every field at fault listed).
        Conflict: an illegal transition (``allowed`` lists the legal ones for this actor); sessions on a
            mentorship that is not active; feedback before completion or a second time.
        Forbidden: the mentor tries to rate or write the testimonial.
    """
    if change.is_empty:
        raise InvalidInput(N_("the change is empty: send status, rating, testimonial or sessions"), field="status")
    result = replace(mentorship, updated_at=now)
    if change.schedule is not None:
        result = _with_schedule(result, change)
    elif change.add_sessions or change.remove_sessions:
        result = _with_sessions(result, change)
    if change.status is MatchStatus.PENDING and result.status is MatchStatus.WAITING:
        # Only an offer (``offered``) makes a request pending: it brings the mentor and the deadline.
        others = [status.value for status in allowed_transitions(result.status, actor) if status is not change.status]
        raise Conflict(N_("a waiting request becomes pending when a mentor is offered"), field="status", allowed=others)
    if change.status is not None and change.status is not result.status:
        _check_transition(result, actor, change.status)
        result = replace(result, status=change.status, expires_at=None)
        if change.status is MatchStatus.ACTIVE:
            result = replace(result, accepted_at=now)
        elif change.status is MatchStatus.COMPLETED:
            result = replace(result, completed_at=now)
    if change.rating is not None or change.testimonial is not None:
        result = _with_feedback(result, actor, change)
    return result


def _check_transition(mentorship: Mentorship, actor: Actor, target: MatchStatus) -> None:
    if actor in TRANSITIONS.get(mentorship.status, {}).get(target, frozenset()):
        return
    allowed = allowed_transitions(mentorship.status, actor)
    names = ", ".join(status.value for status in allowed) or "none"
    raise Conflict(
        N_("the {actor} cannot move a {status} match to {target}; allowed: {names}"),
        field="status",
        allowed=[status.value for status in allowed],
        params={"actor": actor.value, "status": mentorship.status.value, "target": target.value, "names": names},
    )


def _with_sessions(mentorship: Mentorship, change: MatchChange) -> Mentorship:
    if mentorship.status is not MatchStatus.ACTIVE:
        raise Conflict(
            N_("sessions are planned while a match is active; this one is {value}"),
            field="add_sessions",
            params={"value": mentorship.status.value},
        )
    errors = ErrorCollector()
    known = {session.id for session in mentorship.session_schedule}
    for index, session_id in enumerate(change.remove_sessions):
        if session_id not in known:
            errors.add(f"remove_sessions[{index}]", N_("no session with this id in this match"))
    removed = set(change.remove_sessions)
    kept = [session for session in mentorship.session_schedule if session.id not in removed]
    for index, raw in enumerate(change.add_sessions):
        session = build_session(raw, f"add_sessions[{index}]", errors)
        if session is not None:
            kept.append(session)
    if len(kept) > MAX_SESSIONS:
        errors.add("add_sessions", N_("a match holds at most {max_sessions} sessions"), {"max_sessions": MAX_SESSIONS})
    errors.raise_if_any()
    return replace(mentorship, session_schedule=ordered(tuple(kept)))


def _with_schedule(mentorship: Mentorship, change: MatchChange) -> Mentorship:
    """The schedule replaced by ``change.schedule``; a session equal to a planned one (same time, topic and
    duration) is that session, and keeps its id, so links to it (a calendar entry) stay valid."""
    if change.add_sessions or change.remove_sessions:
        raise InvalidInput(
            N_("send session_schedule (the whole list) or add_sessions/remove_sessions, not both"),
            field="session_schedule",
        )
    if mentorship.status is not MatchStatus.ACTIVE:
        raise Conflict(
            N_("sessions are planned while a match is active; this one is {value}"),
            field="session_schedule",
            params={"value": mentorship.status.value},
        )
    errors = ErrorCollector()
    if change.schedule is not None and len(change.schedule) > MAX_SESSIONS:
        errors.add(
            "session_schedule", N_("a match holds at most {max_sessions} sessions"), {"max_sessions": MAX_SESSIONS}
        )
        errors.raise_if_any()
    unclaimed = list(mentorship.session_schedule)
    kept: list[ScheduledSession] = []
    for index, raw in enumerate(change.schedule or ()):
        session = build_session(raw, f"session_schedule[{index}]", errors)
        if session is None:
            continue
        same = next((old for old in unclaimed if _same_session(old, session)), None)
        if same is not None:
            unclaimed.remove(same)  # each planned session answers for one entry only
            session = same
        kept.append(session)
    errors.raise_if_any()
    return replace(mentorship, session_schedule=ordered(tuple(kept)))


def _same_session(a: ScheduledSession, b: ScheduledSession) -> bool:
    return (a.time, a.topic, a.duration_minutes) == (b.time, b.topic, b.duration_minutes)


def _with_feedback(mentorship: Mentorship, actor: Actor, change: MatchChange) -> Mentorship:
    if actor is not Actor.LEARNER:
        raise Forbidden(N_("only the learner rates a mentorship and writes its testimonial"))
    if mentorship.status is not MatchStatus.COMPLETED:
        raise Conflict(N_("a mentorship is rated once it is completed"), field="rating")
    if mentorship.rating is not None:
        raise Conflict(N_("this mentorship has already been rated"), field="rating")
    errors = ErrorCollector()
    if change.rating is None:
        errors.add("rating", N_("a testimonial comes with a rating from 1 to 5"))
    elif not 1 <= change.rating <= 5:
        errors.add("rating", N_("a rating is from 1 to 5"))
    testimonial = change.testimonial.strip() if change.testimonial is not None else None
    if testimonial is not None and len(testimonial) > MAX_TESTIMONIAL_LENGTH:
        errors.add(
            "testimonial",
            N_("a testimonial has at most {max_testimonial_length} characters"),
            {"max_testimonial_length": MAX_TESTIMONIAL_LENGTH},
        )
    errors.raise_if_any()
    return replace(mentorship, rating=change.rating, testimonial=testimonial or None)
