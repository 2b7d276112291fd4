"""Argon2PasswordHasher keeps the event loop free: the CPU-heavy work runs in a worker thread."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time

from skillbridge.adapters.security.argon2_hasher import Argon2PasswordHasher


class ThreadRecordingArgon2:
    """Stands in for argon2's hasher and records which thread each call ran on."""

    def __init__(self) -> None:
        self.threads: list[int] = []

    def hash(self, password: bytes) -> str:
        self.threads.append(threading.get_ident())
        return "$argon2id$fake"

    def verify(self, password_hash: str, password: bytes) -> bool:
        self.threads.append(threading.get_ident())
        return True


async def test_hash_and_verify_run_off_the_event_loop_thread() -> None:
    hasher = Argon2PasswordHasher(time_cost=1, memory_cost_kib=64, allow_weak_for_tests=True)
    spy = ThreadRecordingArgon2()
    hasher._hasher = spy  # type: ignore[assignment]

    await hasher.hash("password")
    await hasher.verify("$argon2id$fake", "password")

    loop_thread = threading.get_ident()
    assert len(spy.threads) == 2
    assert loop_thread not in spy.threads


async def test_event_loop_keeps_ticking_while_production_hashes_run() -> None:
    hasher = Argon2PasswordHasher()
    ticks: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.001)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    started = time.perf_counter()
    await asyncio.gather(hasher.hash("one password"), hasher.verify("$argon2id$bad", "x"), hasher.hash("two"))
    finished = time.perf_counter()
    done.set()
    await task

    # Had the hashes run on the loop thread, the ticker would have stalled for about the whole duration.
    moments = [started, *(t for t in ticks if started <= t <= finished), finished]
    longest_stall = max(b - a for a, b in itertools.pairwise(moments))
    assert longest_stall < (finished - started) / 2
