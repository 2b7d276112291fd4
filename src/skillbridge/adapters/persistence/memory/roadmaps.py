"""The in-memory roadmap repository: the SQL adapter's twin, down to its constraints and orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from skillbridge.adapters.persistence.memory.database import MemoryState, Staging, private_copy
from skillbridge.application.ports.repositories import RoadmapRepository
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.roadmaps.model import Roadmap, RoadmapVersion
from skillbridge.domain.texts import N_

# The messages of the SQL adapter's error translation, so both adapters read the same.
_DUPLICATE = N_("a unique value is already taken")
_DANGLING = N_("a referenced record does not exist or is still referenced")
_RULE = N_("the change breaks a consistency rule")


def _stored(roadmap: Roadmap) -> Roadmap:
    modules = tuple(
        replace(module, completed_at=utc(module.completed_at) if module.completed_at else None)
        for module in roadmap.modules
    )
    return replace(
        private_copy(roadmap),
        modules=modules,
        created_at=utc(roadmap.created_at),
        updated_at=utc(roadmap.updated_at),
        deleted_at=utc(roadmap.deleted_at) if roadmap.deleted_at else None,
    )


def _check_rules(roadmap: Roadmap) -> None:
    """The check constraints of the ``roadmaps`` table."""
    if not 0 <= roadmap.progress <= 100 or not 1 <= roadmap.hours_per_week <= 168:
        raise Conflict(_RULE)


class MemoryRoadmapRepository(RoadmapRepository):
    """:class:`RoadmapRepository` in memory."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def add(self, roadmap: Roadmap) -> None:
        stored = _stored(roadmap)

        def insert(state: MemoryState) -> None:
            if stored.id in state.roadmaps:
                raise Conflict(_DUPLICATE)
            if stored.user_id not in state.users:
                raise Conflict(_DANGLING)
            _check_rules(stored)
            state.roadmaps[stored.id] = stored

        self._staging.apply(insert)

    async def get(self, roadmap_id: UUID) -> Roadmap:
        roadmap = self._staging.view().roadmaps.get(roadmap_id)
        if roadmap is None or roadmap.deleted_at is not None:
            raise NotFound(N_("roadmap not found"))
        return private_copy(roadmap)

    async def update(self, roadmap: Roadmap) -> Roadmap:
        expected = roadmap.version
        changed = replace(_stored(roadmap), version=expected + 1)

        def change(state: MemoryState) -> None:
            current = state.roadmaps.get(changed.id)
            if current is None:
                raise NotFound(N_("roadmap not found"))
            if current.version != expected:
                raise Conflict(N_("the roadmap was changed meanwhile; reload and try again"), field="version")
            _check_rules(changed)
            state.roadmaps[changed.id] = replace(changed, created_at=current.created_at, user_id=current.user_id)

        self._staging.apply(change)
        return replace(private_copy(changed), created_at=utc(roadmap.created_at))

    async def list_for_user(self, user_id: UUID, page: PageRequest) -> Page[Roadmap]:
        mine = [r for r in self._staging.view().roadmaps.values() if r.user_id == user_id and r.deleted_at is None]
        mine.sort(key=lambda roadmap: (roadmap.created_at, roadmap.id), reverse=True)
        window = mine[page.offset : page.offset + page.limit]
        return Page(items=private_copy(window), total=len(mine), limit=page.limit, offset=page.offset)

    async def count_completed(self, user_id: UUID) -> int:
        return sum(
            1
            for roadmap in self._staging.view().roadmaps.values()
            if roadmap.user_id == user_id and roadmap.progress >= 100 and roadmap.deleted_at is None
        )

    async def add_version(self, snapshot: RoadmapVersion) -> None:
        stored = replace(private_copy(snapshot), created_at=utc(snapshot.created_at))

        def insert(state: MemoryState) -> None:
            if stored.id in state.roadmap_versions or any(
                other.roadmap_id == stored.roadmap_id and other.version == stored.version
                for other in state.roadmap_versions.values()
            ):
                raise Conflict(_DUPLICATE)
            if not 0 <= stored.progress <= 100:
                raise Conflict(_RULE)
            if stored.roadmap_id not in state.roadmaps or (
                stored.changed_by is not None and stored.changed_by not in state.users
            ):
                raise Conflict(_DANGLING)
            state.roadmap_versions[stored.id] = stored

        self._staging.apply(insert)

    async def list_versions(self, roadmap_id: UUID, page: PageRequest) -> Page[RoadmapVersion]:
        versions = sorted(
            (v for v in self._staging.view().roadmap_versions.values() if v.roadmap_id == roadmap_id),
            key=lambda v: v.version,
            reverse=True,
        )
        window = versions[page.offset : page.offset + page.limit]
        return Page(items=private_copy(window), total=len(versions), limit=page.limit, offset=page.offset)

    async def list_by_repository(self, repository: str) -> Sequence[Roadmap]:
        wanted = repository.lower()
        linked = [
            r
            for r in self._staging.view().roadmaps.values()
            if (r.repository or "").lower() == wanted and r.deleted_at is None
        ]
        linked.sort(key=lambda roadmap: (roadmap.created_at, roadmap.id))
        return private_copy(linked)

    async def find_deleted(self, roadmap_id: UUID) -> Roadmap | None:
        roadmap = self._staging.view().roadmaps.get(roadmap_id)
        return None if roadmap is None or roadmap.deleted_at is None else private_copy(roadmap)

    async def list_deleted_for_user(self, user_id: UUID) -> Sequence[Roadmap]:
        deleted = [
            r for r in self._staging.view().roadmaps.values() if r.user_id == user_id and r.deleted_at is not None
        ]
        deleted.sort(key=lambda roadmap: (roadmap.deleted_at, roadmap.id), reverse=True)
        return private_copy(deleted)

    async def purge_deleted(self, deleted_before: datetime) -> int:
        cutoff = utc(deleted_before)
        purged: list[int] = [0]

        def purge(state: MemoryState) -> None:
            expired = {key for key, r in state.roadmaps.items() if r.deleted_at is not None and r.deleted_at < cutoff}
            for key in [key for key, v in state.roadmap_versions.items() if v.roadmap_id in expired]:
                del state.roadmap_versions[key]
            for key in [key for key, e in state.progress_logs.items() if e.roadmap_id in expired]:
                del state.progress_logs[key]
            for key in expired:
                del state.roadmaps[key]
            purged[0] = len(expired)

        self._staging.apply(purge)
        return purged[0]
