"""Mentorships in SQL: storage with optimistic locking, the participant's list, and the sweeps' queries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast
from uuid import UUID

import asyncpg
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    CursorResult,
    DateTime,
    Double,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    and_,
    any_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy import cast as sa_cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from skillbridge.adapters.persistence.sqlalchemy.errors import translated
from skillbridge.adapters.persistence.sqlalchemy.mappers import mentorship_from_row, mentorship_to_values
from skillbridge.adapters.persistence.sqlalchemy.raw import CompiledRead, Fields
from skillbridge.adapters.persistence.sqlalchemy.repositories.mentor_candidates import candidate_cards, skill_offered
from skillbridge.adapters.persistence.sqlalchemy.repositories.paging import DirectPage, page_and_total
from skillbridge.adapters.persistence.sqlalchemy.tables import MatchSessionRow, MentorBlockRow, MentorMatchRow, UserRow
from skillbridge.adapters.persistence.sqlalchemy.views import open_mentor_places
from skillbridge.application.ports.repositories import MentorshipRepository
from skillbridge.domain.accounts.mentor_search import MentorCard
from skillbridge.domain.badges.rules import Completion
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.matching.blocks import MentorBlock
from skillbridge.domain.matching.candidates import CandidateQuery
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

_OPEN_STATUS_VALUES = sorted(status.value for status in OPEN_STATUSES)
_LEARNER_OPEN_STATUS_VALUES = sorted(status.value for status in LEARNER_OPEN_STATUSES)
_DECLINED_STATUS_VALUES = sorted(status.value for status in DECLINED_STATUSES)
#: The status :meth:`SqlaMentorshipRepository.exclusions` gives a block (no match status is spelt so).
_BLOCKED = "(block)"
#: The table itself: a Core update with bound parameters runs as one executemany (the ORM would not).
_MATCHES = cast(Table, MentorMatchRow.__table__)
#: Most ids in one IN list (well under every driver's limit on bound parameters).
_CHUNK = 1000


def _exclusions_statement(learner_ids: Sequence[UUID] | None) -> CompoundSelect[Any]:
    """The declined and open matches and the blocks of ``learner_ids``, in one statement; with None, of the
    learners in the array parameter ``learners`` (and every list an array), for the driver (see raw.py)."""
    statuses = _DECLINED_STATUS_VALUES + _OPEN_STATUS_VALUES

    def among(column: Any, values: Sequence[Any], array: Any) -> ColumnElement[bool]:
        return cast(ColumnElement[bool], column.in_(values) if learner_ids is not None else column == any_(array))

    learners = bindparam("learners", type_=ARRAY(Uuid()))
    matches = select(
        MentorMatchRow.learner_id, MentorMatchRow.domain, MentorMatchRow.mentor_id, MentorMatchRow.status
    ).where(
        among(MentorMatchRow.learner_id, learner_ids or (), learners),
        among(MentorMatchRow.status, statuses, literal(statuses, ARRAY(String()))),
    )
    blocks = select(
        MentorBlockRow.learner_id,
        sa_cast(null(), String()).label("domain"),
        MentorBlockRow.mentor_id,
        literal(_BLOCKED, String()).label("status"),
    ).where(among(MentorBlockRow.learner_id, learner_ids or (), learners))
    return union_all(matches, blocks)


#: The same, compiled once for a block that reads straight from the driver (array parameters, whatever the
#: number of learners: an IN list's SQL would differ with each count).
_EXCLUSIONS_DIRECT = CompiledRead(_exclusions_statement(None))


def _participant_page(*, of_statuses: bool) -> DirectPage:
    """A participant's matches, newest first, for the driver (see raw.py): parameter ``user_id``, and with
    ``of_statuses`` the array ``statuses``."""
    user = bindparam("user_id", type_=Uuid())
    filters: list[ColumnElement[bool]] = [or_(_MATCHES.c.learner_id == user, _MATCHES.c.mentor_id == user)]
    if of_statuses:
        filters.append(_MATCHES.c.status == any_(bindparam("statuses", type_=ARRAY(String()))))
    return DirectPage(
        select(_MATCHES).where(*filters).order_by(_MATCHES.c.created_at.desc(), _MATCHES.c.id.desc()),
        select(func.count()).select_from(_MATCHES).where(*filters),
    )


_PARTICIPANT_PAGE_DIRECT = {False: _participant_page(of_statuses=False), True: _participant_page(of_statuses=True)}


def _chunks(ids: Sequence[UUID]) -> list[Sequence[UUID]]:
    return [ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK)]


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


def _offer_values(offer: Mentorship) -> dict[str, Any]:
    values = mentorship_to_values(offer)
    return {
        "b_id": offer.id,
        "b_mentor_id": values["mentor_id"],
        "b_status": values["status"],
        "b_score": values["score"],
        "b_score_components": values["score_components"],
        "b_expires_at": values["expires_at"],
        "b_updated_at": values["updated_at"],
        "b_version": offer.version + 1,
    }


#: The parameters of :data:`_OFFER_MANY_POSTGRES`, in the order of :func:`_offer_values`.
_OFFER_COLUMNS = ("ids", "mentors", "statuses", "scores", "components", "expires", "updated", "versions")
_OFFER_MANY_POSTGRES = text(
    "UPDATE mentor_matches AS m SET mentor_id = v.mentor_id, status = v.status, score = v.score, "
    "score_components = v.score_components::jsonb, expires_at = v.expires_at, updated_at = v.updated_at, "
    "version = v.version "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:mentors AS uuid[]), CAST(:statuses AS text[]), "
    "CAST(:scores AS float8[]), CAST(:components AS text[]), CAST(:expires AS timestamptz[]), "
    "CAST(:updated AS timestamptz[]), CAST(:versions AS int[])) "
    "AS v(id, mentor_id, status, score, score_components, expires_at, updated_at, version) "
    "WHERE m.id = v.id"
).bindparams(
    bindparam("ids", type_=ARRAY(Uuid())),
    bindparam("mentors", type_=ARRAY(Uuid())),
    bindparam("statuses", type_=ARRAY(String())),
    bindparam("scores", type_=ARRAY(Double())),
    bindparam("components", type_=ARRAY(Text())),
    bindparam("expires", type_=ARRAY(DateTime(timezone=True))),
    bindparam("updated", type_=ARRAY(DateTime(timezone=True))),
    bindparam("versions", type_=ARRAY(Integer())),
)

# Core updates bypass the identity map, so reads always refresh the objects it holds.
_FRESH: dict[str, Any] = {"populate_existing": True}
#: Built once: every chat message and match change reads its mentorship first.
_BY_ID = select(MentorMatchRow).where(MentorMatchRow.id == bindparam("mentorship_id")).execution_options(**_FRESH)


class SqlaMentorshipRepository(MentorshipRepository):
    """:class:`MentorshipRepository` on a SQLAlchemy session."""

    def __init__(self, session: AsyncSession, direct: asyncpg.Connection | None = None) -> None:
        self._session = session
        self._direct = direct  # a reading block's driver connection (see raw.py)

    @translated
    async def add(self, mentorship: Mentorship) -> None:
        if mentorship.status in OPEN_STATUSES and mentorship.mentor_id is not None:
            await self._refuse_overbooking(mentorship.mentor_id, mentorship.id)
        await self._session.execute(insert(MentorMatchRow).values(**mentorship_to_values(mentorship)))
        await self._keep_sessions_in_step(mentorship, stored=set())

    async def _keep_sessions_in_step(self, mentorship: Mentorship, stored: set[UUID] | None = None) -> None:
        """Make ``match_sessions`` hold exactly the mentorship's sessions. Sessions never change once added
        (they are added and removed), so rows are only inserted and deleted, and a kept session keeps its
        ``reminded_at``. ``stored``: the session ids already there, when known (none for a new mentorship,
        which saves the query)."""
        wanted = {session.id: session for session in mentorship.session_schedule}
        if stored is None:
            query = select(MatchSessionRow.id).where(MatchSessionRow.match_id == mentorship.id)
            stored = set(await self._session.scalars(query))
        if gone := stored - wanted.keys():
            await self._session.execute(delete(MatchSessionRow).where(MatchSessionRow.id.in_(gone)))
        if new := [wanted[session_id] for session_id in wanted.keys() - stored]:
            await self._session.execute(
                insert(MatchSessionRow),
                [{"id": s.id, "match_id": mentorship.id, "starts_at": utc(s.time), "reminded_at": None} for s in new],
            )

    async def _refuse_overbooking(self, mentor_id: UUID, taking: UUID) -> None:
        """Raise Conflict, before the write that would take one of the mentor's places (``taking``), if
        they have none left.

        A no-op update of the mentor's row comes first: it locks that row on PostgreSQL and takes SQLite's
        write lock, so of two transactions booking the last place at once the second waits for the first
        to commit, then counts its row and is refused. Nothing is written when it raises.
        """
        capacity = (await self._lock_users([mentor_id])).get(mentor_id)
        # Through the view: the places other learners' mentorships take count, though the caller cannot see them.
        held = await self._session.scalar(
            select(func.count())
            .select_from(open_mentor_places)
            .where(open_mentor_places.c.mentor_id == mentor_id, open_mentor_places.c.id != taking)
        )
        if (held or 0) + 1 > (capacity or 0):
            raise Conflict(N_("this mentor has no free place left"), field="mentor_id")

    @translated
    async def get(self, mentorship_id: UUID) -> Mentorship:
        row = await self._session.scalar(_BY_ID, {"mentorship_id": mentorship_id})
        if row is None:
            raise NotFound(N_("mentorship not found"))
        return mentorship_from_row(row)

    @translated
    async def update(self, mentorship: Mentorship) -> Mentorship:
        values = mentorship_to_values(mentorship)
        del values["id"], values["created_at"], values["learner_id"]
        values["version"] = mentorship.version + 1
        before = await self._session.scalar(select(MentorMatchRow.status).where(MentorMatchRow.id == mentorship.id))
        takes_a_place = before not in _OPEN_STATUS_VALUES and mentorship.status in OPEN_STATUSES
        if before is not None and takes_a_place and mentorship.mentor_id is not None:
            await self._refuse_overbooking(mentorship.mentor_id, mentorship.id)
        result = await self._session.execute(
            update(MentorMatchRow)
            .where(MentorMatchRow.id == mentorship.id, MentorMatchRow.version == mentorship.version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], result).rowcount == 0:
            stored = await self._session.scalar(
                select(MentorMatchRow.version).where(MentorMatchRow.id == mentorship.id)
            )
            if stored is None:
                raise NotFound(N_("mentorship not found"))
            raise Conflict(N_("the match was changed meanwhile; reload and try again"), field="version")
        await self._keep_sessions_in_step(mentorship)
        return replace(mentorship, version=mentorship.version + 1, updated_at=utc(mentorship.updated_at))

    @translated
    async def list_for_participant(
        self, user_id: UUID, page: PageRequest, statuses: frozenset[MatchStatus] | None = None
    ) -> Page[Mentorship]:
        if self._direct is not None:
            values: dict[str, Any] = {"user_id": user_id}
            if statuses is not None:
                values["statuses"] = sorted(status.value for status in statuses)
            direct_page = _PARTICIPANT_PAGE_DIRECT[statuses is not None]
            records, total = await direct_page.read(self._direct, values, page)
            items = [mentorship_from_row(cast(MentorMatchRow, Fields(record))) for record in records]
            return Page(items=items, total=total, limit=page.limit, offset=page.offset)
        filters = [or_(MentorMatchRow.learner_id == user_id, MentorMatchRow.mentor_id == user_id)]
        if statuses is not None:
            filters.append(MentorMatchRow.status.in_(sorted(status.value for status in statuses)))
        rows, total = await page_and_total(
            self._session,
            select(MentorMatchRow).where(*filters).order_by(MentorMatchRow.created_at.desc(), MentorMatchRow.id.desc()),
            select(func.count()).select_from(MentorMatchRow).where(*filters),
            page,
        )
        items = [mentorship_from_row(row) for (row,) in rows]
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

    @translated
    async def find_open_request(self, learner_id: UUID, domain: str) -> Mentorship | None:
        row = await self._session.scalar(
            select(MentorMatchRow)
            .where(
                MentorMatchRow.learner_id == learner_id,
                MentorMatchRow.domain == domain,
                MentorMatchRow.status.in_(_LEARNER_OPEN_STATUS_VALUES),
            )
            .limit(1)
            .execution_options(**_FRESH)
        )
        return None if row is None else mentorship_from_row(row)

    @translated
    async def list_waiting(self, limit: int) -> Sequence[Mentorship]:
        rows = await self._session.scalars(
            select(MentorMatchRow)
            .where(MentorMatchRow.status == MatchStatus.WAITING.value)
            .order_by(MentorMatchRow.created_at, MentorMatchRow.id)
            .limit(limit)
            .execution_options(**_FRESH)
        )
        return [mentorship_from_row(row) for row in rows]

    @translated
    async def count_waiting(self, domain: str | None = None) -> int:
        counted = await self._session.scalar(
            select(func.count()).select_from(MentorMatchRow).where(*_waiting_in(domain))
        )
        return int(counted or 0)

    @translated
    async def waiting_page(
        self, domain: str | None, after: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[Mentorship]:
        filters = _waiting_in(domain)
        if after is not None:
            at, last = utc(after[0]), after[1]
            filters.append(
                or_(MentorMatchRow.created_at > at, and_(MentorMatchRow.created_at == at, MentorMatchRow.id > last))
            )
        rows = await self._session.scalars(
            select(MentorMatchRow)
            .where(*filters)
            .order_by(MentorMatchRow.created_at, MentorMatchRow.id)
            .limit(limit)
            .execution_options(**_FRESH)
        )
        return [mentorship_from_row(row) for row in rows]

    @translated
    async def list_overdue(self, now: datetime, limit: int) -> Sequence[Mentorship]:
        rows = await self._session.scalars(
            select(MentorMatchRow)
            .where(MentorMatchRow.status == MatchStatus.PENDING.value, MentorMatchRow.expires_at <= utc(now))
            .order_by(MentorMatchRow.expires_at, MentorMatchRow.id)
            .limit(limit)
            .execution_options(**_FRESH)
        )
        return [mentorship_from_row(row) for row in rows]

    @translated
    async def completions(self, mentor_id: UUID) -> Sequence[Completion]:
        rows = await self._session.execute(
            select(
                MentorMatchRow.learner_id,
                MentorMatchRow.accepted_at,
                MentorMatchRow.completed_at,
                MentorMatchRow.rating,
            ).where(MentorMatchRow.mentor_id == mentor_id, MentorMatchRow.status == MatchStatus.COMPLETED.value)
        )
        return [
            Completion(learner, _utc_or_none(accepted), _utc_or_none(completed), rating)
            for learner, accepted, completed, rating in rows
        ]

    @translated
    async def lock_open_for_learner(self, learner_id: UUID) -> Sequence[Mentorship]:
        await self._lock_users([learner_id])
        rows = await self._session.scalars(
            select(MentorMatchRow)
            .where(MentorMatchRow.learner_id == learner_id, MentorMatchRow.status.in_(_LEARNER_OPEN_STATUS_VALUES))
            .order_by(MentorMatchRow.created_at, MentorMatchRow.id)
            .execution_options(**_FRESH)
        )
        return [mentorship_from_row(row) for row in rows]

    async def _lock_users(self, user_ids: Sequence[UUID]) -> dict[UUID, int | None]:
        """Lock the users' rows until the transaction ends (a no-op update: a row lock on PostgreSQL, the
        write lock on SQLite); return their mentor capacities."""
        ids = sorted(set(user_ids))
        if self._session.get_bind().dialect.name == "postgresql":
            # The owner's function: a learner booking a mentor may lock the mentor's row but not update it.
            function = func.skillbridge_lock_users(literal(ids, ARRAY(Uuid()))).table_valued("id", "mentor_capacity")
            rows = await self._session.execute(select(function.c.id, function.c.mentor_capacity))
            # A Result has keys(), so dict() would take it for a mapping of column names.
            return {user: capacity for user, capacity in rows}  # noqa: C416
        locked = await self._session.execute(
            update(UserRow)
            .where(UserRow.id.in_(ids))
            # updated_at named too, or its onupdate default would stamp the user as changed
            .values(mentor_capacity=UserRow.mentor_capacity, updated_at=UserRow.updated_at)
            .returning(UserRow.id, UserRow.mentor_capacity)
            .execution_options(synchronize_session=False)
        )
        return {user: capacity for user, capacity in locked}  # noqa: C416 (see above)

    @translated
    async def exclusions(self, learner_ids: Sequence[UUID]) -> Exclusions:
        declined: list[tuple[UUID, str, UUID]] = []
        barred: list[tuple[UUID, UUID]] = []
        for chunk in _chunks(sorted(set(learner_ids))):
            rows: Sequence[Any]
            if self._direct is not None:
                rows = await _EXCLUSIONS_DIRECT.fetch(self._direct, {"learners": list(chunk)})
            else:
                rows = (await self._session.execute(_exclusions_statement(chunk))).all()
            for learner, domain, mentor, status in cast(list[tuple[UUID, str, UUID | None, str]], rows):
                if mentor is None:
                    continue
                if status in _DECLINED_STATUS_VALUES:
                    declined.append((learner, domain, mentor))
                else:  # open, or blocked
                    barred.append((learner, mentor))
        return Exclusions.of(declined, barred)

    @translated
    async def candidates(self, query: CandidateQuery) -> Sequence[MentorCard]:
        return await candidate_cards(self._session, query)

    @translated
    async def skill_offered(self, skill: str) -> bool:
        return await skill_offered(self._session, skill)

    @translated
    async def has_asked(self, learner_id: UUID, mentor_id: UUID) -> bool:
        found = await self._session.scalar(
            select(MentorMatchRow.id)
            .where(MentorMatchRow.learner_id == learner_id, MentorMatchRow.mentor_id == mentor_id)
            .limit(1)
        )
        return found is not None

    @translated
    async def add_block(self, block: MentorBlock) -> tuple[MentorBlock, bool]:
        blocked_at = await self._session.scalar(
            select(MentorBlockRow.created_at).where(
                MentorBlockRow.mentor_id == block.mentor_id, MentorBlockRow.learner_id == block.learner_id
            )
        )
        if blocked_at is not None:
            return replace(block, created_at=utc(blocked_at)), False
        await self._session.execute(
            insert(MentorBlockRow).values(
                mentor_id=block.mentor_id, learner_id=block.learner_id, created_at=utc(block.created_at)
            )
        )
        return replace(block, created_at=utc(block.created_at)), True

    @translated
    async def remove_block(self, mentor_id: UUID, learner_id: UUID) -> bool:
        result = await self._session.execute(
            delete(MentorBlockRow).where(MentorBlockRow.mentor_id == mentor_id, MentorBlockRow.learner_id == learner_id)
        )
        return cast(CursorResult[Any], result).rowcount > 0

    @translated
    async def list_blocks(self, mentor_id: UUID, page: PageRequest) -> Page[MentorBlock]:
        mine = MentorBlockRow.mentor_id == mentor_id
        total = await self._session.scalar(select(func.count()).select_from(MentorBlockRow).where(mine)) or 0
        rows = await self._session.execute(
            select(MentorBlockRow.learner_id, MentorBlockRow.created_at)
            .where(mine)
            .order_by(MentorBlockRow.created_at.desc(), MentorBlockRow.learner_id.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
        items = [MentorBlock(mentor_id, learner, utc(at)) for learner, at in rows]
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

    @translated
    async def offer_many(self, offers: Sequence[Mentorship]) -> Sequence[Mentorship]:
        if not offers:
            return []
        capacities = await self._lock_users([o.mentor_id for o in offers if o.mentor_id is not None])
        waiting = dict(
            (
                await self._session.execute(
                    select(MentorMatchRow.id, MentorMatchRow.version)
                    .where(
                        MentorMatchRow.id.in_([o.id for o in offers]),
                        MentorMatchRow.status == MatchStatus.WAITING.value,
                    )
                    .with_for_update()
                )
            ).all()
        )
        held = await self.count_open_by_mentor(list(capacities))
        taken: list[Mentorship] = []
        for offer in offers:
            mentor = offer.mentor_id
            if mentor is None or waiting.get(offer.id) != offer.version:
                continue
            if held[mentor] + 1 > (capacities.get(mentor) or 0):
                continue
            held[mentor] += 1
            taken.append(offer)
        if taken and self._session.get_bind().dialect.name == "postgresql":
            # One statement for the whole batch (a round writes 1,000 at a time): a join on unnest()ed arrays
            # instead of 1,000 single-row updates, each planned and run apart.
            columns = list(zip(*(_offer_values(offer).values() for offer in taken), strict=True))
            columns[4] = tuple(json.dumps(components) for components in columns[4])
            await self._session.execute(_OFFER_MANY_POSTGRES, dict(zip(_OFFER_COLUMNS, columns, strict=True)))
        elif taken:
            await self._session.execute(
                update(_MATCHES)
                .where(_MATCHES.c.id == bindparam("b_id"))
                .values(
                    mentor_id=bindparam("b_mentor_id"),
                    status=bindparam("b_status"),
                    score=bindparam("b_score"),
                    score_components=bindparam("b_score_components"),
                    expires_at=bindparam("b_expires_at"),
                    updated_at=bindparam("b_updated_at"),
                    version=bindparam("b_version"),
                )
                .execution_options(synchronize_session=False),
                [_offer_values(offer) for offer in taken],
            )
        return [replace(offer, version=offer.version + 1, updated_at=utc(offer.updated_at)) for offer in taken]

    @translated
    async def count_open_by_mentor(self, mentor_ids: Sequence[UUID]) -> dict[UUID, int]:
        counts = dict.fromkeys(mentor_ids, 0)
        if not counts:
            return counts
        places = open_mentor_places
        rows = await self._session.execute(
            select(places.c.mentor_id, func.count()).where(places.c.mentor_id.in_(counts)).group_by(places.c.mentor_id)
        )
        for mentor_id, count in rows:
            if mentor_id is not None:  # the filter on mentor_id already excludes waiting requests
                counts[mentor_id] = count
        return counts

    @translated
    async def has_active(self, learner_id: UUID, mentor_id: UUID, domain: str) -> bool:
        found = await self._session.scalar(
            select(MentorMatchRow.id)
            .where(
                MentorMatchRow.learner_id == learner_id,
                MentorMatchRow.mentor_id == mentor_id,
                MentorMatchRow.status == MatchStatus.ACTIVE.value,
                MentorMatchRow.domain == domain,
            )
            .limit(1)
        )
        return found is not None

    @translated
    async def sessions_due(
        self, after: datetime, until: datetime, limit: int
    ) -> Sequence[tuple[Mentorship, ScheduledSession]]:
        due = (
            await self._session.execute(
                select(MatchSessionRow.id, MatchSessionRow.match_id)
                .join(MentorMatchRow, MentorMatchRow.id == MatchSessionRow.match_id)
                .where(
                    MatchSessionRow.starts_at > utc(after),
                    MatchSessionRow.starts_at <= utc(until),
                    MatchSessionRow.reminded_at.is_(None),
                    MentorMatchRow.status == MatchStatus.ACTIVE.value,
                )
                .order_by(MatchSessionRow.starts_at, MatchSessionRow.id)
                .limit(limit)
            )
        ).all()
        if not due:
            return []
        rows = await self._session.scalars(
            select(MentorMatchRow)
            .where(MentorMatchRow.id.in_({match_id for _, match_id in due}))
            .execution_options(**_FRESH)
        )
        mentorships = {row.id: mentorship_from_row(row) for row in rows}
        found: list[tuple[Mentorship, ScheduledSession]] = []
        for session_id, match_id in due:
            mentorship = mentorships[match_id]
            session = next((s for s in mentorship.session_schedule if s.id == session_id), None)
            if session is not None:
                found.append((mentorship, session))
        return found

    @translated
    async def mark_reminded(self, session_id: UUID, at: datetime) -> bool:
        # The condition on reminded_at makes this a compare-and-set: of two workers, the second updates 0 rows.
        result = await self._session.execute(
            update(MatchSessionRow)
            .where(MatchSessionRow.id == session_id, MatchSessionRow.reminded_at.is_(None))
            .values(reminded_at=utc(at))
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult[Any], result).rowcount == 1


def _waiting_in(domain: str | None) -> list[ColumnElement[bool]]:
    """The waiting requests, of ``domain`` only when given."""
    filters: list[ColumnElement[bool]] = [MentorMatchRow.status == MatchStatus.WAITING.value]
    if domain is not None:
        filters.append(MentorMatchRow.domain == domain)
    return filters
