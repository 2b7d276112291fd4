"""Who may call a route, decided before anything of the request is read.

:class:`AdmissionMiddleware` runs first on every API route (after routing, before guards, body and query
parsing): it takes the bearer token, verifies it, counts the request against its budget (per verified user,
or per client address), and resolves the caller, through :class:`AdmitRequest`. Guards then answer 401 or
403 from that admission alone, so an anonymous or wrong-role caller never learns how a body is validated.

Routes declare their access in ``opt``:

- nothing: a signed-in caller is required (401 otherwise);
- ``opt=PUBLIC``: anyone; ``PUBLIC_SENSITIVE``: anyone, counted per client address on the stricter
  auth budget (register, login, refresh, the start of a GitHub login);
- ``guards=[only(Role.ADMIN)]`` and the like: signed in *and* of one of those roles (403 otherwise).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from dishka import AsyncContainer
from litestar.connection import ASGIConnection
from litestar.datastructures import CacheControlHeader
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from skillbridge.adapters.http.client_address import TrustedProxies, client_address
from skillbridge.application.accounts.authentication import Admission, AdmitRequest, RequestBudget
from skillbridge.application.accounts.principal import Principal
from skillbridge.domain.accounts.roles import Role

#: ``opt`` of a route anyone may call.
PUBLIC: dict[str, Any] = {"public": True}
#: ``opt`` of a public route that costs the server (argon2, GitHub) and is counted per address, strictly.
PUBLIC_SENSITIVE: dict[str, Any] = {"public": True, "budget": "auth"}
#: ``opt`` of a public route outside every request budget (signed deliveries from GitHub).
PUBLIC_UNMETERED: dict[str, Any] = {"public": True, "budget": None}
#: ``opt`` of the live streams: their handshakes have a budget of their own; the token may come in ``?token=``.
STREAM: dict[str, Any] = {"budget": "streams", "token_in_query": True}

#: ``cache_control`` of every response that carries a token: no cache (a proxy, a shared phone's browser) keeps it.
NO_STORE = CacheControlHeader(no_store=True)

_ADMISSION = "admission"
_CLIENT_ADDRESS = "client_address"
_NO_ADMISSION = Admission(None, None)


def address_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client address :class:`AdmissionMiddleware` found for this request (behind trusted proxies)."""
    address = connection.scope.get("state", {}).get(_CLIENT_ADDRESS)
    return address if isinstance(address, str) else "unknown"


def admission_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Admission:
    """The admission :class:`AdmissionMiddleware` made for this request (none: anonymous)."""
    admission = connection.scope.get("state", {}).get(_ADMISSION)
    return admission if isinstance(admission, Admission) else _NO_ADMISSION


# Guards are coroutines: Litestar runs a plain function guard in a worker thread.
async def signed_in(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Guard of every API route: 401 unless the caller is signed in or the route is public."""
    if not handler.opt.get("public"):
        admission_of(connection).require()


def only(*roles: Role) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]:
    """A guard: 401 without a caller, 403 when the caller holds none of ``roles``."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal, _claims = admission_of(connection).require()
        principal.require(*roles)

    return guard


def caller_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The signed-in caller (raises Unauthenticated), for handlers that need it."""
    return admission_of(connection).require()[0]


def _bearer_token(scope: Scope, *, query: bool) -> str | None:
    """The token of an ``Authorization: Bearer`` header (any case, any spacing), else of ``?token=``."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None  # another scheme, or an empty one: no token (the request is anonymous)
    if query:
        for pair in scope.get("query_string", b"").split(b"&"):
            name, _, value = pair.partition(b"=")
            if name == b"token" and value:
                return value.decode("latin-1")
    return None


class AdmissionMiddleware(ASGIMiddleware):
    """Admit each request (see the module docs) and keep the admission in the request's state."""

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    def __init__(self, budgets: dict[str, RequestBudget], proxies: TrustedProxies) -> None:
        self._budgets = budgets
        self._proxies = proxies

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        opt = scope["route_handler"].opt
        budget_name = opt.get("budget", "api")
        budget = None if budget_name is None else self._budgets[budget_name]
        token = _bearer_token(scope, query=bool(opt.get("token_in_query")))
        state = scope["state"]
        address = state[_CLIENT_ADDRESS] = client_address(scope, self._proxies)
        container: AsyncContainer = state["dishka_container"]
        if scope["type"] == ScopeType.WEBSOCKET:
            # A socket's container lives as long as the socket: admit it in a request scope of its own, so
            # nothing the admission took (a database connection) is held for the socket's lifetime.
            async with container() as request_container:
                admit = await request_container.get(AdmitRequest)
                state[_ADMISSION] = await admit(token, address, budget)
            await next_app(scope, receive, send)
            return
        admit = await container.get(AdmitRequest)
        admission = state[_ADMISSION] = await admit(token, address, budget)
        quota = admission.quota
        if quota is None:
            await next_app(scope, receive, send)
            return
        limits = [
            (b"ratelimit-limit", str(quota.limit).encode()),
            (b"ratelimit-remaining", str(quota.remaining).encode()),
            (b"ratelimit-reset", str(quota.reset_seconds).encode()),
        ]

        async def send_with_quota(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *limits]
            await send(message)

        await next_app(scope, receive, send_with_quota)
