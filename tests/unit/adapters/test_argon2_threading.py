"""Argon2PasswordHasher keeps the event loop free: the CPU-heavy work runs in a worker thread."""

from __future__ import annotations

import asyncio
import threading

from argon2 import PasswordHasher as Argon2
from tests.support.gil import no_forced_gil_switches

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


class TickWitness:
    """Wraps the real argon2 hasher and notes how far the event loop's ticker got while each real hash ran."""

    def __init__(self, real: Argon2, ticks: list[int]) -> None:
        self._real = real
        self._ticks = ticks
        self.ticks_during: list[int] = []

    def hash(self, password: bytes) -> str:
        before = self._ticks[0]
        encoded = self._real.hash(password)
        self.ticks_during.append(self._ticks[0] - before)
        return encoded


async def ticks_during_hashes(hasher: Argon2PasswordHasher, attempts: int) -> list[int]:
    """The loop ticks seen during each of up to ``attempts`` hashes, stopping at the first that saw one."""
    ticks = [0]
    done = asyncio.Event()
    witness = TickWitness(hasher._hasher, ticks)
    hasher._hasher = witness  # type: ignore[assignment]

    async def ticker() -> None:
        while not done.is_set():
            ticks[0] += 1
            await asyncio.sleep(0)  # one pass of the loop, which polls its selector and so frees the GIL

    task = asyncio.create_task(ticker())
    try:
        with no_forced_gil_switches():
            for _ in range(attempts):
                await hasher.hash("one password")
                if witness.ticks_during[-1] > 0:
                    break
    finally:
        done.set()
        await task
    return witness.ticks_during


async def test_event_loop_keeps_ticking_while_production_hashes_run() -> None:
    # Had the hash run on the loop thread, or held the GIL in its thread, the ticker could not move during it.
    seen = await ticks_during_hashes(Argon2PasswordHasher(), attempts=20)
    assert seen[-1] > 0, seen


async def test_the_witness_sees_no_tick_when_the_work_blocks_the_loop() -> None:
    # The control: the same witness, with the hasher's thread hop removed, sees the loop stand still.
    hasher = Argon2PasswordHasher()

    async def on_the_loop(password: str) -> str:
        return hasher._hasher.hash(password.encode())

    hasher.hash = on_the_loop  # type: ignore[method-assign]
    assert await ticks_during_hashes(hasher, attempts=3) == [0, 0, 0]
