"""Logging in, refreshing a session, logging out, and authenticating a request."""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn
from uuid import UUID, uuid4

from skillbridge.application.accounts.decoy import DecoyHash
from skillbridge.application.accounts.policy import AuthPolicy
from skillbridge.application.accounts.refresh_grace import RefreshGrace
from skillbridge.application.accounts.revocations import AccessRevocations
from skillbridge.application.accounts.throttle import LoginThrottle
from skillbridge.application.accounts.token_pair import TokenPair
from skillbridge.application.accounts.two_factor_codes import Challenge, LoginChallenges
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.password_hasher import PasswordHasher
from skillbridge.application.ports.token_service import TokenService
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.passwords import normalise_password
from skillbridge.domain.accounts.sessions import AccessClaims, Client, RefreshSession
from skillbridge.domain.accounts.user import User, normalise_email
from skillbridge.domain.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from skillbridge.domain.texts import N_

#: The one answer to every failed login: an unknown email and a wrong password must look the same.
BAD_CREDENTIALS = N_("invalid email or password")
SESSION_ENDED = N_("the session has ended; log in again")
NO_CLIENT = Client()


async def _start_session(
    uow: UnitOfWork,
    tokens: TokenService,
    user: User,
    family_id: UUID,
    now: datetime,
    policy: AuthPolicy,
    *,
    client: Client = NO_CLIENT,
    started_at: datetime | None = None,
) -> TokenPair:
    """Issue an access token and a refresh token of ``family_id`` (a session that began at ``started_at``,
    or now); the caller commits. The refresh token never outlives the session's absolute lifetime."""
    started_at = started_at or now
    refresh = tokens.new_refresh()
    session = RefreshSession(
        user_id=user.id,
        family_id=family_id,
        token_hash=refresh.token_hash,
        issued_at=now,
        expires_at=min(now + policy.refresh_ttl, started_at + policy.session_max_age),
        family_started_at=started_at,
        user_agent=client.agent,
        client_network=client.network,
    )
    await uow.refresh_sessions.add(session)
    access = tokens.issue_access(user.id, now, family_id)
    return TokenPair(
        access_token=access.token,
        access_expires_at=access.expires_at,
        refresh_token=refresh.token,
        refresh_expires_at=session.expires_at,
        user_id=str(user.id),
    )


class LogIn:
    """Exchange an email and password for tokens.

    Rules:
    - an unknown email, a wrong password, an account without a password (GitHub-only) and a disabled
      account all fail with the same error, after the same hashing work: one verification (against the
      process's :class:`DecoyHash` when there is no hash to check);
    - attempts are counted per (account, client address) before the password is checked, with growing
      delays after a few, and per address across accounts (:class:`LoginThrottle`); a success forgets
      the pair's failures and trusts the pair;
    - a password hashed with outdated parameters is rehashed on success;
    - with two-factor authentication on, the right password yields no tokens but a :class:`Challenge`:
      a short-lived, single-use token to present with a code (``CompleteTwoFactorLogin``); the pair's
      failures are forgotten only once that step succeeds;
    - each login starts a new refresh-token family.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        tokens: TokenService,
        throttle: LoginThrottle,
        decoy: DecoyHash,
        clock: Clock,
        policy: AuthPolicy,
        challenges: LoginChallenges,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._tokens = tokens
        self._throttle = throttle
        self._decoy = decoy
        self._clock = clock
        self._policy = policy
        self._challenges = challenges

    async def __call__(
        self, email: str, password: str, client_address: str, user_agent: str | None = None
    ) -> TokenPair | Challenge:
        self._uow.act_for_system("sign_in:password")
        password = normalise_password(password)
        try:
            account = normalise_email(email)
        except InvalidInput:
            account = email.strip().lower()
        await self._throttle.admit(account, client_address)
        async with self._uow as uow:
            user = await uow.users.find_by_email(account)
            if user is None or user.password_hash is None or not user.is_active:
                await self._hasher.verify(await self._decoy.get(), password)
                await self._fail(account, client_address)
            if not await self._hasher.verify(user.password_hash, password):
                await self._fail(account, client_address)
            now = self._clock.now()
            if self._hasher.needs_rehash(user.password_hash):
                user = await uow.users.update(user.with_password_hash(await self._hasher.hash(password), now))
            second_factor = await uow.two_factor.find(user.id)
            if second_factor is not None and second_factor.is_enabled:
                await uow.commit()  # the rehash, if any
                return await self._challenges.issue(user.id, account, now)
            client = Client(client_address, user_agent)
            pair = await _start_session(uow, self._tokens, user, uuid4(), now, self._policy, client=client)
            await uow.audit.record(
                AuditEntry(
                    action="user.logged_in",
                    at=now,
                    actor_id=user.id,
                    subject_type="user",
                    subject_id=str(user.id),
                )
            )
            await uow.commit()
        await self._throttle.succeeded(account, client_address)
        return pair

    async def _fail(self, account: str, client_address: str) -> NoReturn:
        raise Unauthenticated(BAD_CREDENTIALS)  # the attempt was counted by the throttle's admit


class RefreshTokens:
    """Rotate a refresh token: the presented one is spent and a new pair is issued.

    Rules:
    - an unknown, expired or revoked token fails, and so does any token of a session older than its
      absolute lifetime (``session_max_age``), however often it was refreshed;
    - the same token presented again within ``refresh_grace`` of its rotation (two tabs refreshing at
      once) gets the very pair the first refresh got;
    - after that, a token that was already rotated is a replay: its whole family is revoked (the thief
      and the owner are both logged out, their access tokens included, from the next request on) and
      the call fails;
    - the session keeps the client that last refreshed it (user agent, coarse network).
    """

    def __init__(
        self,
        uow: UnitOfWork,
        tokens: TokenService,
        revocations: AccessRevocations,
        grace: RefreshGrace,
        clock: Clock,
        policy: AuthPolicy,
    ) -> None:
        self._uow = uow
        self._tokens = tokens
        self._revocations = revocations
        self._grace = grace
        self._clock = clock
        self._policy = policy

    async def __call__(self, refresh_token: str, client: Client = NO_CLIENT) -> TokenPair:
        self._uow.act_for_system("sign_in:refresh")
        token_hash = self._tokens.hash_refresh(refresh_token)
        try:
            return await self._rotate(token_hash, client)
        except Conflict:
            # Lost a race that the store noticed only at commit (the in-memory twin): the winner has
            # committed by now, so look again and take its pair.
            return await self._rotate(token_hash, client)

    async def _rotate(self, token_hash: str, client: Client) -> TokenPair:
        now = self._clock.now()
        async with self._uow as uow:
            session = await uow.refresh_sessions.find_by_hash(token_hash)
            if session is None or session.revoked_at is not None or now >= session.expires_at:
                raise Unauthenticated(SESSION_ENDED)
            if session.rotated_at is not None or not await uow.refresh_sessions.mark_rotated(session.id, now):
                if (pair := await self._grace.find(token_hash)) is not None:
                    return pair
                await self._revoke_family(uow, session, now)
            try:
                user = await uow.users.get(session.user_id)
            except NotFound:
                raise Unauthenticated(SESSION_ENDED) from None
            if not user.is_active:
                raise Unauthenticated(SESSION_ENDED)
            pair = await _start_session(
                uow,
                self._tokens,
                user,
                session.family_id,
                now,
                self._policy,
                client=client,
                started_at=session.started_at,
            )
            # Claimed before the commit, so a racing refresh that sees the rotation committed finds the pair;
            # and atomically, so of two racers the store lets one through even where the database
            # notices the race only at commit (the in-memory twin). The other takes the winner's pair.
            if not await self._grace.claim(token_hash, pair):
                await uow.rollback()
                if (kept := await self._grace.find(token_hash)) is not None:
                    return kept
                raise Unauthenticated(SESSION_ENDED)
            await uow.commit()
        return pair

    async def _revoke_family(self, uow: UnitOfWork, session: RefreshSession, now: datetime) -> NoReturn:
        await uow.refresh_sessions.revoke_family(session.family_id, now)
        await uow.audit.record(
            AuditEntry(
                action="session.replay_detected",
                at=now,
                actor_id=session.user_id,
                subject_type="user",
                subject_id=str(session.user_id),
                details={"family_id": str(session.family_id)},
            )
        )
        await uow.commit()
        await self._revocations.revoke_session(session.family_id)
        raise Unauthenticated(SESSION_ENDED)


class LogOut:
    """End a session: the access token in use and every other access token of its sign-in session stop
    working at once, and so does the session's refresh family.

    A refresh token passed along ends its own family too, if it is the caller's; one that belongs to
    someone else is ignored (logging out never touches another's session).
    """

    def __init__(self, uow: UnitOfWork, tokens: TokenService, revocations: AccessRevocations, clock: Clock) -> None:
        self._uow = uow
        self._tokens = tokens
        self._revocations = revocations
        self._clock = clock

    async def __call__(self, claims: AccessClaims, refresh_token: str | None) -> None:
        now = self._clock.now()
        await self._revocations.revoke(claims.jti, claims.expires_at, now)
        families: set[UUID] = set() if claims.session_id is None else {claims.session_id}
        async with self._uow as uow:
            if refresh_token is not None:
                session = await uow.refresh_sessions.find_by_hash(self._tokens.hash_refresh(refresh_token))
                if session is not None and session.user_id == claims.user_id:
                    families.add(session.family_id)
            for family_id in families:
                await uow.refresh_sessions.revoke_family(family_id, now)
            await uow.audit.record(
                AuditEntry(
                    action="user.logged_out",
                    at=now,
                    actor_id=claims.user_id,
                    subject_type="user",
                    subject_id=str(claims.user_id),
                )
            )
            await uow.commit()
        for family_id in families:
            await self._revocations.revoke_session(family_id)
