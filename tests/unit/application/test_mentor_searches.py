"""SearchMentors with its per-process answers (MentorSearches): a repeated search inside the ttl is not read
again, a write committed through the process is seen at once, another process's write within the ttl."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from skillbridge.adapters.persistence.memory import MemoryDatabase, MemoryUnitOfWork
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.accounts.mentors import MentorSearches, SearchMentors
from skillbridge.domain.accounts.location_privacy import LocationPrivacy
from skillbridge.domain.accounts.mentor_search import MentorQuery
from skillbridge.domain.accounts.user import User
from skillbridge.domain.pagination import PageRequest
from tests.support.entities import T0, make_mentor

TTL = timedelta(seconds=2)
PYTHON = MentorQuery(skills=("python",))
PRIVACY = LocationPrivacy.from_secret("s" * 64)


class Process:
    """One API process: its own kept answers, its units of work forgetting them on commit."""

    def __init__(self, database: MemoryDatabase, clock: MutableClock, ttl: timedelta = TTL) -> None:
        self.database = database
        self.searches = MentorSearches(clock, ttl)

    def unit(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self.database, on_commit=self.searches.forget_all)

    async def search(self, query: MentorQuery = PYTHON) -> list[str]:
        page = await SearchMentors(self.unit(), PRIVACY, self.searches)(query)
        return [card.mentor.profile.display_name or "" for card in page.items]

    async def add(self, mentor: User) -> None:
        async with self.unit() as uow:
            await uow.users.add(mentor)
            await uow.commit()

    async def rename(self, mentor: User, name: str) -> User:
        async with self.unit() as uow:
            stored = await uow.users.get(mentor.id)
            assert stored is not None
            changed = await uow.users.update(replace(stored, profile=replace(stored.profile, display_name=name)))
            await uow.commit()
        return changed


async def test_another_processs_write_shows_once_the_kept_answer_is_older_than_the_ttl() -> None:
    database, clock = MemoryDatabase(), MutableClock(T0)
    here, there = Process(database, clock), Process(database, clock)
    ada = make_mentor("Ada", skills=("python",), created_at=T0)
    await here.add(ada)
    assert await here.search() == ["Ada"]

    await there.add(make_mentor("Bola", skills=("python",), created_at=T0 + timedelta(seconds=1)))
    assert await there.search() == ["Ada", "Bola"]  # positive control: the write is there
    clock.advance(TTL - timedelta(milliseconds=1))
    assert await here.search() == ["Ada"]  # kept: this process did not write
    clock.advance(timedelta(milliseconds=1))
    assert await here.search() == ["Ada", "Bola"]


async def test_a_write_committed_through_the_process_is_seen_on_its_next_search_at_once() -> None:
    database, clock = MemoryDatabase(), MutableClock(T0)
    here = Process(database, clock)
    ada = await _added(here, make_mentor("Ada", skills=("python",)))
    assert await here.search() == ["Ada"]
    await here.rename(ada, "Ada L.")
    assert await here.search() == ["Ada L."]  # the clock has not moved


async def test_a_write_that_is_not_committed_forgets_nothing() -> None:
    database, clock = MemoryDatabase(), MutableClock(T0)
    here, there = Process(database, clock), Process(database, clock)
    await _added(here, make_mentor("Ada", skills=("python",)))
    assert await here.search() == ["Ada"]
    await there.add(make_mentor("Bola", skills=("python",), created_at=T0 + timedelta(seconds=1)))
    async with here.unit() as uow:  # written, then rolled back
        await uow.users.add(make_mentor("Chen", skills=("python",)))
    assert await here.search() == ["Ada"]  # still the kept answer: Bola (another process) is not shown yet


async def test_each_query_is_its_own_key_and_a_zero_ttl_keeps_nothing() -> None:
    database, clock = MemoryDatabase(), MutableClock(T0)
    here, there = Process(database, clock), Process(database, clock, ttl=timedelta(0))
    await here.add(make_mentor("Ada", skills=("python",)))
    await here.add(make_mentor("Bola", skills=("go",), created_at=T0 + timedelta(seconds=1)))
    assert await here.search(PYTHON) == ["Ada"]
    assert await here.search(MentorQuery(skills=("go",))) == ["Bola"]
    assert await here.search(MentorQuery(page=PageRequest(limit=1, offset=1))) == ["Bola"]

    await here.add(make_mentor("Chen", skills=("python",), created_at=T0 + timedelta(seconds=2)))
    # ``there`` (ttl 0) never keeps an answer, so another process's write shows at once.
    assert await there.search(PYTHON) == ["Ada", "Chen"]
    await Process(database, clock).add(make_mentor("Dayo", skills=("python",), created_at=T0 + timedelta(seconds=3)))
    assert await there.search(PYTHON) == ["Ada", "Chen", "Dayo"]


async def _added(process: Process, mentor: User) -> User:
    await process.add(mentor)
    return mentor
