"""A periodic job inside the serving process: the expiry sweep of unanswered match requests.

Until the background job queue takes scheduled jobs over, the API process runs the sweep itself every
``SKILLBRIDGE_MATCH_EXPIRY_SWEEP_SECONDS`` (0 turns it off). Several processes may sweep at once: the
sweep handles each match in its own transaction and optimistic locking lets one of them win.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog
from dishka import AsyncContainer

from skillbridge.application.matching.expiry import ExpireUnansweredMatches

_log = structlog.get_logger(__name__)


async def sweep_once(container: AsyncContainer) -> int:
    """Run one expiry sweep in its own request scope; return how many requests expired."""
    async with container() as scope:
        sweep = await scope.get(ExpireUnansweredMatches)
        return await sweep()


class PeriodicSweep:
    """Runs :func:`sweep_once` every ``interval_seconds`` from :meth:`start` until :meth:`stop`."""

    def __init__(
        self,
        container: AsyncContainer,
        interval_seconds: float,
        run: Callable[[AsyncContainer], Awaitable[int]] = sweep_once,
    ) -> None:
        self._container = container
        self._interval = interval_seconds
        self._run = run
        self._task: asyncio.Task[None] | None = None
        #: Completed sweeps, failed ones included (for tests and metrics).
        self.runs = 0

    async def start(self) -> None:
        if self._interval > 0 and self._task is None:
            self._task = asyncio.create_task(self._loop(), name="match-expiry-sweep")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                expired = await self._run(self._container)
                if expired:
                    _log.info("match_requests_expired", count=expired)
            except Exception:  # a failed sweep must not end the loop; the next one retries
                _log.exception("match_expiry_sweep_failed")
            self.runs += 1
