"""OpenTelemetry tracing with the SDK's in-memory exporter: a request is one trace (its server span and its
SQL statements), its log lines carry the trace and span ids, and a job queued on the real Redis queue runs in
the trace of the code that queued it."""

from __future__ import annotations

from tests.support.apps import build_test_app
from tests.support.optional import require_module

require_module("opentelemetry.sdk", "uv sync --extra tracing; make test installs it")

# ruff: noqa: E402 - the imports below need the tracing extra, checked above

import asyncio
import json
from collections.abc import Callable, Iterator
from uuid import uuid4

import pytest
from litestar.testing import AsyncTestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from redis.asyncio import Redis

from skillbridge.adapters.jobs.taskiq_runtime import JobRuntime, JobSpec, RetryPolicy
from skillbridge.main import Settings
from skillbridge.main.tracing import start_tracing, stop_tracing, trace_jobs, tracing_requested
from tests.integration.helpers import register_body
from tests.support.databases import redis_url_or_skip

pytestmark = pytest.mark.asyncio
WAIT_SECONDS = 30.0
_exporter = InMemorySpanExporter()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    # One provider per process (OpenTelemetry allows one); started for this test only.
    start_tracing(SimpleSpanProcessor(_exporter))
    _exporter.clear()
    try:
        yield _exporter
    finally:
        stop_tracing()


def _server_span(finished: tuple[ReadableSpan, ...], name: str) -> ReadableSpan:
    return next(s for s in finished if s.kind is SpanKind.SERVER and s.name == name)


async def test_a_request_is_one_trace_with_its_sql_and_its_log_lines_carry_the_ids(
    spans: InMemorySpanExporter, make_settings: Callable[..., Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    async with AsyncTestClient(app=build_test_app(make_settings())) as client:
        capsys.readouterr()
        response = await client.post("/api/v1/auth/register", json=register_body("traced@example.org"))
        assert response.status_code == 201
        logged = capsys.readouterr().out
    finished = spans.get_finished_spans()
    server = _server_span(finished, "POST /api/v1/auth/register")
    trace_id = server.context.trace_id
    statements = [s for s in finished if (s.attributes or {}).get("db.statement")]
    inserts = [s for s in statements if str((s.attributes or {})["db.statement"]).startswith("INSERT INTO users")]
    assert inserts, [s.name for s in finished]
    assert all(s.context.trace_id == trace_id for s in inserts)
    access = next(json.loads(line) for line in logged.splitlines() if '"skillbridge.access"' in line)
    assert access["trace_id"] == format(trace_id, "032x")
    assert len(access["span_id"]) == 16


async def test_a_job_runs_in_the_trace_that_queued_it(spans: InMemorySpanExporter) -> None:
    url = await redis_url_or_skip()
    key = f"skillbridge:test-jobs:{uuid4().hex}"
    ran = asyncio.Event()

    async def traced_job() -> None:
        ran.set()

    runtime = JobRuntime.on_redis(url, RetryPolicy(), queue_key=key)
    trace_jobs(runtime.broker)

    async def no_failures(*_: object) -> None:
        raise AssertionError("the job may not fail")

    runtime.register([JobSpec("traced", traced_job, timeout_seconds=10, max_attempts=1)], on_failed=no_failures)
    await runtime.startup()
    stop = asyncio.Event()
    worker = asyncio.create_task(runtime.run_worker(stop=stop, grace_seconds=5))
    try:
        with trace.get_tracer("test").start_as_current_span("a request") as request_span:
            await runtime.queue.enqueue("traced", {})
        await asyncio.wait_for(ran.wait(), WAIT_SECONDS)
        stop.set()
        await asyncio.wait_for(worker, WAIT_SECONDS)
    finally:
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        await runtime.shutdown()
        client = Redis.from_url(url)
        await client.delete(key, f"{key}:retries")
        await client.aclose()
    job = next(s for s in spans.get_finished_spans() if s.name == "job traced")
    assert job.kind is SpanKind.CONSUMER
    assert job.context.trace_id == request_span.get_span_context().trace_id
    assert job.parent is not None
    assert job.parent.span_id == request_span.get_span_context().span_id


@pytest.mark.parametrize(
    ("environment", "requested"),
    [
        ({}, False),
        ({"OTEL_SERVICE_NAME": "skillbridge"}, False),  # naming a service asks for nothing
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, False),
    ],
)
async def test_tracing_is_off_unless_the_otel_variables_ask(environment: dict[str, str], requested: bool) -> None:
    assert tracing_requested(environment) is requested
