"""A local endpoint that speaks Sentry's envelope protocol: it keeps every envelope the SDK sends."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import brotli


@dataclass
class SentryServer:
    dsn: str
    #: Each envelope as its list of items: (item header, payload).
    envelopes: list[list[tuple[dict[str, Any], Any]]] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)

    def events(self) -> list[dict[str, Any]]:
        return [payload for items in self.envelopes for header, payload in items if header.get("type") == "event"]


def _decode(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        return bytes(brotli.decompress(body))
    if encoding == "deflate":
        return zlib.decompress(body)
    return body


def _items(envelope: bytes) -> list[tuple[dict[str, Any], Any]]:
    lines = envelope.split(b"\n")
    items = []
    position = 1  # line 0 is the envelope's header
    while position + 1 < len(lines):
        header = json.loads(lines[position])
        payload = lines[position + 1]
        items.append((header, json.loads(payload) if header.get("type") in {"event", "transaction"} else payload))
        position += 2
    return items


@contextmanager
def sentry_server() -> Iterator[SentryServer]:
    """Serve on a free loopback port; the DSN points the SDK at it (project 42)."""
    received = SentryServer(dsn="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            envelope = _decode(body, self.headers.get("Content-Encoding", ""))
            received.raw.append(envelope)
            received.envelopes.append(_items(envelope))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    received.dsn = f"http://public-key@127.0.0.1:{server.server_address[1]}/42"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()
