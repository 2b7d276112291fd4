"""Tunable numbers of the accounts rules, filled from settings by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    """Session lifetime and login throttling (the rules are in :mod:`~skillbridge.application.accounts.throttle`)."""

    refresh_ttl: timedelta = timedelta(days=14)
    #: A session ends this long after its login, however often it is refreshed.
    session_max_age: timedelta = timedelta(days=30)
    #: How long a rotated refresh token still gets the pair it was rotated into (two tabs at once).
    refresh_grace: timedelta = timedelta(seconds=30)
    #: Free attempts of one account from one address (see :mod:`~skillbridge.application.accounts.throttle`).
    max_failures_per_account: int = 5
    max_failures_per_address: int = 20
    failure_window: timedelta = timedelta(minutes=15)
    #: After the free attempts, the wait before the next one; it doubles with each attempt, up to the max.
    delay_base: timedelta = timedelta(seconds=2)
    delay_max: timedelta = timedelta(minutes=15)
    #: How long an address an account signed in from stays trusted for it.
    trusted_for: timedelta = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class RecoveryPolicy:
    """Password-reset mail: how long its token lives, and how many may be asked for per hour.

    Both limits are counted whether or not the address has an account, so they reveal nothing; over
    either, the request is still answered 202 and no mail goes out.
    """

    reset_token_ttl: timedelta = timedelta(minutes=30)
    resets_per_account: int = 3
    resets_per_address: int = 10
    reset_window: timedelta = timedelta(hours=1)
