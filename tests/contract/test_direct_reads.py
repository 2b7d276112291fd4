"""The reads a block that only reads sends straight to the driver on PostgreSQL (``raw.py``): the same answers
as inside a transaction on every backend, the same errors, and a connection that dies under one is replaced."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest
from sqlalchemy import text

from skillbridge.adapters.persistence.sqlalchemy import SqlaUnitOfWork, create_engine, create_session_factory
from skillbridge.domain.errors import DependencyUnavailable, NotFound
from skillbridge.domain.matching.blocks import MentorBlock
from skillbridge.domain.matching.limits import Exclusions
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.domain.roadmaps.model import Generation
from tests.contract.conftest import Store
from tests.support.entities import T0, location, make_mentor, make_mentorship, make_user
from tests.support.roadmaps import make_roadmap


async def test_one_user_and_one_roadmap_read_the_same_both_ways(store: Store) -> None:
    owner = make_mentor("Ada", skills=("python",), at=location(6.5, 3.4, "NG", "Lagos"))
    roadmap = make_roadmap(owner.id)
    roadmap = replace(
        roadmap,
        modules=(replace(roadmap.modules[0], completed=True, completed_at=T0), *roadmap.modules[1:]),
        generation=Generation("openai", "gpt-4o-mini", "v3", None),
        repository="ada/practice",
    )
    async with store.new_uow() as uow:
        await uow.users.add(owner)
        await uow.roadmaps.add(roadmap)
        await uow.commit()

    async with store.new_uow() as uow:
        in_transaction = (await uow.users.get(owner.id), await uow.roadmaps.get(roadmap.id))
    async with store.new_uow().reading() as uow:
        only_reading = (await uow.users.get(owner.id), await uow.roadmaps.get(roadmap.id))

    assert in_transaction == (owner, roadmap)  # what was stored, field by field
    assert only_reading == in_transaction
    async with store.new_uow().reading() as uow:
        with pytest.raises(NotFound):
            await uow.users.get(uuid4())
        with pytest.raises(NotFound):
            await uow.roadmaps.get(uuid4())


async def test_exclusions_read_the_same_both_ways(store: Store) -> None:
    ada, bola = make_user("Ada"), make_user("Bola")
    declining, active, blocking, completed, waiting = (make_mentor(name) for name in ("M1", "M2", "M3", "M4", "M5"))
    kept = [
        make_mentorship(ada.id, declining.id, status=MatchStatus.REJECTED, domain="python"),
        make_mentorship(ada.id, active.id, status=MatchStatus.ACTIVE, domain="sql"),
        make_mentorship(ada.id, completed.id, status=MatchStatus.COMPLETED, domain="python"),  # excludes nobody
        make_mentorship(bola.id, waiting.id, status=MatchStatus.PENDING, domain="python"),  # another learner's
    ]
    async with store.new_uow() as uow:
        for user in (ada, bola, declining, active, blocking, completed, waiting):
            await uow.users.add(user)
        for mentorship in kept:
            await uow.mentorships.add(mentorship)
        await uow.mentorships.add_block(MentorBlock(blocking.id, ada.id, T0))
        await uow.commit()

    # Written out from the rule: declined per domain; open matches and blocks in every domain.
    expected = Exclusions(
        declined={(ada.id, "python"): frozenset({declining.id})},
        barred={ada.id: frozenset({active.id, blocking.id}), bola.id: frozenset({waiting.id})},
    )
    async with store.new_uow() as uow:
        in_transaction = await uow.mentorships.exclusions([ada.id, bola.id])
    async with store.new_uow().reading() as uow:
        only_reading = await uow.mentorships.exclusions([ada.id, bola.id])
        only_ada = await uow.mentorships.exclusions([ada.id])
    assert in_transaction == expected
    assert only_reading == expected
    assert only_ada.mentors_for(ada.id, "python") == {declining.id, active.id, blocking.id}
    assert only_ada.mentors_for(bola.id, "python") == frozenset()


@pytest.mark.postgres
@pytest.mark.parametrize("store", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_a_connection_that_dies_under_a_direct_read_is_unavailable_then_replaced(store: Store) -> None:
    assert store.url is not None
    owner = make_mentor("Ada")
    async with store.new_uow() as uow:
        await uow.users.add(owner)
        await uow.commit()
    engine = create_engine(store.url)
    sessions = create_session_factory(engine)
    killer = create_engine(store.url)
    try:
        unit = SqlaUnitOfWork(sessions, keep_connection=True)
        unit.act_for_system("test:direct_reads")  # the contract tests read behind row-level security's back
        async with unit.reading() as uow:
            assert await uow.users.get(owner.id) == owner  # positive control: the connection works
            async with killer.connect() as other:
                pid = await uow.session.scalar(text("SELECT pg_backend_pid()"))
                await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            with pytest.raises(DependencyUnavailable):
                await uow.users.get(owner.id)
        await unit.release()

        replacement = SqlaUnitOfWork(sessions)
        replacement.act_for_system("test:direct_reads")
        async with replacement.reading() as uow:  # the pool hands out a live connection
            assert await uow.users.get(owner.id) == owner
    finally:
        await engine.dispose()
        await killer.dispose()
