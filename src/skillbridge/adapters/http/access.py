"""Who may call a route, decided before anything of the request is read.

:class:`AdmissionMiddleware` runs first on every API route (after routing, before guards, body and query
parsing): it takes the bearer token, verifies it, counts the request against its budget (per verified user,
or per client address), and resolves the caller, through :class:`AdmitRequest`.

Routes declare their access in ``opt``, and the middleware answers 401 or 403 from the admission alone,
so an anonymous or wrong-role caller never learns how a body is validated:

- nothing: a signed-in caller is required (401 otherwise);
- ``opt=PUBLIC``: anyone; ``PUBLIC_SENSITIVE``: anyone, counted per client address on the stricter
  auth budget (register, login, refresh, the start of a GitHub login);
- ``opt=only(Role.ADMIN)`` and the like: signed in *and* of one of those roles (403 otherwise).

A signed-in caller who has yet to accept the terms version in force (``SKILLBRIDGE_TERMS_VERSION``) gets
``SkillBridge-Consent-Required: terms`` on every response, and 403 (type ``.../consent-required``) on every
write but those marked ``opt=CONSENT_EXEMPT`` (the consent call, ending sessions, the password, erasure).

``OPTIONS`` on any path is open to anyone: its answer is the path's ``Allow`` header and nothing more.
"""

from __future__ import annotations

import hmac
from typing import Any

from dishka import AsyncContainer
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import CacheControlHeader
from litestar.enums import ScopeType
from litestar.handlers import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from skillbridge.adapters.http.admission_state import ADMISSION_KEY
from skillbridge.adapters.http.client_address import TrustedProxies, client_address
from skillbridge.adapters.http.problems import domain_error_handler
from skillbridge.application.accounts.authentication import AdmitRequest, Quota, RequestBudget
from skillbridge.application.accounts.consents import TermsPolicy
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import DomainError, Unauthenticated
from skillbridge.domain.texts import N_

#: ``opt`` of a route anyone may call.
PUBLIC: dict[str, Any] = {"public": True}
#: ``opt`` of a public route that costs the server (argon2, GitHub) and is counted per address, strictly.
PUBLIC_SENSITIVE: dict[str, Any] = {"public": True, "budget": "auth"}
#: ``opt`` of the place autocomplete: anyone may call it (sign-up forms use it), counted per client address.
PLACES: dict[str, Any] = {"public": True, "budget": "places"}
#: ``opt`` of a public route outside every request budget (signed deliveries from GitHub).
PUBLIC_UNMETERED: dict[str, Any] = {"public": True, "budget": None}
#: ``opt`` of a signed-in route on a budget of its own: the export of one's data (``exports`` per hour).
EXPORT: dict[str, Any] = {"budget": "exports"}
#: ``opt`` of the live streams: their handshakes have a budget of their own; the token may come in ``?token=``.
STREAM: dict[str, Any] = {"budget": "streams", "token_in_query": True}

#: ``opt`` of a signed-in write allowed while the caller has yet to accept the terms version in force: the
#: consent call itself, ending sessions, changing the password, and erasing the account.
CONSENT_EXEMPT: dict[str, Any] = {"consent_exempt": True}
#: The header of every signed-in response while the caller has yet to accept the terms version in force.
CONSENT_REQUIRED_HEADER = b"skillbridge-consent-required"
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: ``cache_control`` of every response that carries a token: no cache (a proxy, a shared phone's browser) keeps it.
NO_STORE = CacheControlHeader(no_store=True)

_CLIENT_ADDRESS = "client_address"


def address_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client address :class:`AdmissionMiddleware` found for this request (behind trusted proxies)."""
    address = connection.scope.get("state", {}).get(_CLIENT_ADDRESS)
    return address if isinstance(address, str) else "unknown"


def only(*roles: Role) -> dict[str, Any]:
    """``opt`` of a route (or a controller) that callers of ``roles`` only may call: 403 for the others."""
    return {"roles": roles}


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


def operators_only(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """Guard of the operators' endpoints (/metrics, /ready): when the app has an ops token, the request must
    carry it as its bearer token (401 otherwise); without one they are public (the embedded default)."""
    expected = connection.app.state.http_options.ops_token
    if expected is None:
        return
    token = _bearer_token(connection.scope, query=False)
    if token is None or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Unauthenticated(N_("this endpoint needs the operators' token (SKILLBRIDGE_OPS_TOKEN) as bearer token"))


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
                state[ADMISSION_KEY] = await admit(token, address, budget)
            await next_app(scope, receive, send)
            return
        admit = await container.get(AdmitRequest)
        admission = state[ADMISSION_KEY] = await admit(token, address, budget)
        send = _releasing_connection(send, container)
        quota = admission.quota
        if quota is not None:
            send = _reporting_quota(send, quota)
        # Decided here rather than in Litestar guards: they run on a copy of the route handler per call.
        if not opt.get("public") and not _asks_for_the_methods(scope):
            try:
                principal, _ = admission.require()  # 401
                if roles := opt.get("roles"):
                    principal.require(*roles)  # 403
                terms = await container.get(TermsPolicy)
                if terms.requires_consent(principal):
                    send = _flagging_consent(send)
                    if scope.get("method") not in _READ_METHODS and not opt.get("consent_exempt"):
                        terms.require_consent(principal)  # 403 consent-required
            except DomainError as refusal:
                request: Request[Any, Any, Any] = Request(scope, receive)
                await domain_error_handler(request, refusal).to_asgi_response(app=None, request=request)(
                    scope, receive, send
                )
                return
        await next_app(scope, receive, send)


def _asks_for_the_methods(scope: Scope) -> bool:
    """An OPTIONS request, which Litestar answers for every path with ``Allow`` (the path's methods) and nothing
    else: what the OpenAPI document already tells anyone, so it is open to anyone (and counted like the rest)."""
    return scope.get("method") == "OPTIONS"


def _releasing_connection(send: Send, container: AsyncContainer) -> Send:
    """``send``, giving the request's database connection back to the pool as the response starts: the
    answer is complete by then, and a slow client (or the push of notifications after the response) must
    not hold a connection that other requests are queueing for."""

    async def send_releasing(message: Message) -> None:
        if message["type"] == "http.response.start":
            await (await container.get(UnitOfWork)).release()
        await send(message)

    return send_releasing


def _flagging_consent(send: Send) -> Send:
    """``send``, with the header that tells the client a consent call is due."""

    async def send_flagged(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), (CONSENT_REQUIRED_HEADER, b"terms")]
        await send(message)

    return send_flagged


def _reporting_quota(send: Send, quota: Quota) -> Send:
    """``send``, with the caller's standing in their budget added to the response's headers."""
    limits = [
        (b"ratelimit-limit", str(quota.limit).encode()),
        (b"ratelimit-remaining", str(quota.remaining).encode()),
        (b"ratelimit-reset", str(quota.reset_seconds).encode()),
    ]

    async def send_with_quota(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), *limits]
        await send(message)

    return send_with_quota
