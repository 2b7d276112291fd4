"""OpenTelemetry tracing: off unless the standard ``OTEL_*`` variables ask for it, and then nothing of
OpenTelemetry is imported (zero cost when off).

On when ``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is set, or
``OTEL_TRACES_EXPORTER`` names an exporter (``otlp``; ``none`` keeps it off); ``OTEL_SDK_DISABLED=true``
turns it off whatever else is set. Spans go over OTLP/HTTP, configured by the usual variables
(``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_EXPORTER_OTLP_HEADERS``, ``OTEL_BSP_*`` ...).

Traced: every HTTP request (Litestar's plugin), every SQL statement (SQLAlchemy), every outgoing HTTP call
(httpx: OpenAI, GitHub, the matcher service, which receive ``traceparent``), every Redis command, and every
job, in the trace of the request that queued it. Log lines carry ``trace_id`` and ``span_id``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar.plugins import PluginProtocol
    from opentelemetry.sdk.trace import SpanProcessor
    from sqlalchemy.ext.asyncio import AsyncEngine
    from taskiq import AsyncBroker

_ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
_state: dict[str, Any] = {}


def tracing_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the ``OTEL_*`` variables ask for traces."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER")
    if exporter is not None:
        return exporter.strip().lower() not in {"", "none"}
    return any(environ.get(name, "").strip() for name in _ENDPOINTS)


def tracing_on() -> bool:
    """Whether this process traces."""
    return "provider" in _state


def start_tracing(processor: SpanProcessor | None = None, *, service_name: str = "skillbridge") -> bool:
    """Start tracing for this process, once, if the environment asks for it or ``processor`` is given (tests:
    an in-memory exporter). Instruments httpx and redis globally. Returns whether tracing is on."""
    if tracing_on():
        return True
    if processor is None and not tracing_requested():
        return False
    try:
        import opentelemetry.sdk  # noqa: F401, PLC0415 - only when tracing is on
    except ImportError:
        raise RuntimeError(
            "the OTEL_* variables ask for traces, but the tracing packages are not installed: install "
            "skillbridge with its tracing extra (uv sync --extra tracing; the Docker image has it), or unset them"
        ) from None
    from opentelemetry import trace  # noqa: PLC0415
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor  # noqa: PLC0415
    from opentelemetry.instrumentation.redis import RedisInstrumentor  # noqa: PLC0415
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource  # noqa: PLC0415
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415

    if processor is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: PLC0415
        from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415

        processor = BatchSpanProcessor(OTLPSpanExporter())
    # Resource.create lets OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the default name.
    defaults = {} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: service_name}
    provider = TracerProvider(resource=Resource.create(defaults))
    provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument()
    RedisInstrumentor().instrument()
    _state["provider"] = provider
    return True


async def flush_traces() -> None:
    """Export the spans still buffered (at shutdown)."""
    provider = _state.get("provider")
    if provider is not None:
        provider.force_flush()


def trace_engine(engine: AsyncEngine) -> None:
    """Trace the SQL statements of ``engine`` (when tracing is on)."""
    if tracing_on():
        from opentelemetry import metrics, trace  # noqa: PLC0415
        from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer  # noqa: PLC0415

        # The instrumentor instruments once per process; an app (and a test) may build several engines, so
        # each gets the instrumentor's own event listeners directly.
        usage = metrics.get_meter("skillbridge").create_up_down_counter(
            "db.client.connections.usage", unit="connections"
        )
        EngineTracer(trace.get_tracer("opentelemetry.instrumentation.sqlalchemy"), engine.sync_engine, usage)  # type: ignore[no-untyped-call]


def trace_jobs(broker: AsyncBroker) -> None:
    """Carry the trace context through the job queue (when tracing is on)."""
    if tracing_on():
        from skillbridge.adapters.jobs.trace_context import TraceContextMiddleware  # noqa: PLC0415

        broker.add_middlewares(TraceContextMiddleware())


def http_tracing_plugins() -> list[PluginProtocol]:
    """Litestar's OpenTelemetry plugin when tracing is on (a server span per request), else nothing."""
    if not tracing_on():
        return []
    from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin  # noqa: PLC0415

    return [OpenTelemetryPlugin(OpenTelemetryConfig(exclude=["/metrics", "/health", "/ready"]))]


def add_trace_ids(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor (only installed when tracing is on): the current trace and span ids."""
    from opentelemetry import trace  # noqa: PLC0415 - cached after the first import

    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict["trace_id"] = format(context.trace_id, "032x")
        event_dict["span_id"] = format(context.span_id, "016x")
    return event_dict


def stop_tracing() -> None:
    """Undo :func:`start_tracing`'s instrumentation and forget the provider (tests; OpenTelemetry keeps the
    global provider, which then receives nothing)."""
    provider = _state.pop("provider", None)
    if provider is None:
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor  # noqa: PLC0415
    from opentelemetry.instrumentation.redis import RedisInstrumentor  # noqa: PLC0415

    HTTPXClientInstrumentor().uninstrument()
    RedisInstrumentor().uninstrument()
    provider.force_flush()
