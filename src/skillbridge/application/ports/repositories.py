"""Repository ports: collections of aggregates, one per aggregate root.

Contract shared by every implementation (memory, SQLite, PostgreSQL), held by ``tests/contract``:
- ``get`` raises :class:`~skillbridge.domain.errors.NotFound`; ``find_*`` return ``None``.
- ``add`` raises :class:`~skillbridge.domain.errors.Conflict` on a duplicate unique key (email, GitHub id).
- ``update`` stores a changed aggregate whose ``version`` is the stored one, and returns it with the
  version increased by one; a stale version raises ``Conflict`` (optimistic locking).
- Writes become visible to other units of work only after ``commit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from skillbridge.domain.accounts.audit import AuditEntry, AuditQuery
from skillbridge.domain.accounts.consents import Consent
from skillbridge.domain.accounts.mentor_search import MentorCard, MentorQuery
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.sessions import RefreshSession
from skillbridge.domain.accounts.two_factor import TwoFactorCredential
from skillbridge.domain.accounts.user import User
from skillbridge.domain.badges.rules import Badge, Completion
from skillbridge.domain.chat.message import ChatCursor, ChatMessage
from skillbridge.domain.forum.model import ForumPost, ThreadQuery, ThreadSummary
from skillbridge.domain.jobs.failure import FailedJob
from skillbridge.domain.matching.blocks import MentorBlock
from skillbridge.domain.matching.candidates import CandidateQuery
from skillbridge.domain.matching.limits import Exclusions
from skillbridge.domain.matching.mentorship import MatchStatus, Mentorship
from skillbridge.domain.matching.round_runs import MatchingRound
from skillbridge.domain.matching.schedule import ScheduledSession
from skillbridge.domain.notifications.model import Notification
from skillbridge.domain.notifications.preferences import NotificationSettings
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.progress.events import EventType, ProgressEvent
from skillbridge.domain.roadmaps.model import Roadmap, RoadmapVersion
from skillbridge.domain.vcs.webhooks import WebhookDelivery


class UserRepository(Protocol):
    """Users, looked up by id, email or GitHub id."""

    async def add(self, user: User) -> None:
        """Store a new user. Raises Conflict if the email or GitHub id is taken."""
        ...

    async def get(self, user_id: UUID) -> User:
        """Return the user. Raises NotFound."""
        ...

    async def find_by_email(self, email: str) -> User | None:
        """Return the user with this (normalised) email, or None."""
        ...

    async def find_by_github_id(self, github_id: int) -> User | None:
        """Return the user linked to this GitHub account, or None."""
        ...

    async def update(self, user: User) -> User:
        """Store changes; return the user with its new version. Raises Conflict on a stale version, NotFound."""
        ...

    async def get_many(self, user_ids: Sequence[UUID]) -> dict[UUID, User]:
        """Return the users among ``user_ids`` that exist, by id (one query, whatever the count)."""
        ...

    async def list(self, page: PageRequest, role: Role | None = None) -> Page[User]:
        """Return users, oldest first (id breaks ties), optionally of one role."""
        ...

    async def search_mentors(self, query: MentorQuery) -> Page[MentorCard]:
        """Return the active mentors that fit ``query`` in its documented order, with the total."""
        ...


class RefreshSessionRepository(Protocol):
    """Issued refresh tokens, by hash."""

    async def purge_expired(self, expired_before: datetime) -> int:
        """Remove the tokens that expired before ``expired_before`` (the retention job); return how many."""
        ...

    async def add(self, session: RefreshSession) -> None:
        """Store a newly issued token."""
        ...

    async def find_by_hash(self, token_hash: str) -> RefreshSession | None:
        """Return the session of this token hash, whatever its state, or None."""
        ...

    async def mark_rotated(self, session_id: UUID, at: datetime) -> bool:
        """Mark a usable session rotated. Return False if it was already rotated or revoked (a race lost)."""
        ...

    async def revoke_family(self, family_id: UUID, at: datetime) -> int:
        """Revoke every not yet revoked session of a family; return how many."""
        ...

    async def revoke_all_for_user(self, user_id: UUID, at: datetime) -> int:
        """Revoke every session of a user (password or role change); return how many."""
        ...

    async def list_live(self, user_id: UUID, now: datetime) -> list[RefreshSession]:
        """The newest token of each of the user's sessions still usable at ``now`` (not rotated, revoked or
        expired), newest first: one per sign-in session."""
        ...

    async def revoke_families_of_user(self, user_id: UUID, at: datetime, *, keep: UUID | None = None) -> set[UUID]:
        """Revoke every not yet revoked session of a user but those of the family ``keep``; return the
        families that had one (their access tokens must be denied too)."""
        ...


class MentorshipRepository(Protocol):
    """Mentorships and the requests waiting for one."""

    async def add(self, mentorship: Mentorship) -> None:
        """Store a new mentorship. Raises Conflict if the learner already holds an open (waiting, pending or
        active) one in the same domain, or a participant does not exist."""
        ...

    async def get(self, mentorship_id: UUID) -> Mentorship:
        """Return the mentorship. Raises NotFound."""
        ...

    async def update(self, mentorship: Mentorship) -> Mentorship:
        """Store changes; return the mentorship with its new version. Raises Conflict on a stale version,
        NotFound."""
        ...

    async def list_for_participant(
        self, user_id: UUID, page: PageRequest, statuses: frozenset[MatchStatus] | None = None
    ) -> Page[Mentorship]:
        """Return the mentorships ``user_id`` takes part in (as learner or mentor), newest first (id breaks
        ties), optionally only those in ``statuses``."""
        ...

    async def find_open_request(self, learner_id: UUID, domain: str) -> Mentorship | None:
        """Return the learner's open (waiting, pending or active) request in ``domain``, or None."""
        ...

    async def list_waiting(self, limit: int) -> Sequence[Mentorship]:
        """Return up to ``limit`` waiting requests, oldest first (id breaks ties)."""
        ...

    async def count_waiting(self, domain: str | None = None) -> int:
        """Return how many requests are waiting (in ``domain`` only, when given)."""
        ...

    async def waiting_page(
        self, domain: str | None, after: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[Mentorship]:
        """Return up to ``limit`` waiting requests (of ``domain`` only, when given), oldest first (id breaks
        ties), after the ``(created_at, id)`` of the last one of the previous page (None: from the oldest)."""
        ...

    async def list_overdue(self, now: datetime, limit: int) -> Sequence[Mentorship]:
        """Return up to ``limit`` pending mentorships whose answer was due by ``now``, most overdue first."""
        ...

    async def completions(self, mentor_id: UUID) -> Sequence[Completion]:
        """Return the mentor's completed mentorships (learner, acceptance and completion times, rating)."""
        ...

    async def count_open_by_mentor(self, mentor_ids: Sequence[UUID]) -> dict[UUID, int]:
        """Return, for each given mentor, how many pending or active mentorships they hold (0 included)."""
        ...

    async def has_active(self, learner_id: UUID, mentor_id: UUID, domain: str) -> bool:
        """Return whether ``mentor_id`` mentors ``learner_id`` in an active mentorship of ``domain`` (a slug,
        as ``learner_needs.domain`` stores it) right now."""
        ...

    async def lock_open_for_learner(self, learner_id: UUID) -> Sequence[Mentorship]:
        """Return the learner's open (waiting, pending or active) mentorships, oldest first, and hold any
        other unit of work that calls this for the same learner until this one ends, so a limit checked on
        the result still holds at commit (the second caller sees the first one's writes, or its commit
        raises Conflict)."""
        ...

    async def exclusions(self, learner_ids: Sequence[UUID]) -> Exclusions:
        """Return, for these learners, the mentors who declined them (by domain), blocked them, or hold an
        open (pending or active) match with them."""
        ...

    async def candidates(self, query: CandidateQuery) -> Sequence[MentorCard]:
        """Return the mentors of ``query``'s pool (``is_candidate``), in ``candidate_order``, at most
        ``query.limit`` (``distance_km`` is None on each card)."""
        ...

    async def skill_offered(self, skill: str) -> bool:
        """Return whether some active mentor lists ``skill`` (a slug) in their profile."""
        ...

    async def has_asked(self, learner_id: UUID, mentor_id: UUID) -> bool:
        """Return whether ``learner_id`` ever had a request or a match with ``mentor_id`` (any status)."""
        ...

    async def add_block(self, block: MentorBlock) -> tuple[MentorBlock, bool]:
        """Store a block unless the pair is blocked already; return the pair's block (the first one when
        it existed) and whether it is new. Raises Conflict if a user does not exist."""
        ...

    async def remove_block(self, mentor_id: UUID, learner_id: UUID) -> bool:
        """Remove a block; return whether there was one."""
        ...

    async def list_blocks(self, mentor_id: UUID, page: PageRequest) -> Page[MentorBlock]:
        """Return the mentor's blocks, newest first (learner id breaks ties)."""
        ...

    async def offer_many(self, offers: Sequence[Mentorship]) -> Sequence[Mentorship]:
        """Store many waiting requests as the pending ``offers`` made of them (each at the version it was
        read at), in a bounded number of statements; return those stored, with their new version. An
        offer is left out when its request is no longer waiting at that version, or its mentor has no
        free place left for it (offers are served in the order given)."""
        ...

    async def sessions_due(
        self, after: datetime, until: datetime, limit: int
    ) -> Sequence[tuple[Mentorship, ScheduledSession]]:
        """Return up to ``limit`` sessions of active mentorships starting in ``(after, until]`` whose
        participants were not reminded yet, soonest first (session id breaks ties), each with its mentorship."""
        ...

    async def mark_reminded(self, session_id: UUID, at: datetime) -> bool:
        """Mark a session's reminder sent at ``at``; return False if it was marked already (by another
        worker, say) or the session no longer exists, so exactly one caller sends it."""
        ...


class RoadmapRepository(Protocol):
    """Roadmaps and their history of versions."""

    async def add(self, roadmap: Roadmap) -> None:
        """Store a new roadmap. Raises Conflict if its user does not exist."""
        ...

    async def get(self, roadmap_id: UUID) -> Roadmap:
        """Return the roadmap. Raises NotFound, for a deleted one too (every read but the two below skips
        deleted roadmaps)."""
        ...

    async def update(self, roadmap: Roadmap) -> Roadmap:
        """Store changes (``deleted_at`` included: how a roadmap is deleted and restored); return the roadmap
        with its new version. Raises Conflict on a stale version, NotFound."""
        ...

    async def list_for_user(self, user_id: UUID, page: PageRequest) -> Page[Roadmap]:
        """Return a user's roadmaps, newest first (id breaks ties)."""
        ...

    async def find_deleted(self, roadmap_id: UUID) -> Roadmap | None:
        """Return the roadmap if it is deleted (waiting in its undo window or past it), else None."""
        ...

    async def list_deleted_for_user(self, user_id: UUID) -> Sequence[Roadmap]:
        """Return a user's deleted roadmaps, newest deletion first (for the export of their data)."""
        ...

    async def purge_deleted(self, deleted_before: datetime) -> int:
        """Remove for good the roadmaps deleted before ``deleted_before`` (with their versions and progress
        events); return how many."""
        ...

    async def count_completed(self, user_id: UUID) -> int:
        """Return how many of the user's roadmaps are at 100 % progress."""
        ...

    async def add_version(self, snapshot: RoadmapVersion) -> None:
        """Append a history entry. Raises Conflict if the roadmap already has that version or does not exist."""
        ...

    async def list_versions(self, roadmap_id: UUID, page: PageRequest) -> Page[RoadmapVersion]:
        """Return the history of a roadmap, newest version first."""
        ...

    async def list_by_repository(self, repository: str) -> Sequence[Roadmap]:
        """Return the roadmaps linked to ``repository`` (``owner/name``, compared case-insensitively), oldest first."""
        ...


class BadgeRepository(Protocol):
    """Badges held by users: each type at most once per user."""

    async def add(self, badge: Badge) -> None:
        """Store a badge. Raises Conflict if the user already holds this type or does not exist."""
        ...

    async def list_for_user(self, user_id: UUID) -> Sequence[Badge]:
        """Return the user's badges, oldest first (id breaks ties)."""
        ...


class ChatRepository(Protocol):
    """The messages of mentorship conversations."""

    async def add(self, message: ChatMessage) -> None:
        """Store a message. Raises Conflict if its match or sender does not exist."""
        ...

    async def list_for_match(
        self, match_id: UUID, limit: int, before: ChatCursor | None = None
    ) -> Sequence[ChatMessage]:
        """Return up to ``limit`` messages of the match older than ``before`` (all without it), newest first
        (id breaks ties)."""
        ...


class AuditLog(Protocol):
    """Append-only record of security-relevant actions."""

    async def purge(self, before: datetime) -> int:
        """Remove the entries made before ``before`` (the retention job, acting for the system: the only
        removal there is); return how many."""
        ...

    async def pseudonymise(self, user_id: UUID, traces: Sequence[str]) -> int:
        """On erasure, acting for the system: in the entries ``user_id`` made or that are about them, drop
        each ``details`` value that holds one of ``traces`` (any case), such as an admin's reason naming
        them. The entries stay, with their ids and actions: the only change ever made to one. Return how
        many entries changed."""
        ...

    async def record(self, entry: AuditEntry) -> None:
        """Append an entry (committed with the unit of work it belongs to)."""
        ...

    async def list_for_subject(self, subject_type: str, subject_id: str) -> Sequence[AuditEntry]:
        """Return the entries about one subject, oldest first."""
        ...

    async def search(self, query: AuditQuery, page: PageRequest) -> Page[AuditEntry]:
        """Return the entries that fit ``query``, newest first (the later id first within one instant), with
        the total."""
        ...


class ProgressLogRepository(Protocol):
    """The progress events of roadmaps."""

    async def add(self, event: ProgressEvent) -> None:
        """Store an event. Raises Conflict if the roadmap already has an event of this type and external id,
        or the roadmap or user does not exist."""
        ...

    async def list_for_roadmap(self, roadmap_id: UUID, page: PageRequest) -> Page[ProgressEvent]:
        """Return a roadmap's events, most recent ``occurred_at`` first (id breaks ties)."""
        ...

    async def known_external_ids(
        self, roadmap_id: UUID, event_type: EventType, external_ids: Sequence[str]
    ) -> set[str]:
        """Return which of ``external_ids`` the roadmap already has an event of ``event_type`` for."""
        ...

    async def occurrence_times(self, roadmap_id: UUID) -> Sequence[datetime]:
        """Return when each event of the roadmap happened (any order)."""
        ...


class WebhookDeliveryRepository(Protocol):
    """Received webhook deliveries, unique per source and delivery id."""

    async def empty_payloads(self, received_before: datetime) -> int:
        """Empty the payload of the deliveries received before ``received_before`` (the retention job); the
        delivery ids stay for deduplication. Return how many payloads were emptied (none the second time)."""
        ...

    async def add(self, delivery: WebhookDelivery) -> None:
        """Store a new delivery. Raises Conflict if one with the same source and delivery id exists."""
        ...

    async def get(self, delivery_id: str, source: str = "github") -> WebhookDelivery:
        """Return the delivery. Raises NotFound."""
        ...

    async def update(self, delivery: WebhookDelivery) -> None:
        """Store a delivery's new status and processing time. Raises NotFound."""


class TwoFactorRepository(Protocol):
    """Each user's TOTP credential (at most one, pending or enabled)."""

    async def find(self, user_id: UUID) -> TwoFactorCredential | None:
        """Return the user's credential, or ``None`` if they have none."""
        ...

    async def add(self, credential: TwoFactorCredential) -> None:
        """Store a new credential. Raises Conflict if the user has one already, or does not exist."""
        ...

    async def replace(self, credential: TwoFactorCredential) -> bool:
        """Store ``credential`` over the stored one if that one's version is ``credential.version - 1``;
        return whether it did (``False``: another request changed or removed it first)."""
        ...

    async def remove(self, user_id: UUID) -> None:
        """Remove the user's credential if they have one."""
        ...


class NotificationRepository(Protocol):
    """Stored notifications, always addressed through their recipient."""

    async def add(self, notification: Notification) -> None:
        """Store a new notification. Raises Conflict if its recipient does not exist."""
        ...

    async def add_many(self, notifications: Sequence[Notification]) -> None:
        """Store new notifications in one statement. Raises Conflict (and stores none) if a recipient does
        not exist."""
        ...

    async def list_for_user(self, user_id: UUID, page: PageRequest, unread_only: bool = False) -> Page[Notification]:
        """Return a user's notifications (only the unread ones if asked), newest first (id breaks ties),
        with the total of the whole filtered list."""
        ...

    async def list_after(
        self, user_id: UUID, after: UUID | None, page: PageRequest, unread_only: bool = False
    ) -> Page[Notification]:
        """Return ``page`` of a user's notifications whose id is greater than ``after`` (every one when
        ``after`` is None), oldest first by id (ids are time-ordered), with the total of all those after it.

        A cursor, not a position: notifications stored meanwhile neither shift nor repeat the next page.
        ``after`` need not be an id of the user's own notifications; only theirs are returned.
        """
        ...

    async def mark_read(self, notification_id: UUID, user_id: UUID, at: datetime) -> Notification:
        """Mark one of ``user_id``'s notifications read at ``at`` and return it; one read already keeps its
        first ``read_at``. Raises NotFound if it does not exist or belongs to someone else."""
        ...

    async def delete(self, notification_id: UUID, user_id: UUID, at: datetime) -> None:
        """Soft-delete one of ``user_id``'s notifications: every read skips it from now on (lists, counts,
        marks). Raises NotFound if it is someone else's or deleted already."""
        ...

    async def purge(self, *, deleted_before: datetime, read_before: datetime) -> int:
        """Remove for good the notifications deleted before ``deleted_before`` and those read before
        ``read_before`` (the retention job); return how many."""
        ...

    async def mark_all_read(self, user_id: UUID, at: datetime) -> int:
        """Mark every unread notification of a user read at ``at``; return how many were unread."""
        ...

    async def count_unread(self, user_id: UUID) -> int:
        """Return how many of a user's notifications are unread."""
        ...

    async def unread_recipients(self, created_before: datetime, limit: int) -> list[UUID]:
        """Return up to ``limit`` users with an unread notification created before ``created_before``,
        by id (for the digest job)."""
        ...


class NotificationSettingsRepository(Protocol):
    """Each user's notification settings; a user without a stored row has the defaults."""

    async def find_many(self, user_ids: Sequence[UUID]) -> dict[UUID, NotificationSettings]:
        """Return the stored settings of those of ``user_ids`` who have some."""
        ...

    async def save(self, settings: NotificationSettings) -> bool:
        """Store ``settings`` whose ``version`` is one more than the stored one's (0 stored: none yet);
        return whether it did (``False``: another request changed them first)."""
        ...


class ForumPostRepository(Protocol):
    """Forum threads and replies."""

    async def add(self, post: ForumPost) -> None:
        """Store a new post. Raises Conflict if its author, parent or thread does not exist."""
        ...

    async def get(self, post_id: UUID) -> ForumPost:
        """Return the post (deleted ones too). Raises NotFound."""
        ...

    async def update(self, post: ForumPost) -> ForumPost:
        """Store changes; return the post with its new version. Raises Conflict on a stale version, NotFound."""
        ...

    async def list_by_author(self, user_id: UUID) -> Sequence[ForumPost]:
        """Return every post ``user_id`` wrote (threads and replies, deleted ones too), oldest first (id
        breaks ties): what an export of their data holds."""
        ...

    async def list_thread(self, root_id: UUID) -> Sequence[ForumPost]:
        """Return the thread's opening post and every reply to it at any depth, in one query, oldest first
        (id breaks ties); empty if there is no such thread."""
        ...

    async def list_replies(self, post: ForumPost, page: PageRequest) -> Page[ForumPost]:
        """Return one page of the replies under ``post`` at every depth, oldest first (id breaks ties), with
        their total: a bounded number of queries and rows whatever the size of the subtree."""
        ...

    async def list_threads(self, query: ThreadQuery) -> Page[ThreadSummary]:
        """Return the threads (opening posts) that fit ``query``, in its documented order, with the total.

        ``query.text`` matches, on PostgreSQL, the full-text search document of the opening post (title
        weight A, content weight B, ``simple`` configuration; ``websearch_to_tsquery`` syntax), ranked;
        elsewhere every one of ``query.terms`` as a case-insensitive substring of its title or content.
        """
        ...

    async def author_names(self, user_ids: Sequence[UUID]) -> dict[UUID, str | None]:
        """Return the display name (None if unset) of each given user that exists, in one query."""
        ...


class ConsentRepository(Protocol):
    """Each account's consents, one per kind."""

    async def list_for_user(self, user_id: UUID) -> Sequence[Consent]:
        """Return the consents ``user_id`` gave or withdrew, in the order of :class:`ConsentKind`."""
        ...

    async def put(self, consent: Consent) -> None:
        """Store ``consent``, replacing the account's earlier one of the same kind. Raises Conflict if the
        account does not exist."""
        ...


class FailedJobRepository(Protocol):
    """Jobs that failed for good, kept for admins to inspect and retry."""

    async def purge(self, failed_before: datetime) -> int:
        """Remove the jobs that failed before ``failed_before`` (the retention job); return how many."""
        ...

    async def add(self, failed: FailedJob) -> None:
        """Store a failed job."""
        ...

    async def get(self, failed_job_id: UUID) -> FailedJob:
        """Return the failed job. Raises NotFound."""
        ...

    async def list(self, page: PageRequest, include_retried: bool = False) -> Page[FailedJob]:
        """Return failed jobs newest first (id breaks ties), only those not retried unless asked."""
        ...

    async def mark_retried(self, failed_job_id: UUID, at: datetime) -> bool:
        """Mark the failed job queued again at ``at``; False if it was marked already. Raises NotFound."""
        ...


class MatchingRoundRepository(Protocol):
    """The matching rounds admins started (see :mod:`skillbridge.domain.matching.round_runs`)."""

    async def add(self, matching_round: MatchingRound) -> None:
        """Store a new round. Raises Conflict when an open (queued or running) round of the same scope is
        stored already, also one committed by a concurrent unit of work."""
        ...

    async def get(self, round_id: UUID) -> MatchingRound:
        """Return the round. Raises NotFound."""
        ...

    async def list_open(self) -> Sequence[MatchingRound]:
        """Return the open (queued or running) rounds, oldest first (id breaks ties)."""
        ...

    async def save(self, matching_round: MatchingRound) -> None:
        """Overwrite the stored round of the same id with ``matching_round``. Raises NotFound."""
        ...
