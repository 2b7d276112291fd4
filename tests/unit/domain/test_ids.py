"""Time-ordered ids: version 7 layout, strictly increasing within a process, also within one millisecond."""

from __future__ import annotations

import time

import pytest

from skillbridge.domain import ids
from skillbridge.domain.ids import uuid7


def test_layout_is_version_7_rfc_variant_with_the_current_time() -> None:
    before = time.time_ns() // 1_000_000
    made = uuid7()
    after = time.time_ns() // 1_000_000
    assert made.version == 7
    assert made.variant == "specified in RFC 4122"
    assert before <= made.int >> 80 <= after + 1


def test_ids_made_in_a_burst_sort_in_the_order_they_were_made() -> None:
    burst = [uuid7() for _ in range(10_000)]
    assert burst == sorted(burst)
    assert len(set(burst)) == len(burst)
    assert [str(i) for i in burst] == sorted(str(i) for i in burst)  # text order too (SQLite keeps hex)


def test_an_exhausted_counter_borrows_the_next_millisecond(monkeypatch: pytest.MonkeyPatch) -> None:
    frozen_ns = time.time_ns() + 10**12  # later than anything made so far
    monkeypatch.setattr(ids.time, "time_ns", lambda: frozen_ns)
    made = [uuid7() for _ in range(4097)]  # one more than a 12-bit counter holds
    assert made == sorted(made)
    assert made[-1].int >> 80 == frozen_ns // 1_000_000 + 1
