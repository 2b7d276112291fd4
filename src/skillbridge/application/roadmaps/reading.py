"""Reading roadmaps: one, one's own list, and a roadmap's history."""

from __future__ import annotations

from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.application.roadmaps.access import readable_roadmap
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.roadmaps.model import Roadmap, RoadmapVersion


class GetRoadmap:
    """Return one roadmap to its owner or to the owner's active mentor; NotFound for anyone else."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, roadmap_id: UUID) -> Roadmap:
        async with self._uow.reading() as uow:
            return await readable_roadmap(uow, principal, roadmap_id)


class ListMyRoadmaps:
    """Return the caller's own roadmaps, newest first, one page at a time."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, page: PageRequest) -> Page[Roadmap]:
        async with self._uow.reading() as uow:
            return await uow.roadmaps.list_for_user(principal.user_id, page)


class ListRoadmapVersions:
    """Return a roadmap's history, newest version first, to whoever may read the roadmap (owner or
    active mentor); NotFound for anyone else."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, roadmap_id: UUID, page: PageRequest) -> Page[RoadmapVersion]:
        async with self._uow.reading() as uow:
            await readable_roadmap(uow, principal, roadmap_id)
            return await uow.roadmaps.list_versions(roadmap_id, page)
