"""Chat messages held to one contract on memory, SQLite and PostgreSQL: foreign keys and cursor paging."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from skillbridge.domain.chat.message import ChatCursor, ChatMessage
from skillbridge.domain.errors import Conflict
from skillbridge.domain.matching.mentorship import MatchStatus
from tests.contract.conftest import Store
from tests.support.entities import T0, make_mentor, make_mentorship, make_user


async def test_a_conversation_pages_newest_first_by_cursor(store: Store) -> None:
    learner, mentor = make_user(), make_mentor("Talker")
    match = make_mentorship(learner.id, mentor.id, status=MatchStatus.ACTIVE)
    other = make_mentorship(make_user().id, mentor.id, status=MatchStatus.ACTIVE)
    # Three share an instant: the id (time-ordered) keeps their order.
    times = [T0, T0 + timedelta(seconds=1), T0 + timedelta(seconds=1), T0 + timedelta(seconds=1), T0 + timedelta(1)]
    messages = [ChatMessage(match.id, learner.id if i % 2 else mentor.id, f"m{i}", at) for i, at in enumerate(times)]
    async with store.new_uow() as uow:
        await uow.users.add(learner)
        await uow.users.add(mentor)
        await uow.users.add(make_user(id=other.learner_id))
        await uow.mentorships.add(match)
        await uow.mentorships.add(other)
        for message in messages:
            await uow.chat.add(message)
        await uow.chat.add(ChatMessage(other.id, mentor.id, "elsewhere", T0))
        await uow.commit()

    pages: list[list[str]] = []
    cursor = None
    async with store.new_uow() as uow:
        while True:
            page = list(await uow.chat.list_for_match(match.id, 2, cursor))
            if not page:
                break
            pages.append([m.content for m in page])
            cursor = ChatCursor.after(page[-1])
    assert pages == [["m4", "m3"], ["m2", "m1"], ["m0"]]
    async with store.new_uow() as uow:
        first = (await uow.chat.list_for_match(match.id, 1))[0]
    assert first == messages[4]


async def test_a_message_needs_its_match_and_sender(store: Store) -> None:
    learner, mentor = make_user(), make_mentor("Strict")
    match = make_mentorship(learner.id, mentor.id, status=MatchStatus.ACTIVE)
    async with store.new_uow() as uow:
        await uow.users.add(learner)
        await uow.users.add(mentor)
        await uow.mentorships.add(match)
        await uow.commit()
    for message in (ChatMessage(uuid4(), learner.id, "x", T0), ChatMessage(match.id, uuid4(), "x", T0)):
        async with store.new_uow() as uow:
            with pytest.raises(Conflict):
                await uow.chat.add(message)  # foreign keys are checked at the write
