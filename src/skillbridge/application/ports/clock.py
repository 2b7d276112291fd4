"""Clock port."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The current time. Tests swap in a fixed or steppable clock."""

    def now(self) -> datetime:
        """Return the current time as an aware UTC datetime."""
        ...
