"""The in-memory database: committed state, and the staged writes of one unit of work on top of it.

A unit of work records each write as an *operation* (a function that checks its preconditions against a
state, then changes it). Reads see the committed state with the unit's operations replayed on it, so a
unit sees its own writes and every other unit's commits. Commit replays the operations on the newest
committed state and installs the result in one step, or raises and installs nothing: the same
all-or-nothing outcome, and the same constraint errors, as the SQL adapter.

Stored entities are private: they are copied on the way in and out and never changed in place (a write
replaces the stored object), so views can share them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.consents import Consent, ConsentKind
from skillbridge.domain.accounts.sessions import RefreshSession
from skillbridge.domain.accounts.two_factor import TwoFactorCredential
from skillbridge.domain.accounts.user import User
from skillbridge.domain.badges.rules import Badge
from skillbridge.domain.chat.message import ChatMessage
from skillbridge.domain.errors import DomainError
from skillbridge.domain.forum.model import ForumPost
from skillbridge.domain.jobs.failure import FailedJob
from skillbridge.domain.matching.blocks import MentorBlock
from skillbridge.domain.matching.mentorship import Mentorship
from skillbridge.domain.matching.round_runs import MatchingRound
from skillbridge.domain.notifications.model import Notification
from skillbridge.domain.notifications.preferences import NotificationSettings
from skillbridge.domain.progress.events import ProgressEvent
from skillbridge.domain.roadmaps.model import Roadmap, RoadmapVersion
from skillbridge.domain.vcs.webhooks import WebhookDelivery

T = TypeVar("T")


def private_copy(value: T) -> T:
    """A copy of ``value`` sharing nothing mutable with it."""
    return copy.deepcopy(value)


@dataclass(slots=True)
class MemoryState:
    """Every stored aggregate, by id (audit entries in the order recorded)."""

    users: dict[UUID, User] = field(default_factory=dict)
    refresh_sessions: dict[UUID, RefreshSession] = field(default_factory=dict)
    mentorships: dict[UUID, Mentorship] = field(default_factory=dict)
    roadmaps: dict[UUID, Roadmap] = field(default_factory=dict)
    roadmap_versions: dict[UUID, RoadmapVersion] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    badges: dict[UUID, Badge] = field(default_factory=dict)
    chat: dict[UUID, ChatMessage] = field(default_factory=dict)
    progress_logs: dict[UUID, ProgressEvent] = field(default_factory=dict)
    #: By (source, delivery id).
    webhook_deliveries: dict[tuple[str, str], WebhookDelivery] = field(default_factory=dict)
    notifications: dict[UUID, Notification] = field(default_factory=dict)
    forum_posts: dict[UUID, ForumPost] = field(default_factory=dict)
    #: When each session's reminder went out, by session id.
    reminded_sessions: dict[UUID, datetime] = field(default_factory=dict)
    failed_jobs: dict[UUID, FailedJob] = field(default_factory=dict)
    matching_rounds: dict[UUID, MatchingRound] = field(default_factory=dict)
    #: By (mentor id, learner id).
    mentor_blocks: dict[tuple[UUID, UUID], MentorBlock] = field(default_factory=dict)
    #: By user id.
    two_factor: dict[UUID, TwoFactorCredential] = field(default_factory=dict)
    #: By user id.
    notification_settings: dict[UUID, NotificationSettings] = field(default_factory=dict)
    #: By (user id, kind).
    consents: dict[tuple[UUID, ConsentKind], Consent] = field(default_factory=dict)

    def copy(self) -> MemoryState:
        """A new state holding the same (never mutated) entities in new containers."""
        return MemoryState(
            users=dict(self.users),
            refresh_sessions=dict(self.refresh_sessions),
            mentorships=dict(self.mentorships),
            roadmaps=dict(self.roadmaps),
            roadmap_versions=dict(self.roadmap_versions),
            audit=list(self.audit),
            badges=dict(self.badges),
            chat=dict(self.chat),
            progress_logs=dict(self.progress_logs),
            webhook_deliveries=dict(self.webhook_deliveries),
            notifications=dict(self.notifications),
            forum_posts=dict(self.forum_posts),
            reminded_sessions=dict(self.reminded_sessions),
            failed_jobs=dict(self.failed_jobs),
            matching_rounds=dict(self.matching_rounds),
            mentor_blocks=dict(self.mentor_blocks),
            two_factor=dict(self.two_factor),
            notification_settings=dict(self.notification_settings),
            consents=dict(self.consents),
        )


#: One staged write: checks its preconditions against the state (raising a DomainError), then changes it.
Operation = Callable[[MemoryState], None]


class MemoryDatabase:
    """The committed state shared by every unit of work of one app (create one per app or per test)."""

    def __init__(self) -> None:
        self.state = MemoryState()
        #: Increases with every commit, so a unit of work knows when its view is out of date.
        self.generation = 0

    def install(self, state: MemoryState) -> None:
        """Make ``state`` the committed state."""
        self.state = state
        self.generation += 1


class Staging:
    """The staged operations of one unit of work and the view they give."""

    def __init__(self, database: MemoryDatabase) -> None:
        self._database = database
        self._operations: list[Operation] = []
        self._view: MemoryState | None = None
        self._view_generation = -1

    def view(self) -> MemoryState:
        """The committed state with this unit's writes applied. Treat it as read-only."""
        if self._view is None or self._view_generation != self._database.generation:
            try:
                self._view = self._replay()
            except DomainError:
                # A newer commit clashes with a staged write: keep the last consistent view; commit will
                # raise the clash.
                if self._view is None:  # pragma: no cover - the first view has nothing to clash with
                    raise
            self._view_generation = self._database.generation
        return self._view

    def apply(self, operation: Operation) -> None:
        """Run ``operation`` on the view now (its errors reach the caller) and stage it for commit."""
        operation(self.view())
        self._operations.append(operation)

    def commit(self) -> None:
        """Replay the staged operations on the newest committed state and install the result.

        Whether it succeeds or raises, the staged operations are gone afterwards (as a failed SQL commit
        rolls back).
        """
        try:
            if self._operations:
                self._database.install(self._replay())
        finally:
            self.discard()

    def discard(self) -> None:
        """Forget every staged operation."""
        self._operations.clear()
        self._view = None

    def _replay(self) -> MemoryState:
        state = self._database.state.copy()
        for operation in self._operations:
            operation(state)
        return state
