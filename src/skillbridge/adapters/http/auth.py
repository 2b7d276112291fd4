"""Who is calling: the bearer token read from the request, verified by the Authenticate use case.

Handlers ask for ``FromDishka[Caller]`` (or ``Principal``); resolving it raises ``Unauthenticated``
(401 with ``WWW-Authenticate: Bearer``) when the token is missing, malformed, expired or revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dishka import Provider, Scope, provide
from dishka.integrations.litestar import LitestarProvider
from litestar import Request

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.accounts.sessions import Authenticate
from skillbridge.domain.accounts.sessions import AccessClaims
from skillbridge.domain.errors import Unauthenticated

BEARER_SCHEME = "BearerToken"
#: Put on every controller whose routes need a signed-in caller, so the OpenAPI document says so.
SECURITY: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}]


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated caller of this request and the claims of the token they used."""

    principal: Principal
    claims: AccessClaims


def bearer_token(request: Request[Any, Any, Any]) -> str:
    """Return the token of an ``Authorization: Bearer <token>`` header, or raise Unauthenticated."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("a bearer access token is required")
    return token.strip()


class HttpAuthProvider(Provider):
    """Provides the caller of the current request to handlers that ask for one."""

    @provide(scope=Scope.REQUEST)
    async def caller(self, request: Request, authenticate: Authenticate) -> Caller:  # type: ignore[type-arg]
        principal, claims = await authenticate(bearer_token(request))
        return Caller(principal, claims)

    @provide(scope=Scope.REQUEST)
    def principal(self, caller: Caller) -> Principal:
        return caller.principal


def client_address(request: Request[Any, Any, Any], *, trust_forwarded_for: bool) -> str:
    """The client's address: the first X-Forwarded-For hop only when a trusted proxy sets it."""
    if trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        first = forwarded.split(",", 1)[0].strip()
        if first:
            return first
    return request.client.host if request.client else "unknown"


def http_providers() -> list[Provider]:
    """The providers the web app adds to the container: the current request and its caller."""
    return [LitestarProvider(), HttpAuthProvider()]
