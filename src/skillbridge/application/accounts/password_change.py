"""Changing one's password while signed in."""

from __future__ import annotations

from skillbridge.application.accounts.new_password import store_new_password
from skillbridge.application.accounts.revocations import AccessRevocations
from skillbridge.application.accounts.throttle import LoginThrottle
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.password_hasher import PasswordHasher
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.passwords import check_password, normalise_password
from skillbridge.domain.accounts.sessions import AccessClaims
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.texts import N_

WRONG_CURRENT_PASSWORD = N_("the current password is wrong")


class ChangePassword:
    """Replace the caller's password (``POST /auth/password/change``).

    Rules:
    - the current password must be given and right (an account without one, made through GitHub, sets
      one by password reset); a wrong one counts as a failed login against the account and the address,
      so a stolen access token cannot be used to guess the password faster than the login form allows;
    - the new password meets the rules of registration;
    - every other session of the account ends, access tokens included; the caller's own stays.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        revocations: AccessRevocations,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._throttle = throttle
        self._revocations = revocations
        self._clock = clock

    async def __call__(
        self, claims: AccessClaims, current_password: str, new_password: str, client_address: str
    ) -> None:
        current, new = normalise_password(current_password), normalise_password(new_password)
        async with self._uow as uow:
            user = await uow.users.get(claims.user_id)
            await self._throttle.admit(user.email, client_address)
            if user.password_hash is None or not await self._hasher.verify(user.password_hash, current):
                raise InvalidInput(WRONG_CURRENT_PASSWORD, field="current_password")
            check_password(new, email=user.email, field="new_password")
            await store_new_password(
                uow,
                self._hasher,
                self._revocations,
                user,
                new,
                self._clock.now(),
                action="user.password_changed",
                keep_session=claims.session_id,
            )
