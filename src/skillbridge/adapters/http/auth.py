"""Who is calling, for handlers: the caller that :class:`~skillbridge.adapters.http.access.AdmissionMiddleware`
admitted, handed out by the container.

Handlers ask for ``FromDishka[Caller]`` (or ``Principal``). The admission has already answered 401 or 403
when there is no fitting caller, so resolving one here never touches the token or the database again.
"""

from __future__ import annotations

from dataclasses import dataclass

from dishka import Provider, Scope, provide
from dishka.integrations.litestar import LitestarProvider
from litestar import Request

from skillbridge.adapters.http.admission_state import admission_of
from skillbridge.application.accounts.principal import Principal
from skillbridge.domain.accounts.sessions import AccessClaims

BEARER_SCHEME = "BearerToken"
#: Put on every controller whose routes need a signed-in caller, so the OpenAPI document says so.
SECURITY: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}]


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated caller of this request and the claims of the token they used."""

    principal: Principal
    claims: AccessClaims


class HttpAuthProvider(Provider):
    """Provides the caller of the current request to handlers that ask for one."""

    @provide(scope=Scope.REQUEST)
    def caller(self, request: Request) -> Caller:  # type: ignore[type-arg]
        principal, claims = admission_of(request).require()
        return Caller(principal, claims)

    @provide(scope=Scope.REQUEST)
    def principal(self, caller: Caller) -> Principal:
        return caller.principal


def http_providers() -> list[Provider]:
    """The providers the web app adds to the container: the current request and its caller."""
    return [LitestarProvider(), HttpAuthProvider()]
