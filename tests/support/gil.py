"""Proving that code releases the GIL, by the progress of another thread rather than by a stopwatch."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_forced_gil_switches() -> Iterator[None]:
    """With a switch interval far longer than any test, the interpreter never takes the GIL from a thread:
    another thread runs only while the holder gives it up itself (a blocking call, or native code that
    releases it). So a step another thread makes while a call runs proves the call released the GIL."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(300.0)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)
