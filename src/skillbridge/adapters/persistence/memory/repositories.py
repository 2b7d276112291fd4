"""In-memory repositories: the SQL adapter's twins, down to its constraints and its search order.

Each write checks what the database schema would (unique keys, foreign keys, check constraints) and
raises the same errors; the mentor search applies the domain rule itself (``mentor_fits``/``sort_key``),
which the SQL adapter translates into queries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from skillbridge.adapters.persistence.memory.database import MemoryState, Staging, private_copy
from skillbridge.application.ports.repositories import (
    AuditLog,
    MentorshipRepository,
    RefreshSessionRepository,
    UserRepository,
)
from skillbridge.domain.accounts.audit import AuditEntry, AuditQuery
from skillbridge.domain.accounts.erasure import without_traces
from skillbridge.domain.accounts.mentor_search import MentorCard, MentorQuery, distance_from, mentor_fits, sort_key
from skillbridge.domain.accounts.profile import HOURS_PER_WEEK, MAX_MENTOR_CAPACITY
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.sessions import RefreshSession
from skillbridge.domain.accounts.user import User
from skillbridge.domain.badges.rules import Completion
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.matching.blocks import MentorBlock
from skillbridge.domain.matching.candidates import CandidateQuery, candidate_order, is_candidate
from skillbridge.domain.matching.limits import Exclusions
from skillbridge.domain.matching.mentorship import (
    DECLINED_STATUSES,
    LEARNER_OPEN_STATUSES,
    OPEN_STATUSES,
    MatchStatus,
    Mentorship,
)
from skillbridge.domain.matching.schedule import ScheduledSession
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.texts import N_

# The messages of the SQL adapter's error translation, so both adapters read the same.
_DUPLICATE = N_("a unique value is already taken")
_DANGLING = N_("a referenced record does not exist or is still referenced")
_RULE = N_("the change breaks a consistency rule")


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


def _require_user(state: MemoryState, user_id: UUID | None) -> None:
    if user_id is not None and user_id not in state.users:
        raise Conflict(_DANGLING)


# ---------------------------------------------------------------------------------------------- users


def _stored_user(user: User) -> User:
    return replace(private_copy(user), created_at=utc(user.created_at), updated_at=utc(user.updated_at))


def _refuse_taken_keys(state: MemoryState, user: User) -> None:
    others = [other for other in state.users.values() if other.id != user.id]
    if any(other.email == user.email for other in others):
        raise Conflict(N_("this email is already registered"), field="email")
    if user.github_id is not None and any(other.github_id == user.github_id for other in others):
        raise Conflict(N_("this GitHub account is linked to another user"), field="github_id")


def _check_user_rules(user: User) -> None:
    """The check constraints of the ``users`` table."""
    capacity = user.profile.mentor_capacity
    if not 0 <= user.profile.hours_per_week <= HOURS_PER_WEEK or (
        capacity is not None and not 1 <= capacity <= MAX_MENTOR_CAPACITY
    ):
        raise Conflict(_RULE)


class MemoryUserRepository(UserRepository):
    """:class:`UserRepository` in memory."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def add(self, user: User) -> None:
        stored = _stored_user(user)

        def insert(state: MemoryState) -> None:
            _refuse_taken_keys(state, stored)
            if stored.id in state.users:
                raise Conflict(_DUPLICATE)
            _check_user_rules(stored)
            state.users[stored.id] = stored

        self._staging.apply(insert)

    async def get(self, user_id: UUID) -> User:
        user = self._staging.view().users.get(user_id)
        if user is None:
            raise NotFound(N_("user not found"))
        return private_copy(user)

    async def find_by_email(self, email: str) -> User | None:
        wanted = email.strip().lower()
        return self._find(lambda user: user.email == wanted)

    async def get_many(self, user_ids: Sequence[UUID]) -> dict[UUID, User]:
        users = self._staging.view().users
        return {user_id: private_copy(users[user_id]) for user_id in set(user_ids) if user_id in users}

    async def find_by_github_id(self, github_id: int) -> User | None:
        return self._find(lambda user: user.github_id == github_id)

    async def update(self, user: User) -> User:
        expected = user.version
        changed = replace(_stored_user(user), version=expected + 1)

        def change(state: MemoryState) -> None:
            _refuse_taken_keys(state, changed)
            current = state.users.get(changed.id)
            if current is None:
                raise NotFound(N_("user not found"))
            if current.version != expected:
                raise Conflict(N_("the user was changed meanwhile; reload and try again"), field="version")
            _check_user_rules(changed)
            state.users[changed.id] = replace(changed, created_at=current.created_at)

        self._staging.apply(change)
        return replace(private_copy(user), version=expected + 1, updated_at=utc(user.updated_at))

    async def list(self, page: PageRequest, role: Role | None = None) -> Page[User]:
        users = sorted(
            (user for user in self._staging.view().users.values() if role is None or user.role is role),
            key=lambda user: (user.created_at, user.id),
        )
        window = users[page.offset : page.offset + page.limit]
        return Page(items=private_copy(window), total=len(users), limit=page.limit, offset=page.offset)

    async def search_mentors(self, query: MentorQuery) -> Page[MentorCard]:
        state = self._staging.view()
        open_counts = Counter(
            mentorship.mentor_id for mentorship in state.mentorships.values() if mentorship.status in OPEN_STATUSES
        )
        cards = [
            MentorCard(user, open_mentorships=open_counts[user.id], distance_km=distance_from(query, user))
            for user in state.users.values()
            if user.is_mentor and user.is_active
        ]
        fitting = sorted((card for card in cards if mentor_fits(query, card)), key=lambda card: sort_key(query, card))
        window = fitting[query.page.offset : query.page.offset + query.page.limit]
        return Page(
            items=[
                replace(card, mentor=replace(private_copy(card.mentor), password_hash=None, terms_version=None))
                for card in window
            ],
            total=len(fitting),
            limit=query.page.limit,
            offset=query.page.offset,
        )

    def _find(self, matches: Callable[[User], bool]) -> User | None:
        user = next((user for user in self._staging.view().users.values() if matches(user)), None)
        return None if user is None else private_copy(user)


# ----------------------------------------------------------------------------------- refresh sessions


def _stored_session(session: RefreshSession) -> RefreshSession:
    return replace(
        private_copy(session),
        issued_at=utc(session.issued_at),
        expires_at=utc(session.expires_at),
        rotated_at=_utc_or_none(session.rotated_at),
        revoked_at=_utc_or_none(session.revoked_at),
    )


class MemoryRefreshSessionRepository(RefreshSessionRepository):
    """:class:`RefreshSessionRepository` in memory."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def purge_expired(self, expired_before: datetime) -> int:
        cutoff = utc(expired_before)
        return _remove(self._staging, lambda state: state.refresh_sessions, lambda s: s.expires_at < cutoff)

    async def add(self, session: RefreshSession) -> None:
        stored = _stored_session(session)

        def insert(state: MemoryState) -> None:
            if stored.id in state.refresh_sessions:
                raise Conflict(_DUPLICATE)
            if any(other.token_hash == stored.token_hash for other in state.refresh_sessions.values()):
                raise Conflict(N_("token_hash is already taken"), field="token_hash")
            _require_user(state, stored.user_id)
            state.refresh_sessions[stored.id] = stored

        self._staging.apply(insert)

    async def find_by_hash(self, token_hash: str) -> RefreshSession | None:
        sessions = self._staging.view().refresh_sessions.values()
        found = next((session for session in sessions if session.token_hash == token_hash), None)
        return None if found is None else private_copy(found)

    async def mark_rotated(self, session_id: UUID, at: datetime) -> bool:
        current = self._staging.view().refresh_sessions.get(session_id)
        if current is None or current.rotated_at is not None or current.revoked_at is not None:
            return False
        rotated_at = utc(at)

        def rotate(state: MemoryState) -> None:
            session = state.refresh_sessions.get(session_id)
            if session is None or session.rotated_at is not None or session.revoked_at is not None:
                raise Conflict(N_("the session was rotated or revoked meanwhile"))  # a race lost at commit
            state.refresh_sessions[session_id] = replace(session, rotated_at=rotated_at)

        self._staging.apply(rotate)
        return True

    async def revoke_family(self, family_id: UUID, at: datetime) -> int:
        return self._revoke(lambda session: session.family_id == family_id, utc(at))

    async def revoke_all_for_user(self, user_id: UUID, at: datetime) -> int:
        return self._revoke(lambda session: session.user_id == user_id, utc(at))

    async def list_live(self, user_id: UUID, now: datetime) -> list[RefreshSession]:
        at = utc(now)
        live = [
            private_copy(s)
            for s in self._staging.view().refresh_sessions.values()
            if s.user_id == user_id and s.is_usable(at)
        ]
        return sorted(live, key=lambda session: session.issued_at, reverse=True)

    async def revoke_families_of_user(self, user_id: UUID, at: datetime, *, keep: UUID | None = None) -> set[UUID]:
        sessions = self._staging.view().refresh_sessions.values()
        families = {
            s.family_id for s in sessions if s.user_id == user_id and s.revoked_at is None and s.family_id != keep
        }
        self._revoke(lambda session: session.family_id in families, utc(at))
        return families

    def _revoke(self, selected: Callable[[RefreshSession], bool], at: datetime) -> int:
        def targets(state: MemoryState) -> list[RefreshSession]:
            return [s for s in state.refresh_sessions.values() if s.revoked_at is None and selected(s)]

        def revoke(state: MemoryState) -> None:
            for session in targets(state):
                state.refresh_sessions[session.id] = replace(session, revoked_at=at)

        count = len(targets(self._staging.view()))
        if count:
            self._staging.apply(revoke)
        return count


# ------------------------------------------------------------------------------------------ mentorships


def _stored_mentorship(mentorship: Mentorship) -> Mentorship:
    return replace(
        private_copy(mentorship),
        created_at=utc(mentorship.created_at),
        updated_at=utc(mentorship.updated_at),
        expires_at=_utc_or_none(mentorship.expires_at),
    )


def _check_mentorship_rules(mentorship: Mentorship) -> None:
    """The check constraints of the ``mentor_matches`` table."""
    waiting = mentorship.status is MatchStatus.WAITING
    if (
        mentorship.learner_id == mentorship.mentor_id
        or (mentorship.rating is not None and not 1 <= mentorship.rating <= 5)
        or waiting != (mentorship.mentor_id is None)
    ):
        raise Conflict(_RULE)


def _refuse_second_open_request(state: MemoryState, mentorship: Mentorship) -> None:
    """The partial unique indexes on open requests per learner and domain, and on pending or active
    matches per learner and mentor."""
    if mentorship.status not in LEARNER_OPEN_STATUSES:
        return
    for other in state.mentorships.values():
        if other.id == mentorship.id or other.learner_id != mentorship.learner_id:
            continue
        if other.status in LEARNER_OPEN_STATUSES and other.domain == mentorship.domain:
            raise Conflict(_DUPLICATE)
        if (
            mentorship.status in OPEN_STATUSES
            and other.status in OPEN_STATUSES
            and other.mentor_id == mentorship.mentor_id
        ):
            raise Conflict(_DUPLICATE)


def _refuse_overbooking(state: MemoryState, taking: Mentorship) -> None:
    """The SQL adapter's capacity check, before ``taking`` (open) is stored: a mentor never holds more
    open mentorships than their capacity."""
    mentor = state.users.get(taking.mentor_id) if taking.mentor_id is not None else None
    if mentor is None:
        return  # no mentor (waiting) or an unknown one (refused as dangling)
    others = sum(
        1
        for m in state.mentorships.values()
        if m.id != taking.id and m.mentor_id == mentor.id and m.status in OPEN_STATUSES
    )
    if others + 1 > (mentor.profile.mentor_capacity or 0):
        raise Conflict(N_("this mentor has no free place left"), field="mentor_id")


class MemoryMentorshipRepository(MentorshipRepository):
    """:class:`MentorshipRepository` in memory."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def add(self, mentorship: Mentorship) -> None:
        stored = _stored_mentorship(mentorship)

        def insert(state: MemoryState) -> None:
            _check_mentorship_rules(stored)
            if stored.id in state.mentorships:
                raise Conflict(_DUPLICATE)
            if stored.status in OPEN_STATUSES:  # checked before the write in SQL, so before the indexes here
                _refuse_overbooking(state, stored)
            _refuse_second_open_request(state, stored)
            _require_user(state, stored.learner_id)
            _require_user(state, stored.mentor_id)
            state.mentorships[stored.id] = stored

        self._staging.apply(insert)

    async def get(self, mentorship_id: UUID) -> Mentorship:
        mentorship = self._staging.view().mentorships.get(mentorship_id)
        if mentorship is None:
            raise NotFound(N_("mentorship not found"))
        return private_copy(mentorship)

    async def update(self, mentorship: Mentorship) -> Mentorship:
        expected = mentorship.version
        changed = replace(_stored_mentorship(mentorship), version=expected + 1)

        def change(state: MemoryState) -> None:
            current = state.mentorships.get(changed.id)
            if current is None:
                raise NotFound(N_("mentorship not found"))
            if current.version != expected:
                raise Conflict(N_("the match was changed meanwhile; reload and try again"), field="version")
            stored = replace(changed, created_at=current.created_at, learner_id=current.learner_id)
            _check_mentorship_rules(stored)
            if current.status not in OPEN_STATUSES and stored.status in OPEN_STATUSES:
                _refuse_overbooking(state, stored)
            _refuse_second_open_request(state, stored)
            _require_user(state, stored.mentor_id)
            state.mentorships[stored.id] = stored

        self._staging.apply(change)
        return replace(private_copy(mentorship), version=expected + 1, updated_at=utc(mentorship.updated_at))

    async def list_for_participant(
        self, user_id: UUID, page: PageRequest, statuses: frozenset[MatchStatus] | None = None
    ) -> Page[Mentorship]:
        mine = [
            mentorship
            for mentorship in self._staging.view().mentorships.values()
            if user_id in (mentorship.learner_id, mentorship.mentor_id)
            and (statuses is None or mentorship.status in statuses)
        ]
        mine.sort(key=lambda mentorship: (mentorship.created_at, mentorship.id), reverse=True)
        window = mine[page.offset : page.offset + page.limit]
        return Page(items=private_copy(window), total=len(mine), limit=page.limit, offset=page.offset)

    async def find_open_request(self, learner_id: UUID, domain: str) -> Mentorship | None:
        for mentorship in self._staging.view().mentorships.values():
            if (
                mentorship.learner_id == learner_id
                and mentorship.domain == domain
                and mentorship.status in LEARNER_OPEN_STATUSES
            ):
                return private_copy(mentorship)
        return None

    async def list_waiting(self, limit: int) -> Sequence[Mentorship]:
        waiting = [m for m in self._staging.view().mentorships.values() if m.status is MatchStatus.WAITING]
        waiting.sort(key=lambda mentorship: (mentorship.created_at, mentorship.id))
        return private_copy(waiting[:limit])

    async def count_waiting(self, domain: str | None = None) -> int:
        return sum(
            1
            for m in self._staging.view().mentorships.values()
            if m.status is MatchStatus.WAITING and (domain is None or m.domain == domain)
        )

    async def waiting_page(
        self, domain: str | None, after: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[Mentorship]:
        waiting = [
            m
            for m in self._staging.view().mentorships.values()
            if m.status is MatchStatus.WAITING
            and (domain is None or m.domain == domain)
            and (after is None or (m.created_at, str(m.id)) > (after[0], str(after[1])))
        ]
        waiting.sort(key=lambda mentorship: (mentorship.created_at, str(mentorship.id)))
        return private_copy(waiting[:limit])

    async def list_overdue(self, now: datetime, limit: int) -> Sequence[Mentorship]:
        overdue = [
            m
            for m in self._staging.view().mentorships.values()
            if m.status is MatchStatus.PENDING and m.expires_at is not None and m.expires_at <= now
        ]
        overdue.sort(key=lambda mentorship: (mentorship.expires_at, mentorship.id))
        return private_copy(overdue[:limit])

    async def completions(self, mentor_id: UUID) -> Sequence[Completion]:
        return [
            Completion(m.learner_id, m.accepted_at, m.completed_at, m.rating)
            for m in self._staging.view().mentorships.values()
            if m.mentor_id == mentor_id and m.status is MatchStatus.COMPLETED
        ]

    async def lock_open_for_learner(self, learner_id: UUID) -> Sequence[Mentorship]:
        def open_of(state: MemoryState) -> list[Mentorship]:
            return sorted(
                (
                    m
                    for m in state.mentorships.values()
                    if m.learner_id == learner_id and m.status in LEARNER_OPEN_STATUSES
                ),
                key=lambda m: (m.created_at, m.id),
            )

        seen = [(m.id, m.version) for m in open_of(self._staging.view())]

        def still_the_same(state: MemoryState) -> None:
            # No lock in memory: a unit that committed a change to these requests meanwhile wins, this one fails.
            if [(m.id, m.version) for m in open_of(state)] != seen:
                raise Conflict(N_("your match requests changed meanwhile; try again"))

        opened = open_of(self._staging.view())
        self._staging.apply(still_the_same)
        return private_copy(opened)

    async def exclusions(self, learner_ids: Sequence[UUID]) -> Exclusions:
        state = self._staging.view()
        wanted = set(learner_ids)
        mine = [m for m in state.mentorships.values() if m.learner_id in wanted and m.mentor_id is not None]
        declined = [(m.learner_id, m.domain, m.mentor_id) for m in mine if m.status in DECLINED_STATUSES]
        barred = [(m.learner_id, m.mentor_id) for m in mine if m.status in OPEN_STATUSES]
        barred += [(b.learner_id, b.mentor_id) for b in state.mentor_blocks.values() if b.learner_id in wanted]
        return Exclusions.of(
            [(learner, domain, mentor) for learner, domain, mentor in declined if mentor is not None],
            [(learner, mentor) for learner, mentor in barred if mentor is not None],
        )

    async def candidates(self, query: CandidateQuery) -> Sequence[MentorCard]:
        state = self._staging.view()
        held = Counter(m.mentor_id for m in state.mentorships.values() if m.status in OPEN_STATUSES)
        cards = [MentorCard(user, open_mentorships=held[user.id], distance_km=None) for user in state.users.values()]
        fitting = sorted((c for c in cards if is_candidate(query, c)), key=lambda card: candidate_order(query, card))
        return [replace(card, mentor=private_copy(card.mentor)) for card in fitting[: query.limit]]

    async def skill_offered(self, skill: str) -> bool:
        return any(
            user.is_mentor and user.is_active and skill in user.profile.skills
            for user in self._staging.view().users.values()
        )

    async def has_asked(self, learner_id: UUID, mentor_id: UUID) -> bool:
        return any(
            m.learner_id == learner_id and m.mentor_id == mentor_id for m in self._staging.view().mentorships.values()
        )

    async def add_block(self, block: MentorBlock) -> tuple[MentorBlock, bool]:
        key = (block.mentor_id, block.learner_id)
        if (existing := self._staging.view().mentor_blocks.get(key)) is not None:
            return existing, False
        stored = replace(block, created_at=utc(block.created_at))

        def insert(state: MemoryState) -> None:
            _require_user(state, stored.mentor_id)
            _require_user(state, stored.learner_id)
            state.mentor_blocks.setdefault(key, stored)

        self._staging.apply(insert)
        return stored, True

    async def remove_block(self, mentor_id: UUID, learner_id: UUID) -> bool:
        key = (mentor_id, learner_id)
        if key not in self._staging.view().mentor_blocks:
            return False

        def remove(state: MemoryState) -> None:
            state.mentor_blocks.pop(key, None)

        self._staging.apply(remove)
        return True

    async def list_blocks(self, mentor_id: UUID, page: PageRequest) -> Page[MentorBlock]:
        mine = [b for b in self._staging.view().mentor_blocks.values() if b.mentor_id == mentor_id]
        mine.sort(key=lambda block: (block.created_at, block.learner_id), reverse=True)
        window = mine[page.offset : page.offset + page.limit]
        return Page(items=list(window), total=len(mine), limit=page.limit, offset=page.offset)

    async def offer_many(self, offers: Sequence[Mentorship]) -> Sequence[Mentorship]:
        state = self._staging.view()
        held = Counter(m.mentor_id for m in state.mentorships.values() if m.status in OPEN_STATUSES)
        taken: list[Mentorship] = []
        for offer in offers:
            current = state.mentorships.get(offer.id)
            mentor = state.users.get(offer.mentor_id) if offer.mentor_id is not None else None
            if current is None or current.status is not MatchStatus.WAITING or current.version != offer.version:
                continue
            if mentor is None or held[mentor.id] + 1 > (mentor.profile.mentor_capacity or 0):
                continue
            held[mentor.id] += 1
            taken.append(offer)
        for offer in taken:
            await self.update(offer)
        return [
            replace(private_copy(offer), version=offer.version + 1, updated_at=utc(offer.updated_at)) for offer in taken
        ]

    async def count_open_by_mentor(self, mentor_ids: Sequence[UUID]) -> dict[UUID, int]:
        counts = dict.fromkeys(mentor_ids, 0)
        for mentorship in self._staging.view().mentorships.values():
            if mentorship.mentor_id in counts and mentorship.status in OPEN_STATUSES:
                counts[mentorship.mentor_id] += 1
        return counts

    async def has_active(self, learner_id: UUID, mentor_id: UUID, domain: str) -> bool:
        return any(
            mentorship.learner_id == learner_id
            and mentorship.mentor_id == mentor_id
            and mentorship.status is MatchStatus.ACTIVE
            and mentorship.domain == domain
            for mentorship in self._staging.view().mentorships.values()
        )

    async def sessions_due(
        self, after: datetime, until: datetime, limit: int
    ) -> Sequence[tuple[Mentorship, ScheduledSession]]:
        view = self._staging.view()
        due = [
            (mentorship, session)
            for mentorship in view.mentorships.values()
            if mentorship.status is MatchStatus.ACTIVE
            for session in mentorship.session_schedule
            if after < session.time <= until and session.id not in view.reminded_sessions
        ]
        due.sort(key=lambda pair: (pair[1].time, pair[1].id))
        return private_copy(due[:limit])

    async def mark_reminded(self, session_id: UUID, at: datetime) -> bool:
        view = self._staging.view()
        exists = any(session.id == session_id for m in view.mentorships.values() for session in m.session_schedule)
        if not exists or session_id in view.reminded_sessions:
            return False

        def mark(state: MemoryState) -> None:
            # Another unit marked it and committed first: this commit fails rather than remind twice.
            if session_id in state.reminded_sessions:
                raise Conflict(N_("the session was reminded meanwhile"), field="session_id")
            state.reminded_sessions[session_id] = utc(at)

        self._staging.apply(mark)
        return True


# ------------------------------------------------------------------------------------------------ audit


class MemoryAuditLog(AuditLog):
    """:class:`AuditLog` in memory. Entries of one instant come in id order, as in SQL."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def pseudonymise(self, user_id: UUID, traces: Sequence[str]) -> int:
        subject = str(user_id)

        def about(entry: AuditEntry) -> bool:
            return entry.actor_id == user_id or (entry.subject_type == "user" and entry.subject_id == subject)

        changing = [
            entry
            for entry in self._staging.view().audit
            if about(entry) and without_traces(entry.details, traces) != entry.details
        ]

        def scrub(state: MemoryState) -> None:
            state.audit[:] = [
                replace(entry, details=without_traces(entry.details, traces)) if about(entry) else entry
                for entry in state.audit
            ]

        if changing:
            self._staging.apply(scrub)
        return len(changing)

    async def purge(self, before: datetime) -> int:
        cutoff = utc(before)
        purged = [0]

        def purge(state: MemoryState) -> None:
            kept = [entry for entry in state.audit if entry.at >= cutoff]
            purged[0] = len(state.audit) - len(kept)
            state.audit[:] = kept

        self._staging.apply(purge)
        return purged[0]

    async def record(self, entry: AuditEntry) -> None:
        stored = replace(private_copy(entry), at=utc(entry.at))

        def append(state: MemoryState) -> None:
            if any(other.id == stored.id for other in state.audit):
                raise Conflict(_DUPLICATE)
            _require_user(state, stored.actor_id)
            state.audit.append(stored)

        self._staging.apply(append)

    async def list_for_subject(self, subject_type: str, subject_id: str) -> Sequence[AuditEntry]:
        entries = [
            entry
            for entry in self._staging.view().audit
            if entry.subject_type == subject_type and entry.subject_id == subject_id
        ]
        return private_copy(sorted(entries, key=lambda entry: (entry.at, entry.id)))

    async def search(self, query: AuditQuery, page: PageRequest) -> Page[AuditEntry]:
        found = sorted(
            (entry for entry in self._staging.view().audit if query.admits(entry)),
            key=lambda entry: (entry.at, entry.id),
            reverse=True,
        )
        items = found[page.offset : page.offset + page.limit]
        return Page(private_copy(items), total=len(found), limit=page.limit, offset=page.offset)


def _remove(staging: Staging, table: Callable[[MemoryState], dict[Any, Any]], doomed: Callable[[Any], bool]) -> int:
    """Stage the removal of the rows of ``table`` that are ``doomed``; return how many there are now."""
    count = sum(1 for row in table(staging.view()).values() if doomed(row))

    def remove(state: MemoryState) -> None:
        rows = table(state)
        for key in [key for key, row in rows.items() if doomed(row)]:
            del rows[key]

    if count:
        staging.apply(remove)
    return count
