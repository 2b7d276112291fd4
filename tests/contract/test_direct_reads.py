"""The reads a block that only reads sends straight to the driver on PostgreSQL (``raw.py``): the same answers
as inside a transaction on every backend, the same errors, and a connection that dies under one is replaced."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text

from skillbridge.adapters.persistence.sqlalchemy import SqlaUnitOfWork, create_engine, create_session_factory
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.profile import Profile
from skillbridge.domain.errors import DependencyUnavailable, NotFound
from skillbridge.domain.forum.model import ForumPost
from skillbridge.domain.matching.blocks import MentorBlock
from skillbridge.domain.matching.limits import Exclusions
from skillbridge.domain.matching.mentorship import MatchStatus, Mentorship
from skillbridge.domain.notifications.model import Notification, NotificationType
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.progress.events import EventType, ProgressEvent
from skillbridge.domain.roadmaps.model import Generation, RoadmapVersion
from skillbridge.domain.texts import Text
from tests.contract.conftest import Store
from tests.support.entities import T0, location, make_mentor, make_mentorship, make_user
from tests.support.forum import make_reply, make_thread
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


async def test_versions_and_the_progress_report_read_the_same_both_ways(store: Store) -> None:
    owner, other = make_user("Ada"), make_user("Bola")
    roadmap, theirs = make_roadmap(owner.id), make_roadmap(other.id)
    versions = [roadmap.snapshot("created", owner.id)]
    for number in (2, 3):  # each a later version, as completing a module makes
        versions.append(replace(roadmap, version=number).snapshot(f"step {number}", owner.id))
    events = [
        ProgressEvent(
            user_id=owner.id,
            roadmap_id=roadmap.id,
            event_type=EventType.COMMIT,
            details={"n": hours, "nested": {"files": ["x.py"]}},
            occurred_at=T0 + timedelta(hours=hours),
            created_at=T0 + timedelta(days=1),
            external_id=f"sha{hours}",
        )
        for hours in (5, 1, 3)
    ]
    async with store.new_uow() as uow:
        for user in (owner, other):
            await uow.users.add(user)
        for each in (roadmap, theirs):
            await uow.roadmaps.add(each)
        for version in [*versions, theirs.snapshot("created", other.id)]:
            await uow.roadmaps.add_version(version)
        for event in [*events, replace(events[0], id=uuid4(), roadmap_id=theirs.id, user_id=other.id)]:
            await uow.progress_logs.add(event)
        await uow.commit()

    pages = [PageRequest(limit=2, offset=0), PageRequest(limit=2, offset=2), PageRequest(limit=2, offset=9)]

    async def read_all(uow: UnitOfWork) -> tuple[list[Page[RoadmapVersion]], list[Page[ProgressEvent]], list[object]]:
        history = [await uow.roadmaps.list_versions(roadmap.id, page) for page in pages]
        timeline = [await uow.progress_logs.list_for_roadmap(roadmap.id, page) for page in pages]
        return history, timeline, sorted(await uow.progress_logs.occurrence_times(roadmap.id))

    async with store.new_uow() as uow:
        in_transaction = await read_all(uow)
    async with store.new_uow().reading() as uow:
        only_reading = await read_all(uow)
    # Written out from the rule: newest first, 3 of each in all, the page past the end empty but counted.
    history, timeline, moments = in_transaction
    assert [[v.version for v in page.items] for page in history] == [[3, 2], [1], []]
    assert [[e.details["n"] for e in page.items] for page in timeline] == [[5, 3], [1], []]
    assert {page.total for page in (*history, *timeline)} == {3}
    assert history[0].items[0] == versions[2] and timeline[0].items[0] == events[0]  # field by field
    assert moments == sorted(T0 + timedelta(hours=h) for h in (5, 1, 3))
    assert only_reading == in_transaction


async def test_a_thread_page_reads_the_same_both_ways(store: Store) -> None:
    ada, bola, unnamed = (make_user(profile=Profile(display_name=name)) for name in ("Ada", "Bola", None))
    thread = make_thread(ada.id)
    first = make_reply(bola.id, thread, minutes=1)
    nested = make_reply(unnamed.id, first, minutes=2)
    last = make_reply(ada.id, thread, minutes=3)
    elsewhere = make_thread(bola.id, title="Another thread")
    async with store.new_uow() as uow:
        for user in (ada, bola, unnamed):
            await uow.users.add(user)
        for post in (thread, first, nested, last, elsewhere, make_reply(ada.id, elsewhere)):
            await uow.forum_posts.add(post)
        await uow.commit()

    pages = [PageRequest(limit=2, offset=0), PageRequest(limit=2, offset=2), PageRequest(limit=2, offset=9)]

    async def read_all(uow: UnitOfWork) -> tuple[object, list[Page[ForumPost]], dict[UUID, str | None]]:
        post = await uow.forum_posts.get(thread.id)
        replies = [await uow.forum_posts.list_replies(post, page) for page in pages]
        return post, replies, await uow.forum_posts.author_names([ada.id, bola.id, unnamed.id, uuid4()])

    async with store.new_uow() as uow:
        in_transaction = await read_all(uow)
    async with store.new_uow().reading() as uow:
        only_reading = await read_all(uow)
        with pytest.raises(NotFound):
            await uow.forum_posts.get(uuid4())
    # Written out from the rule: the replies of the thread oldest first, 3 in all; every author's public name.
    post, replies, names = in_transaction
    assert post == thread
    assert [[reply.id for reply in page.items] for page in replies] == [[first.id, nested.id], [last.id], []]
    assert {page.total for page in replies} == {3}
    assert names == {ada.id: "Ada", bola.id: "Bola", unnamed.id: None}
    assert only_reading == in_transaction


async def test_the_inbox_reads_the_same_both_ways(store: Store) -> None:
    owner, other = make_user("Ada"), make_user("Bola")
    made = [
        Notification(
            recipient_id=owner.id,
            type=NotificationType.MATCH,
            message=f"number {n}",
            created_at=T0 + timedelta(minutes=n),
            payload={"n": n, "nested": {"ids": [str(owner.id)]}},
            text=Text("a match for {name}", {"name": f"Ada {n}"}) if n % 2 else None,
        )
        for n in range(5)
    ]
    async with store.new_uow() as uow:
        for user in (owner, other):
            await uow.users.add(user)
        await uow.notifications.add_many(
            [*made, replace(made[0], id=uuid4(), recipient_id=other.id)]  # someone else's: never in the inbox
        )
        await uow.commit()
    async with store.new_uow() as uow:
        await uow.notifications.mark_read(made[3].id, owner.id, T0 + timedelta(hours=1))
        await uow.notifications.delete(made[4].id, owner.id, T0 + timedelta(hours=1))
        await uow.commit()

    pages = [PageRequest(limit=2, offset=0), PageRequest(limit=2, offset=2), PageRequest(limit=2, offset=9)]

    async def read_all(uow: UnitOfWork) -> tuple[list[Page[Notification]], list[Page[Notification]], int]:
        every = [await uow.notifications.list_for_user(owner.id, page) for page in pages]
        unread = [await uow.notifications.list_for_user(owner.id, page, unread_only=True) for page in pages]
        return every, unread, await uow.notifications.count_unread(owner.id)

    async with store.new_uow() as uow:
        in_transaction = await read_all(uow)
    async with store.new_uow().reading() as uow:
        only_reading = await read_all(uow)
    # Written out from the rule: newest first, the deleted one (4) nowhere, the read one (3) not unread.
    every, unread, count = in_transaction
    assert [[n.message for n in page.items] for page in every] == [
        ["number 3", "number 2"],
        ["number 1", "number 0"],
        [],
    ]
    assert [[n.message for n in page.items] for page in unread] == [["number 2", "number 1"], ["number 0"], []]
    assert ({page.total for page in every}, {page.total for page in unread}, count) == ({4}, {3}, 3)
    assert every[1].items[0] == made[1]  # field by field, its text and nested payload included
    assert only_reading == in_transaction


async def test_a_participants_matches_read_the_same_both_ways(store: Store) -> None:
    learner, stranger = make_user("Ada"), make_user("Bola")
    mentors = [make_mentor(f"M{n}") for n in range(4)]
    statuses = [MatchStatus.PENDING, MatchStatus.ACTIVE, MatchStatus.REJECTED, MatchStatus.COMPLETED]
    matches = [
        make_mentorship(
            learner.id,
            mentors[n].id,
            status=status,
            created_at=T0 + timedelta(minutes=n),
            score=0.5 + n / 10,
            score_components={"skill": 0.5, "distance": n / 10},
        )
        for n, status in enumerate(statuses)
    ]
    theirs = make_mentorship(stranger.id, mentors[1].id, status=MatchStatus.ACTIVE, created_at=T0 + timedelta(hours=1))
    async with store.new_uow() as uow:
        for user in (learner, stranger, *mentors):
            await uow.users.add(user)
        for match in [*matches, theirs]:
            await uow.mentorships.add(match)
        await uow.commit()

    pages = [PageRequest(limit=2, offset=0), PageRequest(limit=2, offset=2), PageRequest(limit=2, offset=9)]
    open_or_done = frozenset({MatchStatus.ACTIVE, MatchStatus.COMPLETED})

    async def read_all(uow: UnitOfWork) -> list[Page[Mentorship]]:
        return [
            *[await uow.mentorships.list_for_participant(learner.id, page) for page in pages],
            *[await uow.mentorships.list_for_participant(learner.id, page, open_or_done) for page in pages],
            await uow.mentorships.list_for_participant(mentors[1].id, PageRequest(limit=10, offset=0)),
        ]

    async with store.new_uow() as uow:
        in_transaction = await read_all(uow)
    async with store.new_uow().reading() as uow:
        only_reading = await read_all(uow)
    # Written out from the rule: newest first; the learner's 4 (2 of them active or completed); mentor 1's 2.
    assert [[match.id for match in page.items] for page in in_transaction] == [
        [matches[3].id, matches[2].id],
        [matches[1].id, matches[0].id],
        [],
        [matches[3].id, matches[1].id],
        [],
        [],
        [theirs.id, matches[1].id],
    ]
    assert [page.total for page in in_transaction] == [4, 4, 4, 2, 2, 2, 2]
    assert in_transaction[0].items[1] == matches[2]  # field by field
    assert only_reading == in_transaction
