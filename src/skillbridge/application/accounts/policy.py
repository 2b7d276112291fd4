"""Tunable numbers of the accounts rules, filled from settings by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    """Session lifetime and login throttling.

    A failed login counts against both the account and the client address; while either is over its
    limit, logins for it are refused with a ``Retry-After`` until its window ends.
    """

    refresh_ttl: timedelta = timedelta(days=14)
    max_failures_per_account: int = 5
    max_failures_per_address: int = 20
    failure_window: timedelta = timedelta(minutes=15)
