"""What the HTTP adapter needs to know from the settings, without importing the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from skillbridge.application.ports.translator import Translator

#: A readiness check: returns when its dependency answers, raises DependencyUnavailable otherwise.
ReadinessCheck = Callable[[], Awaitable[None]]
#: Runs when /metrics is scraped, before the exposition: sets the gauges read from their source at that moment
#: (so that they cost nothing between scrapes).
ScrapeHook = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class HttpOptions:
    """Web-facing options of one app instance."""

    title: str = "SkillBridge API"
    version: str = "0.1.0"
    debug: bool = False
    cors_origins: Sequence[str] = ()
    rate_limit_per_minute: int = 120
    auth_rate_limit_per_minute: int = 20
    exports_per_hour: int = 3
    max_request_body_bytes: int = 1_048_576
    #: How long a retried POST or PATCH with the same ``Idempotency-Key`` gets the stored answer.
    idempotency_key_ttl_seconds: int = 86_400
    #: How long a request holds its key while it runs (a process that dies frees it after this).
    idempotency_lease_seconds: int = 300
    #: The largest answer kept for replay (a larger one keeps its key: a retry gets 409, not a second run).
    idempotency_max_response_bytes: int = 262_144
    trusted_proxies: Sequence[str] = ()
    stream_handshakes_per_minute: int = 30
    stream_session_check_seconds: float = 50.0
    redis_url: str | None = None
    readiness_checks: dict[str, ReadinessCheck] = field(default_factory=dict)
    scrape_hooks: Sequence[ScrapeHook] = ()
    #: The bearer token /metrics and /ready require (None: they are public).
    ops_token: str | None = None
    #: After SIGTERM, how long the process keeps serving with /ready at 503 before it stops accepting.
    drain_seconds: float = 0.0
    #: Words problem details in the request's language (None: English only).
    translator: Translator | None = None
