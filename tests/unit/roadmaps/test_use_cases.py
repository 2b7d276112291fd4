"""Roadmap use cases on the in-memory adapters: creation, reading, changes, history and the access rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

import pytest

from skillbridge.adapters.ai.catalog_generator import CatalogRoadmapGenerator
from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.roadmaps.creation import CreateRoadmap
from skillbridge.application.roadmaps.domains import ListDomains
from skillbridge.application.roadmaps.editing import UpdateRoadmap
from skillbridge.application.roadmaps.reading import GetRoadmap, ListMyRoadmaps, ListRoadmapVersions
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.badges.rules import default_rules
from skillbridge.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.domain.pagination import PageRequest
from skillbridge.domain.roadmaps.changes import RoadmapChanges
from skillbridge.domain.roadmaps.request import RoadmapRequest
from tests.support.entities import make_mentor, make_mentorship, make_user

CATALOG = CatalogRoadmapGenerator()


@dataclass
class World:
    db: MemoryDatabase
    clock: MutableClock

    def uow(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.db)

    async def person(self, role: Role = Role.LEARNER) -> Principal:
        user = make_mentor(f"m{uuid4().hex[:8]}") if role is Role.MENTOR else make_user()
        async with self.uow() as uow:
            await uow.users.add(user)
            await uow.commit()
        return Principal(user.id, role, email_verified=True)

    async def match(
        self, learner: Principal, mentor: Principal, status: MatchStatus, domain: str | None = None
    ) -> None:
        async with self.uow() as uow:
            mentorship = make_mentorship(learner.user_id, mentor.user_id, status=status, domain=domain or status)
            await uow.mentorships.add(mentorship)
            await uow.commit()


def _updater(world: World) -> UpdateRoadmap:
    return UpdateRoadmap(world.uow(), world.clock, default_rules(), Notifier(world.clock))


@pytest.fixture
def world() -> World:
    return World(MemoryDatabase(), MutableClock())


async def test_create_stores_the_roadmap_and_its_first_version(world: World) -> None:
    learner = await world.person()
    roadmap = await CreateRoadmap(world.uow(), CATALOG, world.clock)(
        learner, RoadmapRequest.create("sql", "intermediate", 4)
    )
    assert roadmap.user_id == learner.user_id
    assert roadmap.version == 1
    assert await GetRoadmap(world.uow())(learner, roadmap.id) == roadmap
    history = await ListRoadmapVersions(world.uow())(learner, roadmap.id, PageRequest())
    assert [(v.version, v.change, v.changed_by) for v in history.items] == [(1, "created", learner.user_id)]


async def test_unknown_domains_are_refused_before_anything_is_stored(world: World) -> None:
    learner = await world.person()
    with pytest.raises(InvalidInput):
        await CreateRoadmap(world.uow(), CATALOG, world.clock)(
            learner, RoadmapRequest.create("astrology", "beginner", 4)
        )
    assert (await ListMyRoadmaps(world.uow())(learner, PageRequest())).total == 0


async def test_update_recomputes_progress_versions_and_refuses_stale_versions(world: World) -> None:
    learner = await world.person()
    roadmap = await CreateRoadmap(world.uow(), CATALOG, world.clock)(
        learner, RoadmapRequest.create("sql", "advanced", 4)
    )
    world.clock.advance(timedelta(hours=1))
    update = UpdateRoadmap(world.uow(), world.clock, default_rules(), Notifier(world.clock))
    changed = await update(learner, roadmap.id, RoadmapChanges(completed={"m1": True}), expected_version=1)
    assert changed.version == 2
    assert 0 < changed.progress < 100
    with pytest.raises(Conflict):
        await UpdateRoadmap(world.uow(), world.clock, default_rules(), Notifier(world.clock))(
            learner, roadmap.id, RoadmapChanges(completed={"m2": True}), 1
        )
    history = await ListRoadmapVersions(world.uow())(learner, roadmap.id, PageRequest())
    assert [v.version for v in history.items] == [2, 1]
    assert history.items[0].created_at == world.clock.now()


async def test_access_rules(world: World) -> None:
    owner = await world.person()
    other = await world.person()
    admin = Principal((await world.person()).user_id, Role.ADMIN)
    active, pending = await world.person(Role.MENTOR), await world.person(Role.MENTOR)
    await world.match(owner, active, MatchStatus.ACTIVE, domain="python")
    await world.match(owner, pending, MatchStatus.PENDING)
    roadmap = await CreateRoadmap(world.uow(), CATALOG, world.clock)(
        owner, RoadmapRequest.create("python", "beginner", 4)
    )
    elsewhere = await CreateRoadmap(world.uow(), CATALOG, world.clock)(
        owner, RoadmapRequest.create("sql", "beginner", 4)
    )
    with pytest.raises(NotFound):  # a roadmap outside the mentorship's domain
        await GetRoadmap(world.uow())(active, elsewhere.id)
    change = RoadmapChanges(completed={"m1": True})
    for outsider in (other, pending, admin):
        with pytest.raises(NotFound):
            await GetRoadmap(world.uow())(outsider, roadmap.id)
        with pytest.raises(NotFound):
            await ListRoadmapVersions(world.uow())(outsider, roadmap.id, PageRequest())
        with pytest.raises(NotFound):
            await UpdateRoadmap(world.uow(), world.clock, default_rules(), Notifier(world.clock))(
                outsider, roadmap.id, change
            )
    assert (await GetRoadmap(world.uow())(active, roadmap.id)).id == roadmap.id
    with pytest.raises(Forbidden):
        await UpdateRoadmap(world.uow(), world.clock, default_rules(), Notifier(world.clock))(
            active, roadmap.id, change
        )


async def test_list_domains_is_sorted_by_slug() -> None:
    domains = await ListDomains(CATALOG)()
    assert [d.slug for d in domains] == sorted(d.slug for d in domains)
