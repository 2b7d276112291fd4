"""Structured JSON logs with a request id, and the redaction that keeps secrets out of them.

One access-log line per request (method, route, status, duration, client, request id). Headers and
bodies are never logged; any field whose name looks secret is masked by a processor, whatever logs it.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import time
import uuid
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID_RAW = REQUEST_ID_HEADER.encode()
_OURS = frozenset({_REQUEST_ID_RAW, b"x-content-type-options"})
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_SECRET_KEY = re.compile(r"authori[sz]ation|cookie|password|passwd|secret|token|api[_-]?key|signature", re.IGNORECASE)
_BEARER = re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+")
# A token in a query string (the WebSocket handshake line uvicorn logs) and any JWT-shaped string.
_QUERY_TOKEN = re.compile(r"(?i)([?&](?:access_)?token=)[^&\s\"']+")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+")
REDACTED = "[redacted]"

access_log = structlog.get_logger("skillbridge.access")
_ACCESS = logging.getLogger("skillbridge.access")


def redact(value: Any) -> Any:
    """``value`` with secret-looking keys masked at any depth, and bearer tokens, JWTs and query-string tokens
    masked inside strings."""
    if isinstance(value, Mapping):
        return {k: REDACTED if _SECRET_KEY.search(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        value = _BEARER.sub("Bearer " + REDACTED, value)
        value = _QUERY_TOKEN.sub(lambda match: match.group(1) + REDACTED, value)
        return _JWT.sub(REDACTED, value)
    return value


def redact_secrets(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: mask secret-looking keys at any depth and bearer tokens inside strings."""
    for key in list(event_dict):
        if _SECRET_KEY.search(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = redact(event_dict[key])
    return event_dict


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stdout`` is at the time of each record (so redirection and capture work)."""

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def configure_logging(level: str = "INFO", *, json: bool = True, extra_processors: Sequence[Any] = ()) -> None:
    """Route structlog and the standard library's logging through one JSON (or console) renderer;
    ``extra_processors`` add fields to every line (the trace ids when tracing is on)."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        *extra_processors,
        redact_secrets,
    ]
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = _StdoutHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access",):  # our access log replaces it (and never prints query secrets)
        logging.getLogger(noisy).disabled = True


def request_context_middleware(app: ASGIApp, *, log_in_response_context: bool = False) -> ASGIApp:
    """Give each request an id (the client's X-Request-ID if sane), echo it, mark every response
    ``X-Content-Type-Options: nosniff``, and write the access log.

    ``log_in_response_context``: write the access log in the context the response started in (where the
    tracing middleware's span is current), so that the line carries the trace ids; only when tracing is on.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        offered = next((value for name, value in scope["headers"] if name == _REQUEST_ID_RAW), b"").decode("latin-1")
        request_id = offered if _SAFE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = {"code": 500}
        response_context: list[contextvars.Context] = []

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                # One pass over the raw headers (this runs on every response): ours replace any set before.
                message["headers"] = [
                    *(header for header in message.get("headers", ()) if header[0].lower() not in _OURS),
                    (_REQUEST_ID_RAW, request_id.encode("latin-1")),
                    (b"x-content-type-options", b"nosniff"),  # no response is ever to be sniffed as another type
                ]
                if log_in_response_context:
                    response_context.append(contextvars.copy_context())
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await app(scope, receive, send_with_id)
            finally:
                if _ACCESS.isEnabledFor(logging.INFO):  # the processors would run even for a dropped line
                    if response_context:
                        response_context[0].run(_write_access_log, scope, status["code"], started)
                    else:
                        _write_access_log(scope, status["code"], started)

    return middleware


def _write_access_log(scope: Scope, status: int, started: float) -> None:
    client = scope.get("client")
    access_log.info(
        "request",
        method=scope.get("method"),
        path=scope.get("path"),
        status=status,
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
        client=client[0] if client else None,
    )
