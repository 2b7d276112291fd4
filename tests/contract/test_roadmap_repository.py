"""The roadmap repository contract (application/ports/repositories.py), held against memory, SQLite and
PostgreSQL; plus the mentorship lookup the roadmap access rule needs."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from skillbridge.domain.errors import Conflict, NotFound
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.domain.pagination import PageRequest
from skillbridge.domain.roadmaps.model import Generation
from skillbridge.domain.roadmaps.rules import progress_percent
from tests.contract.conftest import Store
from tests.support.entities import T0, make_mentor, make_mentorship, make_user
from tests.support.roadmaps import make_roadmap


async def test_added_roadmap_reads_back_equal(store: Store) -> None:
    owner = make_user()
    roadmap = make_roadmap(owner.id)
    roadmap = replace(
        roadmap,
        modules=(replace(roadmap.modules[0], completed=True, completed_at=T0), *roadmap.modules[1:]),
        generation=Generation("catalog", None, "catalog-1", None),
        repository="amara/python-practice",
    )
    roadmap = replace(roadmap, progress=progress_percent(roadmap.modules))
    async with store.new_uow() as uow:
        await uow.users.add(owner)
        await uow.roadmaps.add(roadmap)
        await uow.commit()
    async with store.new_uow() as uow:
        assert await uow.roadmaps.get(roadmap.id) == roadmap
        with pytest.raises(NotFound):
            await uow.roadmaps.get(uuid4())


async def test_a_roadmap_of_an_unknown_user_is_a_conflict(store: Store) -> None:
    async with store.new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.roadmaps.add(make_roadmap(uuid4()))


async def test_update_stores_changes_and_increments_the_version(store: Store) -> None:
    owner = make_user()
    roadmap = make_roadmap(owner.id)
    async with store.new_uow() as uow:
        await uow.users.add(owner)
        await uow.roadmaps.add(roadmap)
        await uow.commit()
    later = T0 + timedelta(hours=2)
    done = replace(roadmap.modules[1], completed=True, completed_at=later)
    changed = replace(roadmap, modules=(roadmap.modules[0], done, roadmap.modules[2]), progress=33.33, updated_at=later)
    async with store.new_uow() as uow:
        stored = await uow.roadmaps.update(changed)
        await uow.commit()
    assert stored.version == 2
    async with store.new_uow() as uow:
        assert await uow.roadmaps.get(roadmap.id) == replace(changed, version=2)


async def test_a_stale_version_is_a_conflict_and_an_unknown_roadmap_not_found(store: Store) -> None:
    owner = make_user()
    roadmap = make_roadmap(owner.id)
    async with store.new_uow() as uow:
        await uow.users.add(owner)
        await uow.roadmaps.add(roadmap)
        await uow.commit()
    async with store.new_uow() as uow:
        await uow.roadmaps.update(replace(roadmap, progress=10.0))
        await uow.commit()
    async with store.new_uow() as uow:
        with pytest.raises(Conflict) as caught:
            await uow.roadmaps.update(replace(roadmap, progress=20.0))
        assert caught.value.field == "version"
        with pytest.raises(NotFound):
            await uow.roadmaps.update(make_roadmap(owner.id))
    async with store.new_uow() as uow:
        assert (await uow.roadmaps.get(roadmap.id)).progress == 10.0


async def test_progress_and_hours_out_of_range_are_refused(store: Store) -> None:
    owner = make_user()
    async with store.new_uow() as uow:
        await uow.users.add(owner)
        await uow.commit()
    for bad in (make_roadmap(owner.id, progress=100.5), replace(make_roadmap(owner.id), hours_per_week=0)):
        async with store.new_uow() as uow:
            with pytest.raises(Conflict):
                await uow.roadmaps.add(bad)


async def test_list_for_user_is_newest_first_and_only_theirs(store: Store) -> None:
    owner, other = make_user(), make_user()
    roadmaps = [make_roadmap(owner.id, created_at=T0 + timedelta(minutes=n)) for n in range(5)]
    async with store.new_uow() as uow:
        await uow.users.add(owner)
        await uow.users.add(other)
        for roadmap in roadmaps:
            await uow.roadmaps.add(roadmap)
        await uow.roadmaps.add(make_roadmap(other.id))
        await uow.commit()
    async with store.new_uow() as uow:
        first = await uow.roadmaps.list_for_user(owner.id, PageRequest(limit=2))
        rest = await uow.roadmaps.list_for_user(owner.id, PageRequest(limit=10, offset=2))
        none = await uow.roadmaps.list_for_user(uuid4(), PageRequest())
    assert first.total == rest.total == 5
    assert [r.id for r in (*first.items, *rest.items)] == [r.id for r in reversed(roadmaps)]
    assert none.total == 0
    assert list(none.items) == []


async def test_versions_list_newest_first_and_a_version_is_written_once(store: Store) -> None:
    owner = make_user()
    roadmap = make_roadmap(owner.id)
    async with store.new_uow() as uow:
        await uow.users.add(owner)
        await uow.roadmaps.add(roadmap)
        await uow.roadmaps.add_version(roadmap.snapshot("created", owner.id))
        await uow.commit()
    async with store.new_uow() as uow:
        second = await uow.roadmaps.update(replace(roadmap, progress=50.0, updated_at=T0 + timedelta(hours=1)))
        await uow.roadmaps.add_version(second.snapshot("completed 1 module", owner.id))
        await uow.commit()
    async with store.new_uow() as uow:
        history = await uow.roadmaps.list_versions(roadmap.id, PageRequest())
        with pytest.raises(Conflict):
            await uow.roadmaps.add_version(roadmap.snapshot("again", owner.id))
    assert history.total == 2
    assert [(v.version, v.change, v.progress) for v in history.items] == [
        (2, "completed 1 module", 50.0),
        (1, "created", roadmap.progress),
    ]
    assert history.items[1].modules == roadmap.modules
    assert history.items[0].created_at == T0 + timedelta(hours=1)
    assert history.items[0].changed_by == owner.id


async def test_a_version_of_an_unknown_roadmap_is_a_conflict(store: Store) -> None:
    roadmap = make_roadmap(uuid4())
    async with store.new_uow() as uow:
        with pytest.raises(Conflict):
            await uow.roadmaps.add_version(roadmap.snapshot("created", None))


async def test_has_active_is_true_only_for_an_active_mentorship_of_that_pair_and_domain(store: Store) -> None:
    learner, other_learner = make_user(), make_user()
    active_mentor, pending_mentor, former_mentor = make_mentor("Ada"), make_mentor("Kofi"), make_mentor("Zola")
    async with store.new_uow() as uow:
        for user in (learner, other_learner, active_mentor, pending_mentor, former_mentor):
            await uow.users.add(user)
        await uow.mentorships.add(make_mentorship(learner.id, active_mentor.id, status=MatchStatus.ACTIVE, domain="a"))
        await uow.mentorships.add(
            make_mentorship(learner.id, pending_mentor.id, status=MatchStatus.PENDING, domain="b")
        )
        await uow.mentorships.add(
            make_mentorship(learner.id, former_mentor.id, status=MatchStatus.COMPLETED, domain="c")
        )
        await uow.commit()
    async with store.new_uow() as uow:
        assert await uow.mentorships.has_active(learner.id, active_mentor.id, "a")
        assert not await uow.mentorships.has_active(learner.id, active_mentor.id, "b")  # another domain
        assert not await uow.mentorships.has_active(learner.id, pending_mentor.id, "b")
        assert not await uow.mentorships.has_active(learner.id, former_mentor.id, "c")
        assert not await uow.mentorships.has_active(other_learner.id, active_mentor.id, "a")
        assert not await uow.mentorships.has_active(active_mentor.id, learner.id, "a")
