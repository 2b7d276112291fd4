"""The serving process's periodic expiry sweep: it runs on its interval, survives a failing run, stops."""

from __future__ import annotations

import asyncio

from dishka import AsyncContainer

from skillbridge.main import Settings, build_container
from skillbridge.main.sweeper import PeriodicSweep, sweep_once


async def test_the_sweep_runs_repeatedly_survives_failures_and_stops() -> None:
    calls: list[int] = []

    async def flaky(_container: AsyncContainer) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database blinked")
        return 2

    container = build_container(Settings(database_url="memory://"))
    sweep = PeriodicSweep(container, 0.01, run=flaky)
    await sweep.start()
    await sweep.start()  # idempotent: still one loop
    for _ in range(200):
        if sweep.runs >= 3:
            break
        await asyncio.sleep(0.01)
    await sweep.stop()
    runs = sweep.runs
    await asyncio.sleep(0.05)

    assert runs >= 3
    assert sweep.runs == runs  # stopped: no more runs
    await sweep.stop()  # stopping twice is harmless
    await container.close()


async def test_an_interval_of_zero_turns_the_sweep_off() -> None:
    container = build_container(Settings(database_url="memory://"))
    sweep = PeriodicSweep(container, 0)
    await sweep.start()
    await asyncio.sleep(0.02)
    await sweep.stop()
    await container.close()
    assert sweep.runs == 0


async def test_one_sweep_on_an_empty_database_expires_nothing() -> None:
    container = build_container(Settings(database_url="memory://"))
    try:
        assert await sweep_once(container) == 0
    finally:
        await container.close()
