"""Two-factor authentication with time-based one-time passwords (TOTP, RFC 6238).

A user's second factor is a shared secret their authenticator app holds. It is *pending* from
``POST /auth/2fa/setup`` until a code from the app proves the app has it (``POST /auth/2fa/enable``), and
only then does signing in ask for a code. Enabling hands out recovery codes, kept here as hashes only,
each good once: the way back in when the phone is lost.

A code is good for one time step (30 s) and its neighbours (clock drift); the step of the last accepted
code is kept, so a code cannot be used twice, nor an older one after it (a code read over a shoulder).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

#: How many recovery codes enabling hands out.
RECOVERY_CODE_COUNT = 10
#: What a recovery code looks like when shown: four groups of four base32 characters (80 random bits).
RECOVERY_CODE_GROUPS = 4
_NOT_BASE32 = re.compile(r"[^A-Z2-7]")


def normalise_recovery_code(raw: str) -> str:
    """The code's characters without dashes, spaces or case, as it is hashed."""
    return _NOT_BASE32.sub("", raw.upper())


def hash_recovery_code(raw: str) -> str:
    """The stored form of a recovery code. A fast hash is enough: each code carries 80 random bits, which
    no guessing reaches, and a slow one would let a flood of attempts cost the server dearly."""
    return hashlib.sha256(normalise_recovery_code(raw).encode("ascii")).hexdigest()


def looks_like_totp(code: str) -> bool:
    """Whether ``code`` has the shape of an authenticator's code (six digits, spaces allowed)."""
    digits = code.replace(" ", "")
    return len(digits) == 6 and digits.isdigit()


@dataclass(frozen=True, slots=True)
class TwoFactorCredential:
    """One user's TOTP secret, whether it is switched on, and their unused recovery codes (hashed).

    ``version`` increases with every stored change; a write under a stale version is refused, which
    makes accepting a code (and spending a recovery code) an atomic compare-and-set: of two requests
    racing with the same code, one wins.
    """

    user_id: UUID
    secret: str
    created_at: datetime
    enabled_at: datetime | None = None
    #: The time step of the last accepted code; codes of this step and older are refused.
    last_used_step: int | None = None
    recovery_code_hashes: tuple[str, ...] = ()
    version: int = 1

    @property
    def is_enabled(self) -> bool:
        return self.enabled_at is not None

    def accepts_step(self, step: int) -> bool:
        """Whether a code of ``step`` may still be used (it is newer than the last accepted one)."""
        return self.last_used_step is None or step > self.last_used_step

    def step_used(self, step: int) -> TwoFactorCredential:
        return replace(self, last_used_step=step, version=self.version + 1)

    def enabled(self, at: datetime, step: int, recovery_code_hashes: tuple[str, ...]) -> TwoFactorCredential:
        return replace(
            self,
            enabled_at=at,
            last_used_step=step,
            recovery_code_hashes=recovery_code_hashes,
            version=self.version + 1,
        )

    def has_recovery_code(self, raw: str) -> bool:
        return hash_recovery_code(raw) in self.recovery_code_hashes

    def recovery_code_spent(self, raw: str) -> TwoFactorCredential:
        spent = hash_recovery_code(raw)
        kept = tuple(code for code in self.recovery_code_hashes if code != spent)
        return replace(self, recovery_code_hashes=kept, version=self.version + 1)
