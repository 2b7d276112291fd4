"""Events reported by hand or by a client, and the progress report of a roadmap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.application.roadmaps.access import owned_roadmap, readable_roadmap
from skillbridge.domain.errors import Conflict, InvalidInput
from skillbridge.domain.pagination import MAX_LIMIT, Page, PageRequest
from skillbridge.domain.progress.events import MANUAL_EVENT_TYPES, EventType, ProgressEvent, check_details
from skillbridge.domain.progress.streaks import Streaks, weekly_streaks
from skillbridge.domain.roadmaps.model import Roadmap
from skillbridge.domain.texts import N_


async def _the_roadmap_in_progress(uow: UnitOfWork, principal: Principal) -> UUID:
    """The id of the caller's only roadmap below 100 %; InvalidInput on ``roadmap_id`` for none or several."""
    in_progress: list[UUID] = []
    offset = 0
    while len(in_progress) < 2:
        page = await uow.roadmaps.list_for_user(principal.user_id, PageRequest(limit=MAX_LIMIT, offset=offset))
        in_progress += [roadmap.id for roadmap in page.items if roadmap.progress < 100]
        offset += len(page.items)
        if not page.items or offset >= page.total:
            break
    if len(in_progress) == 1:
        return in_progress[0]
    if not in_progress:
        raise InvalidInput(N_("you have no roadmap in progress: name the roadmap with roadmap_id"), field="roadmap_id")
    raise InvalidInput(
        N_("you have several roadmaps in progress: name the roadmap with roadmap_id"), field="roadmap_id"
    )


class LogProgressEvent:
    """Record an event the learner (or a client of theirs) reports.

    Rules:
    - only the owner reports on a roadmap (its active mentor gets Forbidden, anyone else NotFound);
    - the details are checked per event type (see :mod:`skillbridge.domain.progress.events`); every
      field at fault is reported as ``details.<name>``;
    - a commit is logged once per roadmap (Conflict on the same hash again, from GitHub or by hand);
    - the event happens now (the server's clock): a client cannot backdate activity into a streak;
    - without a roadmap id, the event is on the caller's one roadmap in progress (below 100 %); none or
      several in progress is InvalidInput on ``roadmap_id`` (the caller must name one).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self, principal: Principal, roadmap_id: UUID | None, event_type: str, details: Mapping[str, Any]
    ) -> ProgressEvent:
        try:
            kind = EventType(event_type)
        except ValueError:
            raise InvalidInput(
                N_("unknown event type {event_type}"),
                field="event_type",
                allowed=[kind.value for kind in MANUAL_EVENT_TYPES],
                params={"event_type": repr(event_type)},
            ) from None
        async with self._uow as uow:
            if roadmap_id is None:
                roadmap_id = await _the_roadmap_in_progress(uow, principal)
            roadmap = await owned_roadmap(uow, principal, roadmap_id)
            checked = check_details(kind, details, roadmap)
            external_id = checked.get("commit_hash") if kind is EventType.COMMIT else None
            if external_id and await uow.progress_logs.known_external_ids(roadmap.id, kind, [external_id]):
                raise Conflict(N_("this commit is already logged on the roadmap"), field="details.commit_hash")
            now = self._clock.now()
            event = ProgressEvent(
                user_id=principal.user_id,
                roadmap_id=roadmap.id,
                event_type=kind,
                details=checked,
                occurred_at=now,
                created_at=now,
                external_id=external_id,
            )
            await uow.progress_logs.add(event)
            await uow.commit()
        return event


@dataclass(frozen=True, slots=True)
class ProgressReport:
    """A roadmap's progress: the roadmap (percentage, modules), one page of its timeline, its streaks."""

    roadmap: Roadmap
    timeline: Page[ProgressEvent]
    streaks: Streaks


class GetProgress:
    """Return a roadmap's progress to its owner or the owner's active mentor; NotFound for anyone else.

    The timeline is newest first; streaks count ISO weeks in UTC with at least one event (see
    :func:`~skillbridge.domain.progress.streaks.weekly_streaks`).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, principal: Principal, roadmap_id: UUID, page: PageRequest) -> ProgressReport:
        async with self._uow.reading() as uow:
            roadmap = await readable_roadmap(uow, principal, roadmap_id)
            timeline = await uow.progress_logs.list_for_roadmap(roadmap.id, page)
            moments = await uow.progress_logs.occurrence_times(roadmap.id)
        return ProgressReport(roadmap, timeline, weekly_streaks(moments, self._clock.now()))
