"""The hash a login checks a password against when there is no account to check it against.

A login for an unknown address must cost what a wrong password costs: one verification. The decoy is a
hash made once per process (with the current parameters, so its verification costs the same as a real
one), not once per request: making it costs a hash on top of the verification, which is exactly the
difference in time an attacker would measure.
"""

from __future__ import annotations

import asyncio
import secrets

from skillbridge.application.ports.password_hasher import PasswordHasher


class DecoyHash:
    """One decoy hash per process, made on first use (concurrent first uses make it once)."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher
        self._hash: str | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        if self._hash is None:
            async with self._lock:
                if self._hash is None:
                    self._hash = await self._hasher.hash(secrets.token_hex(16))
        return self._hash
