"""Rules shared by every KeyValueStore adapter, so they agree to the second."""

from __future__ import annotations

import math


def check_ttl(ttl_seconds: int) -> None:
    """Raise ``ValueError`` unless ``ttl_seconds`` is a positive whole number (every key must expire)."""
    if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, int) or ttl_seconds < 1:
        raise ValueError(f"ttl_seconds must be a positive int, got {ttl_seconds!r}")


def whole_seconds(remaining: float) -> int:
    """Seconds left, rounded up: a key that still exists reports at least 1 (a usable Retry-After)."""
    return max(0, math.ceil(remaining))
