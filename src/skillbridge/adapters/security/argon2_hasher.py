"""Argon2id implementation of the PasswordHasher port (argon2-cffi)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import Argon2Error

from skillbridge.application.ports.password_hasher import PasswordHasher

# OWASP Password Storage Cheat Sheet: the weakest acceptable argon2id configuration is m=19 MiB, t=2, p=1.
MIN_MEMORY_COST_KIB = 19 * 1024
MIN_TIME_COST = 2


def _encode(password: str) -> bytes:
    # "surrogatepass" so that a lone surrogate (which JSON "\ud800" escapes can produce) hashes and
    # verifies like any other character instead of raising; valid strings encode exactly as UTF-8.
    return password.encode("utf-8", "surrogatepass")


class Argon2PasswordHasher(PasswordHasher):
    """Hashes passwords with argon2id in a worker thread, so the event loop keeps serving.

    Every byte of the password is hashed (no truncation, unlike bcrypt's 72 bytes). The encoded hash
    carries algorithm, version, parameters and salt, so parameters can be raised later:
    :meth:`needs_rehash` tells the caller when a stored hash should be replaced after a successful login.
    """

    def __init__(
        self,
        time_cost: int = 3,
        memory_cost_kib: int = 65536,
        parallelism: int = 1,
        *,
        allow_weak_for_tests: bool = False,
    ) -> None:
        """Configure the hasher.

        Args:
            time_cost: Number of passes over memory.
            memory_cost_kib: Memory used per hash, in KiB.
            parallelism: Number of lanes.
            allow_weak_for_tests: Accept parameters below the production floor (m=19 MiB, t=2).
                Only for fast tests; never set it in a deployed configuration.

        Raises:
            ValueError: The parameters are weaker than the floor and ``allow_weak_for_tests`` is not set,
                or are not valid argon2 parameters at all.
        """
        if time_cost < 1 or parallelism < 1 or memory_cost_kib < 8 * parallelism:
            raise ValueError("invalid argon2 parameters")
        if not allow_weak_for_tests and (memory_cost_kib < MIN_MEMORY_COST_KIB or time_cost < MIN_TIME_COST):
            raise ValueError(
                f"argon2 parameters too weak: need memory_cost_kib >= {MIN_MEMORY_COST_KIB} "
                f"and time_cost >= {MIN_TIME_COST}"
            )
        self._hasher = _Argon2(
            time_cost=time_cost,
            memory_cost=memory_cost_kib,
            parallelism=parallelism,
            type=Type.ID,
        )

    async def hash(self, password: str) -> str:
        """Return the encoded argon2id hash of ``password`` (a fresh random salt each time)."""
        return await asyncio.to_thread(self._hasher.hash, _encode(password))

    async def verify(self, password_hash: str, password: str) -> bool:
        """Return whether ``password`` matches ``password_hash``.

        Returns ``False`` (never raises) on a mismatch, a malformed hash, or a hash of another scheme.
        """
        return await asyncio.to_thread(self._verify_sync, password_hash, _encode(password))

    def _verify_sync(self, password_hash: str, password: bytes) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (Argon2Error, ValueError):  # mismatch, undecodable, InvalidHashError (a ValueError)
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Return whether ``password_hash`` differs from the current type, version or parameters.

        A hash that cannot be parsed also needs replacing, so it yields ``True``.
        """
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except (Argon2Error, ValueError):
            return True
