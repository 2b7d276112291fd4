"""Signing in with GitHub: the OAuth 2.0 authorization-code flow with PKCE (S256).

The state and the PKCE verifier stay on the server (the key-value store, for a few minutes); the browser
carries the state through GitHub and, in a cookie of its own, a nonce whose hash the state holds. The
callback needs both, so a state delivered to another browser (login CSRF: an attacker's login finished in
the victim's browser) is refused. Accounts are linked by GitHub's numeric user id, never by email.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from uuid import uuid4

from skillbridge.application.accounts.consents import TermsPolicy
from skillbridge.application.accounts.plain_text import plain_profile
from skillbridge.application.accounts.policy import AuthPolicy
from skillbridge.application.accounts.sessions import _start_session
from skillbridge.application.accounts.token_pair import TokenPair
from skillbridge.application.accounts.two_factor_codes import Challenge, LoginChallenges
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.github_identity import GithubIdentity, GithubIdentityProvider
from skillbridge.application.ports.html_sanitizer import HtmlSanitizer
from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.application.ports.token_service import TokenService
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.consents import Consent, ConsentKind, check_accepted_version
from skillbridge.domain.accounts.profile import ProfileInput, build_profile, is_github_username
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.user import User, normalise_email
from skillbridge.domain.errors import BadRequest, Conflict, DependencyUnavailable, InvalidInput, Unauthenticated
from skillbridge.domain.texts import N_

_STATE_KEY = "oauth:github:state:"
# Between the PKCE verifier and the accepted terms version in the state's stored value (neither holds it).
_TERMS_SEPARATOR = "\n"
_MAX_STATE_LENGTH = 128
_MAX_NONCE_LENGTH = 128
_MAX_DISPLAY_NAME = 100
STATE_GONE = N_("the state does not match a login started here (or it expired, or was used)")
OTHER_BROWSER = N_("this login was started in another browser; start it again here")


class GithubLoginRefused(Unauthenticated):
    """GitHub answered the callback with an error (the user declined, or GitHub refused). Its wording is
    never repeated back: a link can put anything in ``?error=``."""

    code = "github-login-refused"

    def __init__(self) -> None:
        super().__init__("GitHub login was not granted; start it again to retry")


@dataclass(frozen=True, slots=True)
class GithubLoginStart:
    """Where to send the browser, and the nonce to keep in its cookie until the callback."""

    authorization_url: str
    browser_nonce: str


def _nonce_digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class GithubLoginConfig:
    """How long a started login may take before its state expires, and whether the browser's nonce
    cookie is sent over HTTPS only (production)."""

    state_ttl_seconds: int = 600
    secure_cookie: bool = True


def code_challenge(verifier: str) -> str:
    """The PKCE S256 challenge of ``verifier`` (RFC 7636): base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def noreply_email(identity: GithubIdentity) -> str:
    """GitHub's own no-reply address of the account, for users without a verified email."""
    return f"{identity.github_id}+{identity.login}@users.noreply.github.com".lower()


class StartGithubLogin:
    """Begin a GitHub login: a fresh browser nonce, a state holding its hash, and a PKCE verifier kept
    server-side with a TTL; return the authorization URL and the nonce (for the browser's cookie).
    DependencyUnavailable when GitHub login is not configured.

    ``accepted_terms_version``, when given, must be the terms version in force (InvalidInput otherwise); it is
    kept with the state, and an account the login creates starts with the terms accepted. Without it, a new
    account must accept them (``PATCH /users/me/consents``) before it writes anything.
    """

    def __init__(
        self, provider: GithubIdentityProvider, store: KeyValueStore, config: GithubLoginConfig, terms: TermsPolicy
    ) -> None:
        self._provider = provider
        self._store = store
        self._config = config
        self._terms = terms

    async def __call__(self, accepted_terms_version: str | None = None) -> GithubLoginStart:
        if not self._provider.configured:
            raise DependencyUnavailable(N_("GitHub login is not configured on this server"))
        if accepted_terms_version is not None:
            check_accepted_version(accepted_terms_version, self._terms.version)
        nonce = secrets.token_urlsafe(32)
        state = f"{secrets.token_urlsafe(32)}.{_nonce_digest(nonce)}"
        verifier = secrets.token_urlsafe(64)  # 86 characters: within PKCE's 43 to 128
        kept = verifier if accepted_terms_version is None else f"{verifier}{_TERMS_SEPARATOR}{accepted_terms_version}"
        await self._store.put(_STATE_KEY + state, kept, self._config.state_ttl_seconds)
        return GithubLoginStart(self._provider.authorization_url(state, code_challenge(verifier)), nonce)


class CompleteGithubLogin:
    """Finish a GitHub login and sign the user in.

    Rules:
    - the state must be one this server issued, unexpired and unused (BadRequest otherwise); it is taken
      atomically (GETDEL) by the first callback that presents it, whatever that callback's outcome;
    - the browser must present the nonce whose hash the state holds (its cookie): a state finished in
      another browser is refused (BadRequest, field ``state``), and spent all the same;
    - GitHub's ``error`` answer is :class:`GithubLoginRefused`, after the state is spent;
    - the code is exchanged with the stored PKCE verifier; GitHub's refusal is Unauthenticated;
    - the account with this GitHub id signs in (a disabled one is refused); nothing is ever matched by email;
    - otherwise a new learner is created: email GitHub's verified primary address (Conflict if an account
      already has it: sign in with the password instead) or, without one, GitHub's no-reply address; no
      password; the profile takes the GitHub login and name;
    - the tokens are those of a password login (a new refresh family); an account with two-factor
      authentication on gets a challenge instead, as a password login does (GitHub is its first factor).
    """

    def __init__(
        self,
        uow: UnitOfWork,
        provider: GithubIdentityProvider,
        store: KeyValueStore,
        tokens: TokenService,
        clock: Clock,
        policy: AuthPolicy,
        sanitizer: HtmlSanitizer,
        challenges: LoginChallenges,
    ) -> None:
        self._sanitizer = sanitizer
        self._challenges = challenges
        self._uow = uow
        self._provider = provider
        self._store = store
        self._tokens = tokens
        self._clock = clock
        self._policy = policy

    async def __call__(
        self, state: str | None, code: str | None, browser_nonce: str | None, *, refused: bool = False
    ) -> tuple[TokenPair | Challenge, bool]:
        """Return the tokens (or the second step's challenge) and whether the account was created now.
        ``refused``: GitHub answered with an error instead of a code."""
        self._uow.act_for_system("sign_in:github")
        if not state or len(state) > _MAX_STATE_LENGTH:
            if refused:
                raise GithubLoginRefused
            raise BadRequest(N_("the state parameter is missing"), field="state")
        kept = await self._store.take(_STATE_KEY + state)
        if refused:
            raise GithubLoginRefused
        if kept is None:
            raise BadRequest(STATE_GONE, field="state")
        _, _, digest = state.rpartition(".")
        nonce = (browser_nonce or "")[:_MAX_NONCE_LENGTH]
        if not nonce or not hmac.compare_digest(_nonce_digest(nonce), digest):
            raise BadRequest(OTHER_BROWSER, field="state")
        verifier, _, accepted = kept.partition(_TERMS_SEPARATOR)
        if not code:
            raise BadRequest(N_("the code parameter is missing"), field="code")
        identity = await self._provider.identify(code, verifier)
        now = self._clock.now()
        async with self._uow as uow:
            user = await uow.users.find_by_github_id(identity.github_id)
            created = user is None
            if user is None:
                user = await self._new_learner(uow, identity, accepted or None)
            elif not user.is_active:
                raise Unauthenticated(N_("the account is disabled"))
            second_factor = None if created else await uow.two_factor.find(user.id)
            if second_factor is not None and second_factor.is_enabled:
                return await self._challenges.issue(user.id, user.email, now), False
            pair = await _start_session(uow, self._tokens, user, uuid4(), now, self._policy)
            await uow.audit.record(
                AuditEntry(
                    action="user.logged_in",
                    at=now,
                    actor_id=user.id,
                    subject_type="user",
                    subject_id=str(user.id),
                    details={"method": "github"},
                )
            )
            await uow.commit()
        return pair, created

    async def _new_learner(self, uow: UnitOfWork, identity: GithubIdentity, accepted_terms: str | None) -> User:
        email = noreply_email(identity)
        verified = False
        if identity.verified_email:
            with contextlib.suppress(InvalidInput):  # an address GitHub verified but we cannot take
                email = normalise_email(identity.verified_email)
                verified = True  # GitHub's word on the address counts as ours
        if await uow.users.find_by_email(email) is not None:
            raise Conflict(N_("an account with this email exists; sign in with its password"), field="email")
        name = (identity.name or identity.login).strip()[:_MAX_DISPLAY_NAME] or None
        login = identity.login if is_github_username(identity.login) else None
        raw = plain_profile(self._sanitizer, ProfileInput(display_name=name, github_username=login))
        profile = build_profile(raw, is_mentor=False)
        now = self._clock.now()
        user = User(
            email=email,
            role=Role.LEARNER,
            profile=profile,
            created_at=now,
            updated_at=now,
            github_id=identity.github_id,
            email_verified_at=now if verified else None,
            # Accepted at the login's start; the version may have changed since (then it is asked again).
            terms_version=accepted_terms,
        )
        await uow.users.add(user)
        await uow.audit.record(
            AuditEntry(
                action="user.registered",
                at=now,
                actor_id=user.id,
                subject_type="user",
                subject_id=str(user.id),
                details={
                    "role": user.role.value,
                    "method": "github",
                    "consents": {"terms": accepted_terms is not None},
                },
            )
        )
        if accepted_terms is not None:
            await uow.consents.put(Consent(user.id, ConsentKind.TERMS, True, accepted_terms, now))
        return user
