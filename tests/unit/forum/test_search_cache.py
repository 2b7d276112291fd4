"""ThreadSearches: a search's answer is read at most once per ttl in a process, shared by the searches that
miss it together, never kept when it failed or when the forum changed while it was read."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import uuid4

import pytest

from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.forum.search_cache import ThreadSearches
from skillbridge.domain.forum.model import ThreadQuery, ThreadSummary
from skillbridge.domain.pagination import Page, PageRequest
from tests.support.entities import T0

TTL = timedelta(seconds=2)
PYTHON = ThreadQuery(text="python")


class Reads:
    """A stand-in for the database read: counts the reads and answers each with a page of its own."""

    def __init__(self) -> None:
        self.count = 0
        self.gate: asyncio.Event | None = None
        self.failure: Exception | None = None

    async def __call__(self) -> Page[ThreadSummary]:
        self.count += 1
        number = self.count
        if self.gate is not None:
            await self.gate.wait()
        if self.failure is not None:
            raise self.failure
        return Page(items=[], total=number, limit=20, offset=0)  # total: which read answered


def _searches(clock: MutableClock, ttl: timedelta = TTL, **kwargs: int) -> ThreadSearches:
    return ThreadSearches(clock, ttl, **kwargs)


async def test_an_answer_is_read_once_within_the_ttl_and_again_after_it() -> None:
    clock, reads = MutableClock(T0), Reads()
    searches = _searches(clock)
    assert (await searches.answer(PYTHON, reads)).total == 1
    clock.advance(TTL - timedelta(milliseconds=1))
    assert (await searches.answer(PYTHON, reads)).total == 1
    assert reads.count == 1
    clock.advance(timedelta(milliseconds=1))  # the ttl is up
    assert (await searches.answer(PYTHON, reads)).total == 2
    assert reads.count == 2


@pytest.mark.parametrize(
    "other",
    [
        ThreadQuery(text="rust"),
        ThreadQuery(text="python", category="python"),
        ThreadQuery(text="python", page=PageRequest(limit=20, offset=20)),
        ThreadQuery(text="python", page=PageRequest(limit=5)),
    ],
)
async def test_each_text_category_and_page_has_its_own_answer(other: ThreadQuery) -> None:
    clock, reads = MutableClock(T0), Reads()
    searches = _searches(clock)
    await searches.answer(PYTHON, reads)
    assert (await searches.answer(other, reads)).total == 2
    assert (await searches.answer(PYTHON, reads)).total == 1  # positive control: the first is still kept


async def test_a_zero_ttl_reads_every_time() -> None:
    clock, reads = MutableClock(T0), Reads()
    searches = _searches(clock, timedelta(0))
    assert [(await searches.answer(PYTHON, reads)).total for _ in range(3)] == [1, 2, 3]


async def test_forget_all_makes_the_next_search_read() -> None:
    clock, reads = MutableClock(T0), Reads()
    searches = _searches(clock)
    await searches.answer(PYTHON, reads)
    searches.forget_all()
    assert (await searches.answer(PYTHON, reads)).total == 2


async def test_searches_that_miss_together_share_one_read() -> None:
    clock, reads = MutableClock(T0), Reads()
    reads.gate = asyncio.Event()
    searches = _searches(clock)
    waiting = [asyncio.create_task(searches.answer(PYTHON, reads)) for _ in range(5)]
    await asyncio.sleep(0)
    reads.gate.set()
    assert [page.total for page in await asyncio.gather(*waiting)] == [1] * 5
    assert reads.count == 1


async def test_a_waiter_cancelled_leaves_the_read_to_the_others() -> None:
    clock, reads = MutableClock(T0), Reads()
    reads.gate = asyncio.Event()
    searches = _searches(clock)
    first = asyncio.create_task(searches.answer(PYTHON, reads))
    second = asyncio.create_task(searches.answer(PYTHON, reads))
    await asyncio.sleep(0)
    second.cancel()
    reads.gate.set()
    assert (await first).total == 1
    with pytest.raises(asyncio.CancelledError):
        await second
    assert (await searches.answer(PYTHON, reads)).total == 1  # kept
    assert reads.count == 1


async def test_a_failed_read_reaches_every_waiter_and_is_not_kept() -> None:
    clock, reads = MutableClock(T0), Reads()
    reads.gate, reads.failure = asyncio.Event(), ConnectionError("database away")
    searches = _searches(clock)
    waiting = [asyncio.create_task(searches.answer(PYTHON, reads)) for _ in range(3)]
    await asyncio.sleep(0)
    reads.gate.set()
    outcomes = await asyncio.gather(*waiting, return_exceptions=True)
    assert [type(outcome) for outcome in outcomes] == [ConnectionError] * 3
    reads.gate, reads.failure = None, None
    assert (await searches.answer(PYTHON, reads)).total == 2


async def test_a_read_begun_before_a_change_is_neither_joined_nor_kept() -> None:
    clock, reads = MutableClock(T0), Reads()
    reads.gate = asyncio.Event()
    searches = _searches(clock)
    before = asyncio.create_task(searches.answer(PYTHON, reads))
    await asyncio.sleep(0)
    searches.forget_all()  # a post was stored meanwhile
    after = asyncio.create_task(searches.answer(PYTHON, reads))
    await asyncio.sleep(0)
    reads.gate.set()
    assert ((await before).total, (await after).total) == (1, 2)
    reads.gate = None
    assert (await searches.answer(PYTHON, reads)).total == 2  # the read made after the change is the one kept
    assert reads.count == 2


async def test_the_least_recently_used_answer_goes_first_past_the_limit() -> None:
    clock, reads = MutableClock(T0), Reads()
    searches = _searches(clock, max_entries=2)
    queries = [ThreadQuery(text=f"word{n}-{uuid4().hex[:4]}") for n in range(3)]
    await searches.answer(queries[0], reads)  # read 1
    await searches.answer(queries[1], reads)  # read 2
    await searches.answer(queries[0], reads)  # kept; now the most recently used
    await searches.answer(queries[2], reads)  # read 3: queries[1] goes
    assert (await searches.answer(queries[0], reads)).total == 1
    assert (await searches.answer(queries[2], reads)).total == 3
    assert (await searches.answer(queries[1], reads)).total == 4
