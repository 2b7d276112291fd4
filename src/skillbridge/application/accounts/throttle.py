"""Login throttling: counts failed logins per account and per client address."""

from __future__ import annotations

import hashlib

from skillbridge.application.accounts.policy import AuthPolicy
from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.domain.errors import TooManyAttempts


def _key(kind: str, value: str) -> str:
    # Hashed so that emails and addresses never sit in the shared store in clear text.
    return f"login-failures:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


class LoginThrottle:
    """Refuses logins for an account or address that failed too often in the current window."""

    def __init__(self, store: KeyValueStore, policy: AuthPolicy) -> None:
        self._store = store
        self._policy = policy

    async def check(self, account: str, address: str) -> None:
        """Raise :class:`TooManyAttempts` if the account or the address is over its limit."""
        for key, limit in self._limits(account, address):
            if await self._store.count(key) >= limit:
                retry_after = await self._store.seconds_left(key)
                raise TooManyAttempts("too many failed logins; try again later", retry_after=retry_after)

    async def record_failure(self, account: str, address: str) -> None:
        """Count one failed login against both the account and the address."""
        window = int(self._policy.failure_window.total_seconds())
        for key, _ in self._limits(account, address):
            await self._store.increment(key, window)

    async def record_success(self, account: str) -> None:
        """Forget the account's failures (the address keeps its count: one address may try many accounts)."""
        await self._store.delete(_key("account", account))

    def _limits(self, account: str, address: str) -> tuple[tuple[str, int], ...]:
        return (
            (_key("account", account), self._policy.max_failures_per_account),
            (_key("address", address), self._policy.max_failures_per_address),
        )
