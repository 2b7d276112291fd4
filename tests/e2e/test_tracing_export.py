"""Traces leave ``skillbridge serve`` and the matcher-rs service over OTLP/HTTP when the standard OTEL_* variables
say so: a local receiver that speaks the protocol gets one trace per request, with the request's server span and
its SQL statements, from the service named by the resource; a request the remote matching engine serves is one
trace across both processes, the Rust service's span a child of the Python call's."""

from __future__ import annotations

from tests.support.optional import require_module

require_module("opentelemetry.sdk", "uv sync --extra tracing; make test installs it")

# ruff: noqa: E402 - the imports below need the tracing extra, checked above

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from tests.e2e.test_server_process import REQUEST_TIMEOUT_SECONDS, running_server
from tests.integration.helpers import PASSWORD, register_body
from tests.support.matching import running_service, service_binary

pytestmark = pytest.mark.asyncio

# OTLP's SpanKind numbers (opentelemetry-proto trace.proto).
SERVER, CLIENT = 2, 3


@contextmanager
def otlp_receiver() -> Iterator[tuple[str, list[ExportTraceServiceRequest]]]:
    """A loopback OTLP/HTTP traces endpoint (protobuf); yields its base URL and what it received."""
    received: list[ExportTraceServiceRequest] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/v1/traces":
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                received.append(request)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


async def test_a_request_reaches_the_otlp_receiver_as_one_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with otlp_receiver() as (endpoint, received):
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
        monkeypatch.setenv("OTEL_SERVICE_NAME", "skillbridge-e2e")
        monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "100")
        async with (
            running_server(tmp_path) as server,
            httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client,
        ):
            response = await client.post("/api/v1/auth/register", json=register_body("otlp@example.org"))
            assert response.status_code == 201
        # The server stopped (SIGTERM): its buffered spans were flushed on the way out.
    spans = [
        (resource_spans.resource, span)
        for request in received
        for resource_spans in request.resource_spans
        for scope_spans in resource_spans.scope_spans
        for span in scope_spans.spans
    ]
    register = [span for _, span in spans if span.name == "POST /api/v1/auth/register" and span.kind == 2]
    assert len(register) == 1, [span.name for _, span in spans]
    trace_id = register[0].trace_id
    statements = [
        span for _, span in spans if span.trace_id == trace_id and any(a.key == "db.statement" for a in span.attributes)
    ]
    assert statements, "no SQL span in the request's trace"
    names = {a.value.string_value for resource, _ in spans for a in resource.attributes if a.key == "service.name"}
    assert names == {"skillbridge-e2e"}


def _spans_by_service(received: list[ExportTraceServiceRequest]) -> list[tuple[str, Span]]:
    """Every received span with the ``service.name`` of its resource."""
    return [
        (
            next(a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name"),
            span,
        )
        for request in received
        for resource_spans in request.resource_spans
        for scope_spans in resource_spans.scope_spans
        for span in scope_spans.spans
    ]


async def test_a_request_served_by_the_matcher_service_is_one_trace_across_both_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    binary = service_binary()
    with otlp_receiver() as (endpoint, received):
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
        monkeypatch.setenv("OTEL_SERVICE_NAME", "skillbridge-e2e")
        monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "100")
        with running_service(binary, env={"OTEL_SERVICE_NAME": "matcher-e2e"}) as matcher_url:
            async with (
                running_server(tmp_path, matcher_url=matcher_url) as server,
                httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client,
            ):
                for email, role in (("mentor@example.org", "mentor"), ("learner@example.org", "learner")):
                    registered = await client.post("/api/v1/auth/register", json=register_body(email, role=role))
                    assert registered.status_code == 201, registered.text
                login = await client.post(
                    "/api/v1/auth/login", json={"email": "learner@example.org", "password": PASSWORD}
                )
                assert login.status_code == 200, login.text
                bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
                recommended = await client.get("/api/v1/matches/recommendations", headers=bearer)
                assert recommended.status_code == 200, recommended.text
                assert recommended.json()["total"] == 1  # the one mentor, scored by the service
        # Both processes stopped on SIGTERM and flushed their buffered spans on the way out.
    spans = _spans_by_service(received)
    python = {span.span_id: span for service, span in spans if service == "skillbridge-e2e"}
    rust = [span for service, span in spans if service == "matcher-e2e"]
    request = [s for s in python.values() if s.kind == SERVER and s.name == "GET /api/v1/matches/recommendations"]
    assert len(request) == 1, sorted(s.name for s in python.values())
    served = [span for span in rust if span.kind == SERVER and span.name == "POST /recommend"]
    assert len(served) == 1, [span.name for span in rust]
    assert served[0].trace_id == request[0].trace_id
    # Its parent is the API's outgoing HTTP call (httpx's client span), which descends from the request's span.
    caller = python[served[0].parent_span_id]
    assert caller.kind == CLIENT
    assert caller.trace_id == request[0].trace_id
    ancestor = caller
    while ancestor.parent_span_id in python and ancestor.span_id != request[0].span_id:
        ancestor = python[ancestor.parent_span_id]
    assert ancestor.span_id == request[0].span_id
    # The scoring work is a span of the service under its server span.
    work = [span for span in rust if span.name == "matcher.top_k"]
    assert len(work) == 1
    assert (work[0].trace_id, work[0].parent_span_id) == (request[0].trace_id, served[0].span_id)
