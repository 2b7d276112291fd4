"""Graceful shutdown of an API process: SIGTERM starts a drain before the server stops.

On SIGTERM the process at once answers ``/ready`` with 503 (load balancers and the orchestrator stop sending
it new requests) and closes its live streams with a reconnect hint (clients reconnect to another process);
it keeps serving for ``drain_seconds`` (requests already routed to it still arrive), then hands the signal to
uvicorn, which stops accepting connections and lets the requests in flight finish within its graceful
shutdown timeout. A second SIGTERM skips what is left of the drain.

Only in the main thread of a server that handles SIGTERM itself (uvicorn does): in tests the app runs
without a signal handler, and :meth:`Drain.begin` is called directly.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

import structlog

_log = structlog.get_logger(__name__)

SignalHandler = Callable[[int, FrameType | None], Any]


class Drain:
    """Whether this process is draining, and an event the live streams wait on."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    @property
    def draining(self) -> bool:
        return self._event.is_set()

    def begin(self) -> None:
        """Start draining: /ready answers 503 and the live streams close with a reconnect hint."""
        if not self._event.is_set():
            _log.info("drain_started")
        self._event.set()

    async def wait(self) -> None:
        """Return once the drain has started."""
        await self._event.wait()

    def install_sigterm_handler(self, drain_seconds: float) -> bool:
        """Route SIGTERM through the drain, then to the server's own handler (whether it was installed)."""
        if threading.current_thread() is not threading.main_thread():
            return False
        stop_server = signal.getsignal(signal.SIGTERM)
        if not callable(stop_server):  # no server handler to hand the signal to: leave SIGTERM alone
            return False
        loop = asyncio.get_running_loop()
        handed_over = False

        def hand_over(signum: int) -> None:
            nonlocal handed_over
            if not handed_over:
                handed_over = True
                stop_server(signum, None)

        def on_loop(signum: int) -> None:
            if self.draining:  # a second SIGTERM: stop now
                hand_over(signum)
                return
            self.begin()
            loop.call_later(drain_seconds, hand_over, signum)

        def on_sigterm(signum: int, _frame: FrameType | None) -> None:
            loop.call_soon_threadsafe(on_loop, signum)  # safe from a signal handler; the rest runs on the loop

        signal.signal(signal.SIGTERM, on_sigterm)
        return True
