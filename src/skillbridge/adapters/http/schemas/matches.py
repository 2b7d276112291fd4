"""Schemas of the matching endpoints and their conversion to and from the application's types."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta, Struct

from skillbridge.application.matching.recommendations import MentorRecommendation
from skillbridge.application.matching.rounds import RoundSummary
from skillbridge.domain.accounts.location_privacy import band_floor_km, band_label
from skillbridge.domain.accounts.profile import skill_slug
from skillbridge.domain.matching.blocks import MentorBlock
from skillbridge.domain.matching.mentorship import (
    MAX_TESTIMONIAL_LENGTH,
    Actor,
    MatchChange,
    MatchStatus,
    Mentorship,
    allowed_transitions,
)
from skillbridge.domain.matching.needs import MAX_DOMAIN_LENGTH, LearnerNeeds
from skillbridge.domain.matching.round_runs import MatchingRound, RoundStatus
from skillbridge.domain.matching.schedule import (
    MAX_DURATION_MINUTES,
    MAX_SESSIONS,
    MAX_TOPIC_LENGTH,
    MIN_DURATION_MINUTES,
    ScheduledSession,
    SessionInput,
)
from skillbridge.domain.matching.scoring import ScoreComponents, Weights

StatusName = Literal["waiting", "pending", "active", "completed", "rejected", "cancelled", "expired"]
Skill = Annotated[str, Meta(min_length=1, max_length=50, examples=["python"])]
UnitWeight = Annotated[float, Meta(ge=0, le=1)]
NonNegativeWeight = Annotated[float, Meta(ge=0, le=1000)]


class _Body(Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: a field outside the schema is an error."""


class LearnerNeedsIn(_Body):
    skills: Annotated[list[Skill], Meta(min_length=1, max_length=50)]
    hours_per_week: Annotated[int, Meta(ge=1, le=168, description="hours a week the learner wants mentoring")]
    remote_ok: bool = False
    domain: Annotated[str, Meta(min_length=1, max_length=MAX_DOMAIN_LENGTH, examples=["python"])] | None = None

    def to_needs(self) -> LearnerNeeds:
        return LearnerNeeds.create(self.skills, self.hours_per_week, remote_ok=self.remote_ok, domain=self.domain)


class MatchCreateIn(_Body):
    learner_needs: LearnerNeedsIn
    mentor_id: UUID | None = None


class SessionIn(_Body):
    time: Annotated[datetime, Meta(description="start, with its UTC offset", examples=["2026-12-05T16:00:00Z"])]
    topic: Annotated[str, Meta(min_length=1, max_length=MAX_TOPIC_LENGTH)]
    duration_minutes: Annotated[int, Meta(ge=MIN_DURATION_MINUTES, le=MAX_DURATION_MINUTES)] = 60

    def to_input(self) -> SessionInput:
        return SessionInput(time=self.time, topic=self.topic, duration_minutes=self.duration_minutes)


class MatchPatchIn(_Body):
    status: Literal["active", "rejected", "cancelled", "completed"] | None = None
    rating: Annotated[int, Meta(ge=1, le=5)] | None = None
    testimonial: Annotated[str, Meta(max_length=MAX_TESTIMONIAL_LENGTH)] | None = None
    add_sessions: Annotated[list[SessionIn], Meta(max_length=MAX_SESSIONS)] = []
    remove_sessions: Annotated[list[UUID], Meta(max_length=MAX_SESSIONS)] = []
    session_schedule: (
        Annotated[
            list[SessionIn],
            Meta(
                max_length=MAX_SESSIONS,
                description="the spec's form: the whole schedule anew, replacing the planned one ([] empties it); "
                "an entry equal to a planned session (time, topic, duration) keeps its id. Not with "
                "add_sessions or remove_sessions",
            ),
        ]
        | None
    ) = None
    version: Annotated[int, Meta(ge=1, description="the version this change is based on (or send If-Match)")] | None = (
        None
    )

    def to_change(self) -> MatchChange:
        return MatchChange(
            status=MatchStatus(self.status) if self.status is not None else None,
            rating=self.rating,
            testimonial=self.testimonial,
            add_sessions=tuple(session.to_input() for session in self.add_sessions),
            remove_sessions=tuple(self.remove_sessions),
            schedule=None
            if self.session_schedule is None
            else tuple(session.to_input() for session in self.session_schedule),
        )


class WeightsIn(_Body):
    skill: NonNegativeWeight = 0.5
    distance: NonNegativeWeight = 0.2
    availability: NonNegativeWeight = 0.3
    min_score: UnitWeight = 0.4
    distance_scale_km: Annotated[float, Meta(gt=0, le=20_000)] = 500.0
    remote_distance_factor: UnitWeight = 0.25

    def to_weights(self) -> Weights:
        return Weights(
            skill=self.skill,
            distance=self.distance,
            availability=self.availability,
            min_score=self.min_score,
            distance_scale_km=self.distance_scale_km,
            remote_distance_factor=self.remote_distance_factor,
        )


class RoundIn(_Body):
    weights: WeightsIn | None = None
    algorithm: Literal["optimal", "greedy"] = "optimal"
    domain: (
        Annotated[
            str,
            Meta(
                min_length=1,
                max_length=MAX_DOMAIN_LENGTH,
                pattern=r"^[A-Za-z0-9][A-Za-z0-9._ -]*$",
                examples=["python"],
                description="only the requests of this domain, as its slug (default: every domain)",
            ),
        ]
        | None
    ) = None

    def domain_slug(self) -> str | None:
        """The domain as requests store it (a slug: the pattern leaves it a letter or digit at least)."""
        return None if self.domain is None else skill_slug(self.domain)


class LearnerNeedsOut(Struct, kw_only=True):
    skills: list[str]
    hours_per_week: int
    remote_ok: bool
    domain: str

    @classmethod
    def of(cls, needs: LearnerNeeds) -> LearnerNeedsOut:
        return cls(
            skills=list(needs.skills),
            hours_per_week=needs.hours_per_week,
            remote_ok=needs.remote_ok,
            domain=needs.domain,
        )


class SessionOut(Struct, kw_only=True):
    id: UUID
    time: datetime
    topic: str
    duration_minutes: int

    @classmethod
    def of(cls, session: ScheduledSession) -> SessionOut:
        return cls(id=session.id, time=session.time, topic=session.topic, duration_minutes=session.duration_minutes)


class MatchOut(Struct, kw_only=True):
    id: UUID
    learner_id: UUID
    mentor_id: UUID | None
    status: StatusName
    learner_needs: LearnerNeedsOut
    score: float | None
    score_components: dict[str, float]
    session_schedule: list[SessionOut]
    rating: int | None
    testimonial: str | None
    expires_at: datetime | None
    your_role: Literal["learner", "mentor"] | None
    allowed_transitions: list[StatusName]
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, mentorship: Mentorship, viewer: UUID | None) -> MatchOut:
        actor = mentorship.actor(viewer) if viewer is not None else None
        allowed = allowed_transitions(mentorship.status, actor) if actor is not None else ()
        return cls(
            id=mentorship.id,
            learner_id=mentorship.learner_id,
            mentor_id=mentorship.mentor_id,
            status=mentorship.status.value,
            learner_needs=LearnerNeedsOut.of(mentorship.learner_needs),
            score=mentorship.score,
            score_components=shown_components(mentorship.score_components),
            session_schedule=[SessionOut.of(session) for session in mentorship.session_schedule],
            rating=mentorship.rating,
            testimonial=mentorship.testimonial,
            expires_at=mentorship.expires_at,
            your_role=None if actor is None or actor is Actor.SYSTEM else actor.value,  # type: ignore[arg-type]
            allowed_transitions=[status.value for status in allowed],
            created_at=mentorship.created_at,
            updated_at=mentorship.updated_at,
            version=mentorship.version,
        )


class MatchPage(Struct, kw_only=True):
    items: list[MatchOut]
    total: int
    limit: int
    offset: int


def shown_components(components: Mapping[str, float]) -> dict[str, float]:
    """Stored score components as the pair sees them: ``distance_km`` cut to its band's lower bound."""
    shown = dict(components)
    if "distance_km" in shown:
        shown["distance_km"] = band_floor_km(shown["distance_km"])
    return shown


class ScoreComponentsOut(Struct, kw_only=True):
    """Why a pair scores what it does. Distances are between public points; ``distance_km`` is the lower
    bound of the 5 km band (``distance_band``)."""

    skill: float
    distance: float
    availability: float
    distance_km: float
    distance_band: str
    score: float

    @classmethod
    def of(cls, components: ScoreComponents) -> ScoreComponentsOut:
        return cls(
            skill=components.skill,
            distance=components.distance,
            availability=components.availability,
            distance_km=band_floor_km(components.distance_km),
            distance_band=band_label(components.distance_km),
            score=components.score,
        )


class RecommendedMentorOut(Struct, kw_only=True):
    mentor_id: UUID
    display_name: str | None
    skills: list[str]
    city: str | None
    country: str | None
    languages: list[str]
    score: float
    components: ScoreComponentsOut

    @classmethod
    def of(cls, item: MentorRecommendation) -> RecommendedMentorOut:
        profile = item.mentor.profile
        return cls(
            mentor_id=item.mentor.id,
            display_name=profile.display_name,
            skills=list(profile.skills),
            city=profile.location.city if profile.location else None,
            country=profile.location.country if profile.location else None,
            languages=list(profile.languages),
            score=item.recommendation.score,
            components=ScoreComponentsOut.of(item.recommendation.components),
        )


class RecommendationList(Struct, kw_only=True):
    items: list[RecommendedMentorOut]
    total: int


class UnassignedOut(Struct, kw_only=True):
    match_id: UUID
    learner_id: UUID
    reason: str


class RoundOut(Struct, kw_only=True):
    assigned: list[MatchOut]
    unassigned: list[UnassignedOut]
    assigned_count: int
    unassigned_count: int
    total_score: float
    engine: str
    algorithm: str
    elapsed_ms: float
    left_waiting: int
    round_id: UUID | None = None

    @classmethod
    def of(cls, summary: RoundSummary, round_id: UUID | None = None) -> RoundOut:
        return cls(
            round_id=round_id,
            assigned=[MatchOut.of(request, None) for request in summary.assigned],
            unassigned=[
                UnassignedOut(match_id=item.request.id, learner_id=item.request.learner_id, reason=item.reason)
                for item in summary.unassigned
            ],
            assigned_count=len(summary.assigned),
            unassigned_count=len(summary.unassigned),
            total_score=summary.total_score,
            engine=summary.engine,
            algorithm=summary.algorithm,
            elapsed_ms=summary.elapsed_ms,
            left_waiting=summary.left_waiting,
        )


class RoundProgressOut(Struct, kw_only=True):
    requests_considered: int
    matches_stored: int
    batches_written: int


class RoundResultOut(Struct, kw_only=True):
    total_score: float
    left_waiting: int
    unassigned_by_reason: dict[str, int]
    engine: str | None


class MatchingRoundOut(Struct, kw_only=True):
    id: UUID
    status: Literal["queued", "running", "done", "failed"]
    domain: str | None
    algorithm: str
    progress: RoundProgressOut
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    elapsed_ms: float | None
    result: RoundResultOut | None
    error: str | None

    @classmethod
    def of(cls, item: MatchingRound, now: datetime) -> MatchingRoundOut:
        """``elapsed_ms`` runs from the start to the end, or to ``now`` while the round runs."""
        end = item.finished_at or now
        elapsed = None if item.started_at is None else max(0.0, (end - item.started_at).total_seconds() * 1000.0)
        return cls(
            id=item.id,
            status=item.status.value,
            domain=item.domain,
            algorithm=item.algorithm,
            progress=RoundProgressOut(
                requests_considered=item.requests_considered,
                matches_stored=item.matches_stored,
                batches_written=item.batches_written,
            ),
            created_at=item.created_at,
            started_at=item.started_at,
            finished_at=item.finished_at,
            elapsed_ms=elapsed,
            result=None
            if item.status is not RoundStatus.DONE
            else RoundResultOut(
                total_score=item.total_score,
                left_waiting=item.left_waiting,
                unassigned_by_reason=dict(item.unassigned),
                engine=item.engine,
            ),
            error=item.error,
        )


class BlockIn(_Body):
    learner_id: UUID


class BlockOut(Struct, kw_only=True):
    learner_id: UUID
    blocked_at: datetime

    @classmethod
    def of(cls, block: MentorBlock) -> BlockOut:
        return cls(learner_id=block.learner_id, blocked_at=block.created_at)


class BlockPage(Struct, kw_only=True):
    items: list[BlockOut]
    total: int
    limit: int
    offset: int
