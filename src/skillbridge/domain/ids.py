"""Time-ordered identifiers (UUID version 7, RFC 9562) for records whose order matters.

Rows that share a timestamp (an audit trail written within one request, say) are read back ordered by
``(at, id)``; with random ``uuid4`` ids that order among equals is arbitrary. A version 7 UUID starts with the
Unix time in milliseconds and, within one millisecond, a counter, so ids made by one process sort in the order
they were made. Python 3.11 has no ``uuid.uuid7``; this is the RFC's "method 1" (a 12-bit counter in rand_a).
"""

from __future__ import annotations

import os
import threading
import time
from uuid import UUID

_COUNTER_BITS = 12
_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7() -> UUID:
    """A new version 7 UUID, strictly greater than every one this process made before."""
    global _last_ms, _counter  # noqa: PLW0603 - the monotonic state is process-wide by design
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms, _counter = now_ms, 0
        else:
            _counter += 1
            if _counter >> _COUNTER_BITS:  # counter exhausted in this millisecond: borrow the next one
                _last_ms, _counter = _last_ms + 1, 0
        ms, counter = _last_ms, _counter
    rand_b = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | rand_b
    return UUID(int=value)
