"""Checking a second-factor code, and the short-lived challenge between a login's two steps.

Both are shared by the use cases of :mod:`~skillbridge.application.accounts.two_factor_setup` and
:mod:`~skillbridge.application.accounts.two_factor_login`.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.application.ports.one_time_passwords import TotpAlgorithm
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.two_factor import (
    RECOVERY_CODE_COUNT,
    RECOVERY_CODE_GROUPS,
    TwoFactorCredential,
    hash_recovery_code,
    looks_like_totp,
)
from skillbridge.domain.errors import TooManyAttempts, Unauthenticated
from skillbridge.domain.texts import N_

WRONG_CODE = N_("the code is wrong, expired or already used")
TOO_MANY_CODES = N_("too many wrong codes; try again later")
CHALLENGE_GONE = N_("the sign-in challenge is unknown, expired or used; log in again")


@dataclass(frozen=True, slots=True)
class TwoFactorPolicy:
    """The numbers of the two-factor rules, filled from settings by the composition root."""

    #: The name authenticator apps show beside the account.
    issuer: str = "SkillBridge"
    #: Steps of 30 s accepted either side of the current one (a phone's clock drifts).
    drift_steps: int = 1
    #: How long the second step of a login may wait for its code.
    challenge_ttl: timedelta = timedelta(minutes=5)
    #: Wrong codes one challenge may take before it is spent.
    attempts_per_challenge: int = 5
    #: Wrong codes one account may take per window, across challenges and the setup routes.
    failures_per_account: int = 10
    failure_window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Accepted:
    """A code that was right: the credential to store (its step or recovery code spent), and how."""

    credential: TwoFactorCredential
    method: str  # "totp" or "recovery_code"


def new_recovery_codes() -> list[str]:
    """Ten fresh recovery codes, as shown to the user (``ABCD-EFGH-IJKL-MNOP``, 80 random bits each)."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii")
        codes.append("-".join(raw[i : i + 4] for i in range(0, 4 * RECOVERY_CODE_GROUPS, 4)))
    return codes


def hashed(codes: list[str]) -> tuple[str, ...]:
    return tuple(hash_recovery_code(code) for code in codes)


class CodeChecker:
    """Check a user's code: a TOTP code of a step not used yet, or (if allowed) an unused recovery code.

    Every check is counted against the account *before* the code is compared (an atomic increment), so
    parallel guesses cannot all pass before the first failure is counted; over the limit, every check
    fails with :class:`TooManyAttempts`, right code or not, until the window ends. A right code forgets
    the failures.
    """

    def __init__(self, totp: TotpAlgorithm, store: KeyValueStore, policy: TwoFactorPolicy) -> None:
        self._totp = totp
        self._store = store
        self._policy = policy

    async def check(
        self, credential: TwoFactorCredential, code: str, at: datetime, *, recovery: bool = True
    ) -> Accepted:
        """Return what to store if ``code`` is right; raise Unauthenticated (field ``code``) if not."""
        key = f"2fa-failures:{credential.user_id}"
        window = int(self._policy.failure_window.total_seconds())
        count, seconds_left = await self._store.increment(key, window)
        if count > self._policy.failures_per_account:
            raise TooManyAttempts(TOO_MANY_CODES, retry_after=seconds_left)
        accepted = self._compare(credential, code.strip(), at, recovery=recovery)
        if accepted is None:
            raise Unauthenticated(WRONG_CODE, field="code")
        await self._store.delete(key)
        return accepted

    def _compare(self, credential: TwoFactorCredential, code: str, at: datetime, *, recovery: bool) -> Accepted | None:
        if looks_like_totp(code):
            step = self._totp.matching_step(credential.secret, code, at, self._policy.drift_steps)
            if step is None or not credential.accepts_step(step):
                return None  # a wrong code, or one already used (a replay within its step)
            return Accepted(credential.step_used(step), "totp")
        if recovery and credential.is_enabled and credential.has_recovery_code(code):
            return Accepted(credential.recovery_code_spent(code), "recovery_code")
        return None

    def matching_step(self, credential: TwoFactorCredential, code: str, at: datetime) -> int | None:
        """The step of ``code`` if it is a right TOTP code (for enabling, where nothing is spent yet)."""
        if not looks_like_totp(code):
            return None
        return self._totp.matching_step(credential.secret, code.strip(), at, self._policy.drift_steps)


async def store_accepted(uow: UnitOfWork, accepted: Accepted) -> None:
    """Store the accepted code's credential; a request that got there first makes this one fail."""
    if not await uow.two_factor.replace(accepted.credential):
        raise Unauthenticated(WRONG_CODE, field="code")


@dataclass(frozen=True, slots=True)
class Challenge:
    """The second step of a login: present ``token`` with a code before ``expires_at``."""

    token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """Who a challenge belongs to."""

    user_id: UUID
    account: str  # the normalised email, for the login throttle


def _challenge_key(token: str) -> str:
    # Hashed: the shared store never holds a usable token.
    return "2fa-challenge:" + hashlib.sha256(token.encode()).hexdigest()


class LoginChallenges:
    """Challenges in the shared store: random, single use, short-lived, a few wrong codes each."""

    def __init__(self, store: KeyValueStore, policy: TwoFactorPolicy) -> None:
        self._store = store
        self._policy = policy

    async def issue(self, user_id: UUID, account: str, now: datetime) -> Challenge:
        token = secrets.token_urlsafe(32)
        ttl = int(self._policy.challenge_ttl.total_seconds())
        await self._store.put(_challenge_key(token), f"{user_id} {account}", ttl)
        return Challenge(token, now + self._policy.challenge_ttl)

    async def find(self, token: str) -> PendingLogin | None:
        if not token or len(token) > 128:
            return None
        return self._parse(await self._store.get(_challenge_key(token)))

    async def count_attempt(self, token: str) -> None:
        """Count one code tried with ``token``; past the limit the challenge is spent (and this attempt
        refused): a challenge cannot carry a long run of guesses."""
        key = _challenge_key(token)
        ttl = int(self._policy.challenge_ttl.total_seconds())
        count, _ = await self._store.increment(key + ":attempts", ttl)
        if count > self._policy.attempts_per_challenge:
            await self._store.delete(key)
            raise Unauthenticated(CHALLENGE_GONE, field="challenge_token")

    async def take(self, token: str) -> PendingLogin | None:
        """Spend the challenge; ``None`` if another request spent it first."""
        return self._parse(await self._store.take(_challenge_key(token)))

    @staticmethod
    def _parse(value: str | None) -> PendingLogin | None:
        if value is None:
            return None
        user_id, _, account = value.partition(" ")
        return PendingLogin(UUID(user_id), account)
