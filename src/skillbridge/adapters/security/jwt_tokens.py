"""JWT implementation of the TokenService port (PyJWT): HMAC-signed access tokens, opaque refresh tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt

from skillbridge.application.ports.token_service import IssuedAccessToken, IssuedRefreshToken, TokenService
from skillbridge.domain.accounts.sessions import AccessClaims
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Unauthenticated
from skillbridge.domain.texts import N_

MIN_SECRET_BYTES = 32
# RFC 7518 section 3.2: an HMAC key at least as long as the hash output.
_HMAC_ALGORITHMS = {"HS256": 32, "HS384": 48, "HS512": 64}
_REQUIRED_CLAIMS = ["sub", "exp", "iat", "jti", "typ", "iss", "aud"]
_ACCESS = "access"
# Instances of the service may disagree about the time by a little; a token minted by a clock slightly
# ahead is still honest. Expiry itself gets no leeway.
IAT_CLOCK_SKEW_SECONDS = 30
# One message for every failure: telling a caller *why* a token was refused only helps an attacker.
_INVALID = N_("invalid or expired access token")


#: How many verified tokens one process remembers (a few hundred bytes each).
VERIFIED_CACHE_SIZE = 50_000


@dataclass(frozen=True, slots=True)
class _Verified:
    """A token whose signature and claims' shapes were checked; its times still need checking."""

    claims: AccessClaims
    expires_at: int
    issued_at: int
    not_before: int | None


def _timestamp(claims: dict[str, Any], name: str) -> int:
    value = claims[name]
    # bool is an int subclass; a float would let a forger play with sub-second rounding.
    if type(value) is not int:
        raise Unauthenticated(_INVALID)
    return value


class JwtTokenService(TokenService):
    """Signs access tokens with a shared HMAC secret and mints opaque refresh tokens.

    Access tokens carry exactly ``sub`` (user UUID), ``exp``, ``iat``, ``jti``, ``typ="access"``, ``iss``
    and ``aud``, and ``sid`` (the sign-in session's UUID) when issued for one. Verification accepts only
    the configured algorithm and judges time by the ``now`` it is given, with no leeway on expiry, so a
    fixed clock in tests means exactly what it says.

    Refresh tokens are 256 random bits; they are stored as a SHA-256 digest. A fast hash is right here,
    unlike for passwords: with that much entropy there is nothing to brute-force.
    """

    def __init__(
        self,
        secret: str,
        *,
        access_ttl: timedelta,
        issuer: str = "skillbridge",
        audience: str = "skillbridge-api",
        algorithm: str = "HS256",
    ) -> None:
        """Configure the service.

        Args:
            secret: HMAC key, UTF-8 encoded at least as long as the hash: 32 bytes for HS256, 48 for
                HS384, 64 for HS512.
            access_ttl: Lifetime of an access token, at least one second (whole seconds count).
            issuer: The ``iss`` claim written and required.
            audience: The ``aud`` claim written and required.
            algorithm: One of HS256, HS384, HS512; the only algorithm accepted on verification.

        Raises:
            ValueError: Short secret, lifetime under a second, or an algorithm other than HS256/384/512.
        """
        if algorithm not in _HMAC_ALGORITHMS:
            raise ValueError(f"unsupported token algorithm {algorithm!r}; use one of {sorted(_HMAC_ALGORITHMS)}")
        min_bytes = max(MIN_SECRET_BYTES, _HMAC_ALGORITHMS[algorithm])
        if len(secret.encode("utf-8")) < min_bytes:
            raise ValueError(f"the token secret must be at least {min_bytes} bytes for {algorithm}")
        ttl_seconds = int(access_ttl.total_seconds())
        if ttl_seconds < 1:
            raise ValueError("access_ttl must be at least one second")
        self._secret = secret
        self._ttl_seconds = ttl_seconds
        self._issuer = issuer
        self._audience = audience
        self._algorithm = algorithm
        self._verified: dict[str, _Verified] = {}

    def issue_access(self, user_id: UUID, now: datetime, session_id: UUID | None = None) -> IssuedAccessToken:
        """Return a signed access token for ``user_id``, issued at ``now`` (to the second), bound to the
        sign-in session ``session_id`` if given."""
        issued_at = int(utc(now).timestamp())
        expires_at = issued_at + self._ttl_seconds
        jti = secrets.token_urlsafe(16)
        payload = {
            "sub": str(user_id),
            "exp": expires_at,
            "iat": issued_at,
            "jti": jti,
            "typ": _ACCESS,
            "iss": self._issuer,
            "aud": self._audience,
        }
        if session_id is not None:
            payload["sid"] = str(session_id)
        token = jwt.encode(payload, self._secret, algorithm=self._algorithm)
        return IssuedAccessToken(token=token, jti=jti, expires_at=datetime.fromtimestamp(expires_at, UTC))

    def verify_access(self, token: str, now: datetime) -> AccessClaims:
        """Return the claims of a valid access token.

        The signature and the claims' shapes are checked once per token per process (the same bytes
        under the same key give the same answer, and a request path pays ~100 us for PyJWT); the times
        are checked against ``now`` on every call.

        Raises:
            Unauthenticated: bad signature, another key or algorithm (``none`` included), expired at
                ``now``, issued more than ``IAT_CLOCK_SKEW_SECONDS`` after ``now``, malformed, a claim
                missing or mistyped, or ``typ`` other than ``access``. The message is the same for every
                case.
        """
        verified = self._verified.get(token)
        if verified is None:
            verified = self._verify_signed(token)
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                del self._verified[next(iter(self._verified))]  # the oldest goes first
            self._verified[token] = verified
        moment = utc(now).timestamp()
        if moment >= verified.expires_at or verified.issued_at > moment + IAT_CLOCK_SKEW_SECONDS:
            if moment >= verified.expires_at:
                self._verified.pop(token, None)
            raise Unauthenticated(_INVALID)
        if verified.not_before is not None and verified.not_before > moment:
            raise Unauthenticated(_INVALID)
        return verified.claims

    def _verify_signed(self, token: str) -> _Verified:
        """Check the signature and the claims' shapes (not the times); raise Unauthenticated otherwise."""
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                # PyJWT checks times against the wall clock; ``now`` is authoritative, so we do it ourselves.
                options={
                    "require": _REQUIRED_CLAIMS,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise Unauthenticated(_INVALID) from exc

        expires_at = _timestamp(claims, "exp")
        issued_at = _timestamp(claims, "iat")
        not_before = claims.get("nbf")
        if issued_at >= expires_at or (not_before is not None and type(not_before) is not int):
            raise Unauthenticated(_INVALID)
        if claims["typ"] != _ACCESS:
            raise Unauthenticated(_INVALID)
        jti, subject = claims["jti"], claims["sub"]
        if not isinstance(jti, str) or not jti or not isinstance(subject, str):
            raise Unauthenticated(_INVALID)
        session = claims.get("sid")
        try:
            user_id = UUID(subject)
            session_id = None if session is None else UUID(session)
        except (ValueError, TypeError, AttributeError) as exc:
            raise Unauthenticated(_INVALID) from exc
        access = AccessClaims(
            user_id=user_id,
            jti=jti,
            issued_at=datetime.fromtimestamp(issued_at, UTC),
            expires_at=datetime.fromtimestamp(expires_at, UTC),
            session_id=session_id,
        )
        return _Verified(access, expires_at, issued_at, not_before)

    def new_refresh(self) -> IssuedRefreshToken:
        """Return a fresh refresh token (32 random bytes, URL-safe base64) and its storage hash."""
        token = secrets.token_urlsafe(32)
        return IssuedRefreshToken(token=token, token_hash=self.hash_refresh(token))

    def hash_refresh(self, token: str) -> str:
        """Return the SHA-256 hex digest under which ``token`` is stored."""
        return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
