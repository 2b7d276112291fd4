"""``create_app``: the one way to get a configured web application."""

from __future__ import annotations

import gc

from dishka import AsyncContainer, Provider
from litestar import Litestar
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from skillbridge.adapters.http.app import build_app
from skillbridge.adapters.http.auth import http_providers
from skillbridge.adapters.http.observability import configure_logging
from skillbridge.adapters.http.options import HttpOptions, ReadinessCheck
from skillbridge.adapters.i18n.catalogs import shared_translator
from skillbridge.adapters.realtime.channels import build_channels_plugin, channels_redis_client
from skillbridge.application.accounts.decoy import DecoyHash
from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.domain.errors import DependencyUnavailable
from skillbridge.domain.texts import N_
from skillbridge.main.container import build_container
from skillbridge.main.error_reports import report_exception, start_error_reports
from skillbridge.main.jobs import JobsProvider, build_job_runtime, register_jobs
from skillbridge.main.metrics import scrape_hooks
from skillbridge.main.production import require_production_ready
from skillbridge.main.providers import RealtimeProvider
from skillbridge.main.settings import Settings
from skillbridge.main.tracing import add_trace_ids, flush_traces, http_tracing_plugins, start_tracing, trace_jobs

VERSION = "0.1.0"


def _readiness_checks(settings: Settings, container: AsyncContainer) -> dict[str, ReadinessCheck]:
    async def database() -> None:
        if settings.uses_memory_database:
            return
        engine = await container.get(AsyncEngine)
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:
            raise DependencyUnavailable(N_("the database does not answer")) from exc

    async def redis() -> None:
        await (await container.get(KeyValueStore)).ping()

    checks: dict[str, ReadinessCheck] = {"database": database}
    if settings.redis_url:
        checks["redis"] = redis
    return checks


async def freeze_startup_objects() -> None:
    """Move everything made while starting (modules, the app, the container, caches) out of the garbage
    collector's sight: it lives as long as the process, and a full collection no longer walks it, which
    shortens the pauses that show up in the slowest requests. Objects made later are collected as usual."""
    gc.collect()
    gc.freeze()


def create_served_app() -> Litestar:
    """:func:`create_app` for a server process (``skillbridge serve``): the same app, which also freezes
    its start-up objects (:func:`freeze_startup_objects`). Not for tests or scripts that make many apps in
    one process: each freeze would keep the previous apps' reference cycles for good."""
    app = create_app()
    app.on_startup.append(freeze_startup_objects)
    return app


def create_app(settings: Settings | None = None, *override_providers: Provider) -> Litestar:
    """Build the SkillBridge web application.

    Args:
        settings: the settings to use; read from ``SKILLBRIDGE_*`` variables when omitted.
        *override_providers: dishka providers whose types replace the defaults (fakes in tests).
    """
    settings = settings or Settings()
    require_production_ready(settings, serving_http=True)
    tracing = start_tracing()
    configure_logging(settings.log_level, json=settings.log_json, extra_processors=(add_trace_ids,) if tracing else ())
    reporting_errors = start_error_reports(settings)
    redis = channels_redis_client(settings.redis_url) if settings.redis_url else None
    channels = build_channels_plugin(redis)
    jobs = build_job_runtime(settings)
    trace_jobs(jobs.broker)
    container = build_container(
        settings, *override_providers, extra=(*http_providers(), RealtimeProvider(channels), JobsProvider(jobs))
    )
    register_jobs(jobs, container, settings)
    checks = _readiness_checks(settings, container)
    options = HttpOptions(
        version=VERSION,
        cors_origins=settings.cors_origins,
        rate_limit_per_minute=settings.rate_limit_per_minute,
        auth_rate_limit_per_minute=settings.auth_rate_limit_per_minute,
        exports_per_hour=settings.exports_per_hour,
        max_request_body_bytes=settings.max_request_body_bytes,
        idempotency_key_ttl_seconds=settings.idempotency_key_ttl_seconds,
        idempotency_lease_seconds=settings.idempotency_lease_seconds,
        idempotency_max_response_bytes=settings.idempotency_max_response_bytes,
        trusted_proxies=tuple(settings.trusted_proxies),
        stream_handshakes_per_minute=settings.stream_handshakes_per_minute,
        stream_session_check_seconds=settings.stream_session_check_seconds,
        redis_url=settings.redis_url,
        readiness_checks=checks,
        scrape_hooks=scrape_hooks(settings, container, redis, checks),
        ops_token=settings.ops_token.get_secret_value() if settings.ops_token else None,
        drain_seconds=settings.shutdown_drain_seconds,
        translator=shared_translator(),
    )

    async def make_the_decoy_hash() -> None:
        # Made before the first login, so no login pays for it (see DecoyHash).
        await (await container.get(DecoyHash)).get()

    async def start_jobs() -> None:
        await jobs.startup(tolerate_unavailable=True)
        if jobs.runs_inline:  # embedded: this process keeps the clock; in production `skillbridge worker` does
            jobs.start_scheduler(first_runs_now=False)

    shutdown = [jobs.shutdown, container.close, *([redis.aclose] if redis is not None else []), flush_traces]
    return build_app(
        options,
        container,
        on_startup=[make_the_decoy_hash, start_jobs],
        on_shutdown=shutdown,
        channels=channels,
        tracing_plugins=http_tracing_plugins(),
        after_exception=[report_exception] if reporting_errors else [],
    )
