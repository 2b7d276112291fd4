"""MemoryKeyValueStore internals the contract suite cannot see: bounded memory, and agreement with a model."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from skillbridge.adapters.keyvalue.memory import MemoryKeyValueStore


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_expired_keys_are_purged_by_later_calls_without_reading_them() -> None:
    clock = FakeMonotonic()
    store = MemoryKeyValueStore(clock=clock)
    for n in range(5000):
        await store.put(f"k{n}", "v", 10)
    clock.now += 11

    for _ in range(5000 // 64 + 1):
        await store.get("unrelated")

    assert len(store) == 0


async def test_purge_leaves_live_keys_alone() -> None:
    clock = FakeMonotonic()
    store = MemoryKeyValueStore(clock=clock)
    await store.put("short", "v", 1)
    await store.put("long", "v", 100)
    clock.now += 2

    await store.count("other")

    assert len(store) == 1
    assert await store.get("long") == "v"


async def test_re_put_key_is_not_purged_by_its_stale_expiry() -> None:
    clock = FakeMonotonic()
    store = MemoryKeyValueStore(clock=clock)
    await store.put("k", "old", 1)
    await store.put("k", "new", 100)
    clock.now += 2

    await store.count("other")

    assert await store.get("k") == "new"


async def test_rewriting_one_key_does_not_grow_memory_without_bound() -> None:
    store = MemoryKeyValueStore(clock=FakeMonotonic())  # time stands still: nothing ever expires
    for n in range(20_000):
        await store.put("same", str(n), 3600)

    assert len(store) == 1
    assert len(store._expiries) < 2_100
    assert await store.get("same") == "19999"


async def test_seconds_left_rounds_up() -> None:
    clock = FakeMonotonic()
    store = MemoryKeyValueStore(clock=clock)
    await store.increment("k", 10)
    clock.now += 9.5

    assert await store.seconds_left("k") == 1
    assert await store.increment("k", 10) == (2, 1)


# A tiny model of the contract: key -> (value, expires_at).
_ops = st.lists(
    st.one_of(
        st.tuples(st.just("increment"), st.sampled_from("abc"), st.integers(1, 5)),
        st.tuples(st.just("put"), st.sampled_from("abc"), st.integers(1, 5)),
        st.tuples(st.just("delete"), st.sampled_from("abc"), st.just(0)),
        st.tuples(st.just("tick"), st.just(""), st.integers(0, 3)),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(_ops)
async def test_agrees_with_a_model(ops: list[tuple[str, str, int]]) -> None:
    clock = FakeMonotonic()
    store = MemoryKeyValueStore(clock=clock)
    model: dict[str, tuple[str, float]] = {}

    def live(key: str) -> tuple[str, float] | None:
        item = model.get(key)
        return item if item is not None and item[1] > clock.now else None

    for op, key, arg in ops:
        if op == "tick":
            clock.now += arg
            continue
        if op == "increment":
            item = live(key)
            if item is None:
                model[key] = ("1", clock.now + arg)
                expected = (1, arg)
            else:
                count = int(item[0]) + 1
                model[key] = (str(count), item[1])
                expected = (count, math.ceil(item[1] - clock.now))
            assert await store.increment(key, arg) == expected
        elif op == "put":
            model[key] = ("5", clock.now + arg)
            await store.put(key, "5", arg)
        else:
            model.pop(key, None)
            await store.delete(key)
        for probe in "abc":
            item = live(probe)
            assert await store.get(probe) == (None if item is None else item[0])
            assert await store.seconds_left(probe) == (0 if item is None else math.ceil(item[1] - clock.now))
