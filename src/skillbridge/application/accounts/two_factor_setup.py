"""Turning two-factor authentication on and off (``/auth/2fa/setup``, ``/enable``, ``/disable``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from skillbridge.application.accounts.revocations import AccessRevocations
from skillbridge.application.accounts.throttle import LoginThrottle
from skillbridge.application.accounts.two_factor_codes import (
    WRONG_CODE,
    CodeChecker,
    TwoFactorPolicy,
    hashed,
    new_recovery_codes,
    store_accepted,
)
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.one_time_passwords import TotpAlgorithm
from skillbridge.application.ports.password_hasher import PasswordHasher
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.passwords import normalise_password
from skillbridge.domain.accounts.sessions import AccessClaims
from skillbridge.domain.accounts.two_factor import TwoFactorCredential
from skillbridge.domain.errors import Conflict, InvalidInput, Unauthenticated
from skillbridge.domain.texts import N_

ALREADY_ENABLED = N_("two-factor authentication is already on; turn it off first")
NOT_SET_UP = N_("start with POST /api/v1/auth/2fa/setup")
NOT_ENABLED = N_("two-factor authentication is not on")
WRONG_PASSWORD = N_("the password is wrong")


@dataclass(frozen=True, slots=True)
class TwoFactorSetup:
    """What an authenticator app needs: the secret, and the ``otpauth://`` URI (for a QR code)."""

    secret: str
    otpauth_uri: str


def _audit(action: str, claims: AccessClaims, at: datetime, **details: str) -> AuditEntry:
    return AuditEntry(
        action=action,
        at=at,
        actor_id=claims.user_id,
        subject_type="user",
        subject_id=str(claims.user_id),
        details=dict(details),
    )


class SetUpTwoFactor:
    """Give the caller a new TOTP secret, pending until a code confirms it.

    Rules:
    - Conflict if two-factor authentication is on already (turn it off first: a stolen access token
      must not swap the secret silently);
    - a pending secret from an earlier setup is replaced (the app may have lost it);
    - nothing changes at login until :class:`EnableTwoFactor` succeeds.
    """

    def __init__(self, uow: UnitOfWork, totp: TotpAlgorithm, clock: Clock, policy: TwoFactorPolicy) -> None:
        self._uow = uow
        self._totp = totp
        self._clock = clock
        self._policy = policy

    async def __call__(self, claims: AccessClaims) -> TwoFactorSetup:
        now = self._clock.now()
        secret = self._totp.new_secret()
        async with self._uow as uow:
            user = await uow.users.get(claims.user_id)
            current = await uow.two_factor.find(claims.user_id)
            if current is None:
                await uow.two_factor.add(TwoFactorCredential(user.id, secret, created_at=now))
            elif current.is_enabled:
                raise Conflict(ALREADY_ENABLED)
            else:
                fresh = TwoFactorCredential(user.id, secret, created_at=now, version=current.version + 1)
                if not await uow.two_factor.replace(fresh):
                    raise Conflict(N_("another setup ran at the same time; try again"))
            await uow.commit()
        return TwoFactorSetup(secret, self._totp.provisioning_uri(secret, user.email, self._policy.issuer))


class EnableTwoFactor:
    """Confirm the pending secret with a code from the app; switch two-factor on; return the recovery codes.

    Rules:
    - a pending secret is needed (Conflict otherwise, and if it is on already);
    - the code must be a current TOTP code of that secret (recovery codes do not exist yet); wrong codes
      count against the account like those of a login (:class:`CodeChecker`), so a stolen access token
      cannot be used to try many;
    - the code's step counts as used: it cannot also sign in;
    - ten recovery codes are made; they are returned this once and only their hashes are kept.
    """

    def __init__(self, uow: UnitOfWork, checker: CodeChecker, revocations: AccessRevocations, clock: Clock) -> None:
        self._uow = uow
        self._checker = checker
        self._revocations = revocations
        self._clock = clock

    async def __call__(self, claims: AccessClaims, code: str) -> list[str]:
        now = self._clock.now()
        async with self._uow as uow:
            credential = await uow.two_factor.find(claims.user_id)
            if credential is None:
                raise Conflict(NOT_SET_UP)
            if credential.is_enabled:
                raise Conflict(ALREADY_ENABLED)
            accepted = await self._checker.check(credential, code, now, recovery=False)
            step = accepted.credential.last_used_step
            assert step is not None  # a TOTP code was accepted  # noqa: S101 - a type narrowing
            codes = new_recovery_codes()
            enabled = credential.enabled(now, step, hashed(codes))
            if not await uow.two_factor.replace(enabled):
                raise Unauthenticated(WRONG_CODE, field="code")
            await uow.audit.record(_audit("user.two_factor_enabled", claims, now))
            await uow.commit()
        await self._revocations.principal_changed(claims.user_id)  # an admin's powers apply at once
        return codes


class DisableTwoFactor:
    """Switch two-factor authentication off.

    Rules:
    - it must be on (Conflict otherwise);
    - the account's password is required when it has one (a GitHub-only account has none), and checked
      under the login throttle; a wrong one is 400 naming ``password``;
    - a current TOTP code or an unused recovery code is required too, checked like a login's; so neither a
      stolen access token nor a stolen password alone turns the second factor off;
    - the secret and the recovery codes are deleted.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        checker: CodeChecker,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        revocations: AccessRevocations,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._checker = checker
        self._hasher = hasher
        self._throttle = throttle
        self._revocations = revocations
        self._clock = clock

    async def __call__(self, claims: AccessClaims, password: str | None, code: str, client_address: str) -> None:
        now = self._clock.now()
        async with self._uow as uow:
            user = await uow.users.get(claims.user_id)
            credential = await uow.two_factor.find(claims.user_id)
            if credential is None or not credential.is_enabled:
                raise Conflict(NOT_ENABLED)
            if user.password_hash is not None:
                if password is None:
                    raise InvalidInput(N_("the account's password is required"), field="password")
                await self._throttle.admit(user.email, client_address)
                if not await self._hasher.verify(user.password_hash, normalise_password(password)):
                    raise InvalidInput(WRONG_PASSWORD, field="password")
            accepted = await self._checker.check(credential, code, now)
            await store_accepted(uow, accepted)  # a code raced by another request fails here
            await uow.two_factor.remove(claims.user_id)
            await uow.audit.record(_audit("user.two_factor_disabled", claims, now, method=accepted.method))
            await uow.commit()
        await self._revocations.principal_changed(claims.user_id)  # an admin's powers end at once
