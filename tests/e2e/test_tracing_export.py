"""Traces leave ``skillbridge serve`` over OTLP/HTTP when the standard OTEL_* variables say so: a local
receiver that speaks the protocol gets one trace per request, with the request's server span and its SQL
statements, from the service named by the resource."""

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

from tests.e2e.test_server_process import running_server
from tests.integration.helpers import register_body

pytestmark = pytest.mark.asyncio


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
        async with running_server(tmp_path) as server, httpx.AsyncClient(base_url=server.base_url) as client:
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
