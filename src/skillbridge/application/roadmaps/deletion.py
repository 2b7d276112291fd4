"""Deleting a roadmap with an undo window, and restoring it within that window."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.application.roadmaps.access import owned_roadmap
from skillbridge.domain.errors import NotFound
from skillbridge.domain.roadmaps.model import Roadmap
from skillbridge.domain.texts import N_

_NOT_FOUND = N_("roadmap not found")


@dataclass(frozen=True, slots=True)
class RoadmapUndo:
    """How long a deleted roadmap may be restored (``SKILLBRIDGE_ROADMAP_UNDO_DAYS``)."""

    window: timedelta = timedelta(days=30)


class DeleteRoadmap:
    """Delete one's roadmap (``DELETE /roadmaps/{id}``), restorable for the undo window.

    Rules: only the owner deletes (its active mentor gets Forbidden, anyone else NotFound); a deleted
    roadmap is shown nowhere (not in lists, its reads are NotFound, pushes to its linked repository are no
    longer logged to it, it no longer counts for badges) but stays in the owner's export until it is gone;
    deleting it again is NotFound. The retention job removes it, with its versions and progress, once the
    undo window has passed.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, principal: Principal, roadmap_id: UUID) -> None:
        now = self._clock.now()
        async with self._uow as uow:
            roadmap = await owned_roadmap(uow, principal, roadmap_id)
            await uow.roadmaps.update(replace(roadmap, deleted_at=now, updated_at=now))
            await uow.commit()


class RestoreRoadmap:
    """Bring back one's deleted roadmap (``POST /roadmaps/{id}/restore``) as it was.

    Rules: only its owner, and only within the undo window after the deletion; otherwise, and for a
    roadmap that is not deleted or not theirs, NotFound (a deleted roadmap is nobody else's business).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, undo: RoadmapUndo) -> None:
        self._uow = uow
        self._clock = clock
        self._undo = undo

    async def __call__(self, principal: Principal, roadmap_id: UUID) -> Roadmap:
        now = self._clock.now()
        async with self._uow as uow:
            roadmap = await uow.roadmaps.find_deleted(roadmap_id)
            if (
                roadmap is None
                or roadmap.user_id != principal.user_id
                or roadmap.deleted_at is None
                or now - roadmap.deleted_at > self._undo.window
            ):
                raise NotFound(_NOT_FOUND)
            restored = await uow.roadmaps.update(replace(roadmap, deleted_at=None, updated_at=now))
            await uow.commit()
        return restored
