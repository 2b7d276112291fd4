"""Login throttling that an attacker cannot turn against the account's owner.

Failures are counted per (account, client address) pair, so guesses from elsewhere never slow down the
owner's own sign-in. A pair gets ``max_failures_per_account`` free attempts; after them, one attempt per
delay, and the delay doubles with each attempt (``delay_base``, at most ``delay_max``). Each address also
has a ceiling across every account (``max_failures_per_address``, against password spraying), which an
address the account signed in from before (a trusted pair) does not hit: an internet café whose shared
address someone else exhausted still lets its regulars in.

Every attempt is counted *before* the password is checked, by an atomic increment, and the delayed
attempts pass one at a time through an atomic gate (SET NX): parallel guesses cannot all slip through
before the first failure is counted.
"""

from __future__ import annotations

import hashlib

from skillbridge.application.accounts.policy import AuthPolicy
from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.domain.errors import TooManyAttempts
from skillbridge.domain.texts import N_

TOO_MANY = N_("too many failed logins; try again later")


def _digest(*parts: str) -> str:
    # Hashed so that emails and addresses never sit in the shared store in clear text.
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


class LoginThrottle:
    """Admit login attempts (see the module docs); forget a pair's failures when it succeeds."""

    def __init__(self, store: KeyValueStore, policy: AuthPolicy) -> None:
        self._store = store
        self._policy = policy

    async def admit(self, account: str, address: str) -> None:
        """Count one attempt of ``account`` from ``address``; raise :class:`TooManyAttempts` when it must wait."""
        pair = _digest(account, address)
        window = int(self._policy.failure_window.total_seconds())
        if await self._store.get(f"login-trusted:{pair}") is None:
            count, seconds_left = await self._store.increment(f"login-failures:address:{_digest(address)}", window)
            if count > self._policy.max_failures_per_address:
                raise TooManyAttempts(TOO_MANY, retry_after=seconds_left)
        count, _ = await self._store.increment(f"login-failures:pair:{pair}", window)
        over = count - self._policy.max_failures_per_account
        if over <= 0:
            return
        delay = min(self._policy.delay_base.total_seconds() * 2 ** (over - 1), self._policy.delay_max.total_seconds())
        if not await self._store.put_new(f"login-gate:{pair}", "1", max(1, int(delay))):
            # A refused attempt is not one more failure: the delays grow with the guesses actually tried.
            await self._store.adjust(f"login-failures:pair:{pair}", -1, window)
            raise TooManyAttempts(TOO_MANY, retry_after=await self._store.seconds_left(f"login-gate:{pair}"))

    async def succeeded(self, account: str, address: str) -> None:
        """The pair signed in: forget its failures, give the address its attempt back, and trust the pair."""
        pair = _digest(account, address)
        window = int(self._policy.failure_window.total_seconds())
        await self._store.delete(f"login-failures:pair:{pair}")
        await self._store.delete(f"login-gate:{pair}")
        await self._store.adjust(f"login-failures:address:{_digest(address)}", -1, window)
        if (trusted_seconds := int(self._policy.trusted_for.total_seconds())) > 0:
            await self._store.put(f"login-trusted:{pair}", "1", trusted_seconds)
