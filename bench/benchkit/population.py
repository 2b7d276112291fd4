"""The benchmark population, as domain entities: mentors and learners with the demo data's realistic
profiles, one catalog roadmap per learner (with its history), progress events, an active mentorship per
learner, a few notifications each, and forum threads with replies.

Nothing here touches a database (see :mod:`benchkit.seeding`). The same arguments give the same people,
except for ids and times, which are fresh on every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from skillbridge.adapters.ai.catalog_generator import CatalogRoadmapGenerator
from skillbridge.application.ports.roadmap_generator import RoadmapDraft
from skillbridge.domain.accounts.profile import build_profile
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.user import User, normalise_email
from skillbridge.domain.forum.model import ForumPost
from skillbridge.domain.matching.mentorship import MatchStatus, Mentorship
from skillbridge.domain.matching.needs import LearnerNeeds
from skillbridge.domain.matching.schedule import ScheduledSession
from skillbridge.domain.notifications.model import Notification, NotificationType
from skillbridge.domain.progress.events import EventType, ProgressEvent
from skillbridge.domain.roadmaps.building import build_roadmap
from skillbridge.domain.roadmaps.model import Roadmap, RoadmapVersion
from skillbridge.domain.roadmaps.request import RoadmapRequest
from skillbridge.domain.roadmaps.rules import progress_percent
from skillbridge.main.demo_data import demo_registrations
from skillbridge.main.settings import Settings

#: The twin's sizes (``manage.py seed`` of the DRF twin).
DEFAULT_MENTORS = 2000
DEFAULT_LEARNERS = 2000
DEFAULT_POSTS = 5000
#: The twin's share of opening posts; the rest are replies.
THREAD_SHARE = 0.7
FORUM_CATEGORIES = ("general", "career", "web", "data", "mobile", "cloud", "security", "showcase")
_WORDS = (
    *("learn", "build", "project", "mentor", "help", "question", "code", "bug", "deploy", "api", "database"),
    *("test", "design", "career", "interview", "portfolio", "python", "javascript", "react", "django"),
    *("docker", "cloud", "data", "model", "team", "review"),
)
_LEVELS = ("beginner", "intermediate", "advanced")
_CHAT_LINES = (
    "Thanks for the review yesterday!",
    "I pushed the fix, could you have a look?",
    "Shall we move Thursday's session to Friday?",
    "I finished the second module.",
)


@dataclass(slots=True)
class Population:
    """Everything the seed writes; ``learners[i]`` owns ``roadmaps[i]`` and, when mentorships are seeded,
    ``mentorships[i]``."""

    mentors: list[User] = field(default_factory=list)
    learners: list[User] = field(default_factory=list)
    roadmaps: list[Roadmap] = field(default_factory=list)
    versions: list[RoadmapVersion] = field(default_factory=list)
    events: list[ProgressEvent] = field(default_factory=list)
    mentorships: list[Mentorship] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    posts: list[ForumPost] = field(default_factory=list)

    @property
    def users(self) -> list[User]:
        return [*self.mentors, *self.learners]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize()


TERMS_IN_FORCE: str = Settings.model_fields["terms_version"].default


def build_users(rng: random.Random, mentors: int, learners: int, password_hash: str, now: datetime) -> Population:
    """Mentors then learners with the demo data's profiles (cities, languages, slots, skills, capacity)."""
    population = Population()
    registrations = demo_registrations(seed=rng.randrange(1 << 30), mentors=mentors, learners=learners)
    for index, registration in enumerate(registrations):
        is_mentor = registration.role is Role.MENTOR
        joined = now - timedelta(days=90, minutes=index)
        user = User(
            email=normalise_email(registration.email),
            role=registration.role,
            profile=build_profile(registration.profile, is_mentor=is_mentor),
            password_hash=password_hash,
            created_at=joined,
            updated_at=joined,
            # The terms in force when the server keeps its default: no seeded user is held at the consent step.
            terms_version=TERMS_IN_FORCE,
            email_verified_at=joined,  # as seed-demo's accounts: chat and requests need a verified address
        )
        (population.mentors if is_mentor else population.learners).append(user)
    return population


class RoadmapFactory:
    """Catalog roadmaps, planned once per (domain, level, bandwidth) and copied with fresh ids."""

    def __init__(self) -> None:
        self._planner = CatalogRoadmapGenerator()
        self.domains = [domain.slug for domain in self._planner.domains()]
        self._drafts: dict[tuple[str, str, bool], RoadmapDraft] = {}

    def roadmap(self, rng: random.Random, learner: User, at: datetime) -> tuple[Roadmap, list[RoadmapVersion]]:
        """A roadmap for ``learner`` with some modules done, and its history (one or two versions)."""
        domain, level, low_bandwidth = rng.choice(self.domains), rng.choice(_LEVELS), rng.random() < 0.3
        hours = min(max(learner.profile.hours_per_week, 2), 40)
        request = RoadmapRequest.create(domain, level, hours, low_bandwidth=low_bandwidth)
        key = (domain, level, low_bandwidth)
        if key not in self._drafts:
            self._drafts[key] = self._planner.plan(request)
        draft = self._drafts[key]
        roadmap = build_roadmap(learner.id, request, draft.modules, draft.generation, at, domain=draft.domain)
        history = [roadmap.snapshot("created", learner.id)]
        done = rng.randint(0, len(roadmap.modules) - 1)
        if done:
            later = at + timedelta(days=rng.randint(1, 30))
            modules = tuple(
                replace(module, completed=True, completed_at=later) if index < done else module
                for index, module in enumerate(roadmap.modules)
            )
            roadmap = replace(roadmap, modules=modules, progress=progress_percent(modules), version=2, updated_at=later)
            history.append(roadmap.snapshot(f"completed {done} modules", learner.id))
        return roadmap, history


def add_roadmaps(rng: random.Random, population: Population, now: datetime) -> None:
    """One roadmap per learner, a few study sessions logged on it."""
    factory = RoadmapFactory()
    for learner in population.learners:
        roadmap, history = factory.roadmap(rng, learner, now - timedelta(days=60))
        population.roadmaps.append(roadmap)
        population.versions.extend(history)
        for day in sorted(rng.sample(range(1, 50), 3)):
            at = now - timedelta(days=day)
            population.events.append(
                ProgressEvent(
                    user_id=learner.id,
                    roadmap_id=roadmap.id,
                    event_type=EventType.STUDY_SESSION,
                    details={"minutes": rng.choice((30, 45, 60, 90)), "module_id": roadmap.modules[0].id},
                    occurred_at=at,
                    created_at=at,
                )
            )


def _mentor_places(rng: random.Random, mentors: list[User]) -> list[User]:
    """Each mentor repeated once per place of their capacity, shuffled."""
    places = [mentor for mentor in mentors for _ in range(mentor.profile.mentor_capacity or 1)]
    rng.shuffle(places)
    return places


def add_mentorships(rng: random.Random, population: Population, now: datetime) -> None:
    """An active mentorship for every learner (in their roadmap's domain), filling the mentors' places;
    when there are more learners than places, mentors take more than their capacity."""
    places = _mentor_places(rng, population.mentors)
    for index, (learner, roadmap) in enumerate(zip(population.learners, population.roadmaps, strict=True)):
        mentor = places[index % len(places)]
        started = now - timedelta(days=rng.randint(5, 40))
        sessions = tuple(
            ScheduledSession(
                time=now + timedelta(days=7 * week, hours=2), topic=f"week {week} check-in", duration_minutes=60
            )
            for week in (1, 2)
        )
        skill, distance, availability = rng.uniform(0.4, 1), rng.uniform(0.2, 1), rng.uniform(0.3, 1)
        population.mentorships.append(
            Mentorship(
                learner_id=learner.id,
                mentor_id=mentor.id,
                status=MatchStatus.ACTIVE,
                created_at=started,
                updated_at=started,
                learner_needs=LearnerNeeds(
                    skills=learner.profile.skills[:3] or ("python",),
                    hours_per_week=min(max(learner.profile.hours_per_week, 1), 168),
                    remote_ok=True,
                    domain=roadmap.domain,
                ),
                score=round(0.5 * skill + 0.3 * distance + 0.2 * availability, 4),
                score_components={"skill": skill, "distance": distance, "availability": availability},
                session_schedule=sessions,
                version=2,
            )
        )


def add_notifications(rng: random.Random, population: Population, now: datetime) -> None:
    """Four notifications per learner (about their match and chat), the older two read."""
    mentorship_of = {m.learner_id: m for m in population.mentorships}
    for learner in population.learners:
        mentorship = mentorship_of.get(learner.id)
        payload = {"match_id": str(mentorship.id)} if mentorship else {}
        for age in (20, 10, 3, 1):
            at = now - timedelta(days=age, minutes=rng.randint(0, 600))
            kind = NotificationType.MATCH if age == 20 else NotificationType.CHAT_MESSAGE
            population.notifications.append(
                Notification(
                    recipient_id=learner.id,
                    type=kind,
                    message="Your mentor accepted your request" if age == 20 else rng.choice(_CHAT_LINES),
                    created_at=at,
                    payload=payload,
                    read_at=at + timedelta(hours=1) if age > 5 else None,
                )
            )


def add_forum(rng: random.Random, population: Population, posts: int, now: datetime) -> None:
    """``posts`` forum posts, 70 % threads and the rest replies to them, as the twin's seed does."""
    users = population.users
    threads = []
    for _ in range(int(posts * THREAD_SHARE)):
        at = now - timedelta(minutes=rng.randint(60 * 24, 60 * 24 * 60))
        threads.append(
            ForumPost(
                author_id=rng.choice(users).id,
                category=rng.choice(FORUM_CATEGORIES),
                title=_sentence(rng, rng.randint(4, 9)),
                content=_sentence(rng, rng.randint(20, 80)) + ".",
                created_at=at,
                updated_at=at,
            )
        )
    replies = []
    for _ in range(posts - len(threads)):
        thread = rng.choice(threads)
        at = thread.created_at + timedelta(minutes=rng.randint(1, 60 * 24))
        replies.append(
            ForumPost(
                author_id=rng.choice(users).id,
                category=thread.category,
                content=_sentence(rng, rng.randint(10, 40)) + ".",
                parent_id=thread.id,
                root_id=thread.id,
                created_at=at,
                updated_at=at,
            )
        )
    population.posts = threads + replies


def build_population(
    *,
    mentors: int = DEFAULT_MENTORS,
    learners: int = DEFAULT_LEARNERS,
    posts: int = DEFAULT_POSTS,
    password_hash: str,
    seed: int = 42,
    now: datetime | None = None,
) -> Population:
    """The whole population; every account has ``password_hash``."""
    rng = random.Random(seed)
    moment = now or datetime.now(UTC)
    population = build_users(rng, mentors, learners, password_hash, moment)
    add_roadmaps(rng, population, moment)
    add_mentorships(rng, population, moment)
    add_notifications(rng, population, moment)
    add_forum(rng, population, posts, moment)
    return population
