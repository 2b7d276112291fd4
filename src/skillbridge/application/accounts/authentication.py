"""Admitting a request: verify its token, count it against its budget, resolve its caller.

This runs before anything else on every request, so it is built to cost one round trip to the shared
store (the rate-limit counter and the caller's session state are read together) and, while the caller's
principal is cached and current, none to the database. Immediacy is kept: a logout, a revoked session, a
role change or a deactivation takes effect on the very next request, in every process (see
:mod:`skillbridge.application.accounts.revocations` for the marks that make it so).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.accounts.revocations import PRINCIPAL_CACHE_MAX_AGE, AccessRevocations, SessionState
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.application.ports.token_service import TokenService
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.sessions import AccessClaims
from skillbridge.domain.errors import NotFound, TooManyAttempts, Unauthenticated
from skillbridge.domain.texts import N_

TOKEN_REQUIRED = N_("a bearer access token is required")
TOKEN_REVOKED = N_("the token was revoked")
ACCOUNT_GONE = N_("the account is disabled or no longer exists")
#: How many principals one process keeps (about 200 bytes each).
PRINCIPAL_CACHE_SIZE = 20_000


@dataclass(frozen=True, slots=True)
class RequestBudget:
    """A request budget: ``limit`` requests per ``window_seconds`` for each caller of one kind of route.

    The caller is the verified user, or the client address when there is none (no token, an invalid
    one, or a route counted per address whoever calls, such as login).
    """

    name: str
    limit: int
    window_seconds: int = 60
    per_address: bool = False


@dataclass(frozen=True, slots=True)
class AdminSecurity:
    """Whether admins must have two-factor authentication on to use their powers (setting)."""

    two_factor_required: bool = True


@dataclass(frozen=True, slots=True)
class Quota:
    """Where a caller stands in their budget after this request (for the ``RateLimit-*`` headers)."""

    limit: int
    remaining: int
    reset_seconds: int


@dataclass(frozen=True, slots=True)
class Admission:
    """The outcome of admitting a request: its caller, or why it has none."""

    principal: Principal | None
    claims: AccessClaims | None
    #: Why there is no caller (for the 401 a protected route answers), ``None`` when there is one.
    refusal: str | None = None
    quota: Quota | None = None

    def require(self) -> tuple[Principal, AccessClaims]:
        """The caller and their token's claims; raises :class:`Unauthenticated` when there is none."""
        if self.principal is None or self.claims is None:
            raise Unauthenticated(self.refusal or TOKEN_REQUIRED)
        return self.principal, self.claims


@dataclass(slots=True)
class _Cached:
    principal: Principal | None  # None: the account is disabled or gone
    stamp: str | None
    loaded_at: datetime


class PrincipalCache:
    """The principals of recent callers, in process memory, each with the stamp it was loaded under.

    An entry is used only while the store's current stamp for its user is the one it was loaded under,
    and for at most ``PRINCIPAL_CACHE_MAX_AGE``. Oldest entries go first when it is full.
    """

    def __init__(self, clock: Clock, max_entries: int = PRINCIPAL_CACHE_SIZE) -> None:
        self._clock = clock
        self._max_entries = max_entries
        self._entries: dict[UUID, _Cached] = {}

    def get(self, user_id: UUID, stamp: str | None) -> _Cached | None:
        entry = self._entries.get(user_id)
        if entry is None:
            return None
        if entry.stamp != stamp or self._clock.now() - entry.loaded_at >= PRINCIPAL_CACHE_MAX_AGE:
            del self._entries[user_id]
            return None
        return entry

    def put(self, user_id: UUID, principal: Principal | None, stamp: str | None) -> None:
        self._entries.pop(user_id, None)
        if len(self._entries) >= self._max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries[user_id] = _Cached(principal, stamp, self._clock.now())

    def __len__(self) -> int:
        return len(self._entries)


class AdmitRequest:
    """Admit one request.

    Rules:
    - a token that fails verification (signature, expiry, type, claims) counts as no token: the request
      is anonymous and counted against its client address, so inventing tokens buys no new budget;
    - a verified request is counted against its user, whatever else its ``Authorization`` header holds;
    - over the budget, :class:`TooManyAttempts` with the seconds left in the window;
    - a revoked token or session, and a disabled or deleted account, leave the request without a caller;
    - the role comes from the stored user (cached until its stamp changes), so a role change applies
      from the next request on; the request's unit of work acts as the verified user from here on;
    - an admin without two-factor authentication on, where :class:`AdminSecurity` requires it, is
      admitted without admin powers (``Principal.two_factor_ok`` false) until they turn it on.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        tokens: TokenService,
        store: KeyValueStore,
        revocations: AccessRevocations,
        cache: PrincipalCache,
        clock: Clock,
        admin_security: AdminSecurity = AdminSecurity(two_factor_required=False),
    ) -> None:
        self._uow = uow
        self._tokens = tokens
        self._store = store
        self._revocations = revocations
        self._cache = cache
        self._clock = clock
        self._admin_security = admin_security

    async def __call__(self, token: str | None, client_address: str, budget: RequestBudget | None) -> Admission:
        claims = self._verify(token)
        state_keys = self._revocations.keys_for(claims) if claims is not None else []
        quota = None
        if budget is None:
            values = await self._store.get_many(state_keys)
        else:
            caller = f"user:{claims.user_id}" if claims is not None and not budget.per_address else None
            key = f"rate:{budget.name}:{caller or 'address:' + client_address}"
            count, seconds_left, values = await self._store.increment_and_get(key, budget.window_seconds, state_keys)
            if count > budget.limit:
                raise TooManyAttempts(N_("too many requests; slow down"), retry_after=seconds_left)
            quota = Quota(budget.limit, budget.limit - count, seconds_left)
        if claims is None:
            refusal = TOKEN_REQUIRED if token is None else N_("invalid or expired access token")
            return Admission(None, None, refusal, quota)
        admission = await self._resolve(claims, self._revocations.state_of(values))
        return replace(admission, quota=quota)

    async def recheck(self, claims: AccessClaims) -> Principal:
        """Check again that the session of already verified ``claims`` stands (for a long-lived stream).

        Raises:
            Unauthenticated: the token or its session was revoked, or the account is disabled or gone.
        """
        values = await self._store.get_many(self._revocations.keys_for(claims))
        admission = await self._resolve(claims, self._revocations.state_of(values))
        return admission.require()[0]

    def _verify(self, token: str | None) -> AccessClaims | None:
        if token is None:
            return None
        try:
            return self._tokens.verify_access(token, self._clock.now())
        except Unauthenticated:
            return None

    async def _resolve(self, claims: AccessClaims, state: SessionState) -> Admission:
        if state.revoked:
            return Admission(None, None, TOKEN_REVOKED)
        self._uow.acting_user_id = claims.user_id  # set before the request's connection is taken
        cached = self._cache.get(claims.user_id, state.principal_stamp)
        if cached is None:
            principal = await self._load(claims.user_id)
            self._cache.put(claims.user_id, principal, state.principal_stamp)
        else:
            principal = cached.principal
        if principal is None:
            return Admission(None, None, ACCOUNT_GONE)
        return Admission(principal, claims)

    async def _load(self, user_id: UUID) -> Principal | None:
        try:
            async with self._uow.reading() as uow:
                user = await uow.users.get(user_id)
                two_factor_ok = True
                if user.role is Role.ADMIN and self._admin_security.two_factor_required:
                    credential = await uow.two_factor.find(user.id)  # admins only: one more read
                    two_factor_ok = credential is not None and credential.is_enabled
        except NotFound:
            return None
        if not user.is_active:
            return None
        return Principal(
            user.id,
            user.role,
            user.email_verified,
            two_factor_ok=two_factor_ok,
            terms_version=user.terms_version,
            languages=user.profile.languages,
        )


class Authenticate:
    """Turn a bearer access token into a :class:`Principal`, without a request budget: for scripts and
    services that hold a token but no HTTP request.

    Rules: those of :class:`AdmitRequest`; raises :class:`Unauthenticated` when there is no caller.
    """

    def __init__(self, admit: AdmitRequest) -> None:
        self._admit = admit

    async def __call__(self, access_token: str) -> tuple[Principal, AccessClaims]:
        admission = await self._admit(access_token, "", None)
        return admission.require()
