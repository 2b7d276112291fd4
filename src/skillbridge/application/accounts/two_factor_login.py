"""The second step of a login with two-factor authentication on: the challenge and a code give tokens."""

from __future__ import annotations

from uuid import uuid4

from skillbridge.application.accounts.policy import AuthPolicy
from skillbridge.application.accounts.sessions import _start_session
from skillbridge.application.accounts.throttle import LoginThrottle
from skillbridge.application.accounts.token_pair import TokenPair
from skillbridge.application.accounts.two_factor_codes import (
    CHALLENGE_GONE,
    CodeChecker,
    LoginChallenges,
    store_accepted,
)
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.token_service import TokenService
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.sessions import Client
from skillbridge.domain.errors import Conflict, NotFound, Unauthenticated


class CompleteTwoFactorLogin:
    """Exchange a login's challenge and a code for tokens (``POST /auth/2fa/verify``).

    Rules:
    - the challenge must be one a right password produced, unexpired and unspent (401, field
      ``challenge_token``); it names its user, so a code is always checked against that user's secret;
    - the code is a TOTP code of the current step (or a neighbour) newer than the last one accepted, or
      one of the unused recovery codes, which is then spent; a wrong one is 401 (field ``code``);
    - wrong codes are counted per challenge (after a few it is spent) and per account (after more, every
      code is refused for a while: :class:`TooManyAttempts`), so six digits cannot be brute-forced;
    - the challenge is spent by the first right code (of two racing requests, one gets tokens);
    - the account must still be active; the login then starts a session as a password login does, and
      the (account, address) pair's login failures are forgotten.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        challenges: LoginChallenges,
        checker: CodeChecker,
        tokens: TokenService,
        throttle: LoginThrottle,
        clock: Clock,
        policy: AuthPolicy,
    ) -> None:
        self._uow = uow
        self._challenges = challenges
        self._checker = checker
        self._tokens = tokens
        self._throttle = throttle
        self._clock = clock
        self._policy = policy

    async def __call__(self, challenge_token: str, code: str, client: Client) -> TokenPair:
        self._uow.act_for_system("sign_in:two_factor")
        pending = await self._challenges.find(challenge_token)
        if pending is None:
            raise Unauthenticated(CHALLENGE_GONE, field="challenge_token")
        await self._challenges.count_attempt(challenge_token)
        now = self._clock.now()
        try:
            async with self._uow as uow:
                try:
                    user = await uow.users.get(pending.user_id)
                except NotFound:
                    raise Unauthenticated(CHALLENGE_GONE, field="challenge_token") from None
                credential = await uow.two_factor.find(user.id)
                if not user.is_active or credential is None or not credential.is_enabled:
                    raise Unauthenticated(CHALLENGE_GONE, field="challenge_token")
                accepted = await self._checker.check(credential, code, now)
                if await self._challenges.take(challenge_token) is None:
                    raise Unauthenticated(CHALLENGE_GONE, field="challenge_token")  # spent by a racing request
                await store_accepted(uow, accepted)
                pair = await _start_session(uow, self._tokens, user, uuid4(), now, self._policy, client=client)
                await uow.audit.record(
                    AuditEntry(
                        action="user.logged_in",
                        at=now,
                        actor_id=user.id,
                        subject_type="user",
                        subject_id=str(user.id),
                        details={"second_factor": accepted.method},
                    )
                )
                await uow.commit()
        except Conflict:
            # The in-memory twin notices a code raced by another request only at commit.
            raise Unauthenticated(CHALLENGE_GONE, field="challenge_token") from None
        await self._throttle.succeeded(pending.account, client.address or "")
        return pair
