"""A local HTTP server speaking the OpenAI Chat Completions wire format, scripted per test.

The real openai SDK talks to it over real HTTP (``base_url=server.url``): nothing is patched. Each request to
``POST /chat/completions`` takes the next scripted :class:`Reply` (the last one repeats) and is recorded.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer: a status, a body (a dict is sent as JSON), headers, and a delay before it."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    #: Set: the reply waits until the test sets it (bounded by 30 s), so a request can be held in flight.
    hold: threading.Event | None = None


def completion(content: str, *, prompt_tokens: int = 120, completion_tokens: int = 480) -> Reply:
    """A successful chat completion whose message content is ``content``."""
    return Reply(
        body={
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": "gpt-test",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": None},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    )


def error(status: int, code: str | None = None, *, message: str = "scripted error", **headers: str) -> Reply:
    """An API error in OpenAI's error envelope."""
    kind = code or ("rate_limit_exceeded" if status == 429 else "server_error")
    return Reply(
        status=status,
        body={"error": {"message": message, "type": kind, "param": None, "code": code}},
        headers={name.replace("_", "-"): value for name, value in headers.items()},
    )


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float


class FakeOpenAI:
    """The scripted server; ``requests`` lists what it received, ``answered`` counts the replies it finished
    sending (a client that gave up on a slow reply leaves it uncounted)."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self._script: list[Reply] = [completion("{}")]
        self._lock = threading.Lock()
        self.requests: list[Recorded] = []
        self.answered = 0

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script = list(replies)

    def next_reply(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            return self._script.pop(0) if len(self._script) > 1 else self._script[0]

    def count_answer(self) -> None:
        with self._lock:
            self.answered += 1


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            raw = self.rfile.read(length)
            recorded = Recorded(
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=json.loads(raw or b"{}"),
                at=time.monotonic(),
            )
            on_path = self.path == "/v1/chat/completions"
            reply = fake.next_reply(recorded) if on_path else error(404, "not_found")
            if reply.delay:
                time.sleep(reply.delay)
            if reply.hold is not None:
                reply.hold.wait(timeout=30)
            payload = reply.body if isinstance(reply.body, bytes | str) else json.dumps(reply.body)
            data = payload.encode() if isinstance(payload, str) else payload
            try:
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
                fake.count_answer()
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def fake_openai() -> Iterator[FakeOpenAI]:
    """Start the server on a free local port in a thread; stop it afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server.daemon_threads = True
    fake = FakeOpenAI(server)
    server.RequestHandlerClass = _handler(fake)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
