"""PasswordHasher port."""

from __future__ import annotations

from typing import Protocol


class PasswordHasher(Protocol):
    """Slow, salted password hashing. Async because a good hash takes tens of milliseconds of CPU."""

    async def hash(self, password: str) -> str:
        """Return an encoded hash of ``password`` (algorithm, parameters and salt included)."""
        ...

    async def verify(self, password_hash: str, password: str) -> bool:
        """Return whether ``password`` matches ``password_hash``. Never raises on a mismatch or a malformed hash."""
        ...

    def needs_rehash(self, password_hash: str) -> bool:
        """Return whether ``password_hash`` was made with other parameters than the current ones."""
        ...
