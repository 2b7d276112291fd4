"""Assembling the Litestar application from the controllers, the container and the options."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import structlog
from dishka import AsyncContainer
from dishka.integrations.litestar import setup_dishka
from litestar import Litestar, Request, Response, Router, get
from litestar.channels import ChannelsPlugin
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins import PluginProtocol
from litestar.plugins.prometheus import PrometheusController
from litestar.types import AfterExceptionHookHandler

from skillbridge.adapters.http.access import AdmissionMiddleware, operators_only
from skillbridge.adapters.http.allow import complete_allow_header
from skillbridge.adapters.http.auth import BEARER_SCHEME
from skillbridge.adapters.http.client_address import TrustedProxies
from skillbridge.adapters.http.controllers.admin import AdminAuditController, AdminUsersController
from skillbridge.adapters.http.controllers.auth import AuthController
from skillbridge.adapters.http.controllers.badges import BadgesController
from skillbridge.adapters.http.controllers.email import EmailController
from skillbridge.adapters.http.controllers.forum import ForumController
from skillbridge.adapters.http.controllers.github import GithubAuthController, GithubWebhookController
from skillbridge.adapters.http.controllers.health import HealthController
from skillbridge.adapters.http.controllers.jobs import AdminJobsController
from skillbridge.adapters.http.controllers.matches import MatchesController
from skillbridge.adapters.http.controllers.notification_preferences import (
    NotificationPreferencesController,
    UnsubscribeController,
)
from skillbridge.adapters.http.controllers.notifications import NotificationsController
from skillbridge.adapters.http.controllers.places import PlacesController
from skillbridge.adapters.http.controllers.progress import ProgressController, RoadmapRepositoryController
from skillbridge.adapters.http.controllers.recovery import PasswordController
from skillbridge.adapters.http.controllers.roadmaps import DomainsController, RoadmapsController
from skillbridge.adapters.http.controllers.sessions import SessionsController
from skillbridge.adapters.http.controllers.two_factor import TwoFactorController
from skillbridge.adapters.http.controllers.users import UsersController
from skillbridge.adapters.http.draining import Drain
from skillbridge.adapters.http.idempotency import REPLAYED_HEADER, IdempotencyMiddleware, IdempotencyPolicy
from skillbridge.adapters.http.injection import InjectingRouter
from skillbridge.adapters.http.metrics import RequestMetricsMiddleware
from skillbridge.adapters.http.observability import request_context_middleware
from skillbridge.adapters.http.openapi import ClosedStructSchemaPlugin, ProblemResponsesPlugin
from skillbridge.adapters.http.options import HttpOptions
from skillbridge.adapters.http.problems import EXCEPTION_HANDLERS
from skillbridge.adapters.http.realtime import notifications_socket, notifications_stream, push_stored_notifications
from skillbridge.adapters.http.strict_body import refuse_lax_input
from skillbridge.application.accounts.authentication import RequestBudget

API_PREFIX = "/api/v1"
_log = structlog.get_logger(__name__)


class MetricsController(PrometheusController):
    """Prometheus' text exposition, for scrapers: kept out of the OpenAPI document, which would call it JSON.
    The scrape hooks set the gauges that are read from their source only when scraped."""

    include_in_schema = False
    guards = [operators_only]

    @get()
    async def get(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        options: HttpOptions = request.app.state.http_options
        for hook in options.scrape_hooks:
            try:
                await hook()
            except Exception:  # a source that does not answer leaves its gauges as they were, never a 500
                _log.warning("metrics_scrape_hook_failed", hook=getattr(hook, "__name__", "?"), exc_info=True)
        return await PrometheusController.get.fn(self)  # type: ignore[no-any-return]


def _admission(options: HttpOptions) -> AdmissionMiddleware:
    budgets = {
        "api": RequestBudget("api", options.rate_limit_per_minute),
        "auth": RequestBudget("auth", options.auth_rate_limit_per_minute, per_address=True),
        # Typed a letter at a time by people not yet signed in: per address, on the API's rate, whoever calls.
        "places": RequestBudget("places", options.rate_limit_per_minute, per_address=True),
        "streams": RequestBudget("streams", options.stream_handshakes_per_minute),
        # A whole export reads everything about a person: a few an hour is plenty, and bounds the load.
        "exports": RequestBudget("exports", options.exports_per_hour, window_seconds=3600),
    }
    return AdmissionMiddleware(budgets, TrustedProxies.parse(options.trusted_proxies))


def _idempotency(options: HttpOptions) -> IdempotencyMiddleware:
    return IdempotencyMiddleware(
        IdempotencyPolicy(
            ttl_seconds=options.idempotency_key_ttl_seconds,
            lease_seconds=options.idempotency_lease_seconds,
            max_response_bytes=options.idempotency_max_response_bytes,
            max_request_bytes=options.max_request_body_bytes,
        )
    )


def build_app(
    options: HttpOptions,
    container: AsyncContainer,
    on_shutdown: Sequence[Callable[[], Awaitable[None]]] = (),
    on_startup: Sequence[Callable[[], Awaitable[None]]] = (),
    *,
    channels: ChannelsPlugin,
    tracing_plugins: Sequence[PluginProtocol] = (),
    after_exception: Sequence[AfterExceptionHookHandler[Exception]] = (),
) -> Litestar:
    """The web application over ``container``; ``on_startup`` hooks run when the server starts,
    ``on_shutdown`` hooks when it stops."""
    # Every API route: admitted first (token verified, request counted, caller resolved, 401/403 decided),
    # and only then are its body and query read; a retried POST or PATCH (Idempotency-Key) of an admitted
    # caller is answered from the store after that.
    admission = _admission(options)
    drain = Drain()

    async def drain_on_sigterm() -> None:
        drain.install_sigterm_handler(options.drain_seconds)

    api = InjectingRouter(
        path=API_PREFIX,
        route_handlers=[
            AuthController,
            PasswordController,
            EmailController,
            SessionsController,
            TwoFactorController,
            NotificationPreferencesController,
            UnsubscribeController,
            GithubAuthController,
            UsersController,
            PlacesController,
            AdminUsersController,
            AdminAuditController,
            AdminJobsController,
            RoadmapsController,
            DomainsController,
            MatchesController,
            BadgesController,
            ProgressController,
            RoadmapRepositoryController,
            GithubWebhookController,
            NotificationsController,
            ForumController,
        ],
        middleware=[admission, _idempotency(options)],
        # After admission (401/403 first), before Litestar's lax parse: a body fits its type as sent or is 422.
        before_request=refuse_lax_input,
    )
    app = Litestar(
        route_handlers=[
            api,
            # Long-lived connections: outside the per-minute request limit, authenticated by the handlers.
            Router(
                path=API_PREFIX,
                route_handlers=[notifications_socket, notifications_stream],
                middleware=[admission],
            ),
            Router(path="/", route_handlers=[HealthController]),
            MetricsController,
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[RequestMetricsMiddleware()],
        compression_config=CompressionConfig(backend="brotli", brotli_gzip_fallback=True, minimum_size=512),
        # A browser app reads whether an answer was replayed only if the header is exposed.
        cors_config=CORSConfig(
            allow_origins=list(options.cors_origins),
            allow_credentials=False,
            expose_headers=[REPLAYED_HEADER],
        )
        if options.cors_origins
        else None,
        openapi_config=OpenAPIConfig(
            title=options.title,
            version=options.version,
            path="/schema",
            description="SkillBridge: skill roadmaps, mentor matching, progress and community for digital learners.",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
            components=Components(
                security_schemes={BEARER_SCHEME: SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
            ),
        ),
        plugins=[
            ProblemResponsesPlugin(API_PREFIX),
            ClosedStructSchemaPlugin(),
            channels,
            *tracing_plugins,
        ],
        after_response=push_stored_notifications,
        before_send=[complete_allow_header],
        request_max_body_size=options.max_request_body_bytes,
        debug=options.debug,
        logging_config=None,  # logging is configured once by the composition root (JSON, redacted)
        on_startup=[drain_on_sigterm, *on_startup],
        after_exception=list(after_exception),
        on_shutdown=list(on_shutdown),
    )
    app.state.http_options = options
    app.state.translator = options.translator
    app.state.drain = drain
    setup_dishka(container, app)
    app.asgi_handler = request_context_middleware(app.asgi_handler, log_in_response_context=bool(tracing_plugins))
    return app
