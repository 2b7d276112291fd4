"""Prometheus metrics of the HTTP requests: counts, durations, errors and requests in progress.

The same names and labels as Litestar's Prometheus middleware (``skillbridge_requests_total``,
``skillbridge_request_duration_seconds``, ``skillbridge_requests_error_total``,
``skillbridge_requests_in_progress``; labels ``method``, ``path`` (the route template), ``status_code``,
``app_name``), at a fraction of its cost per request: the labelled children are looked up once per route and
status and kept, where the plugin rebuilt label dictionaries and looked children up on every request.
"""

from __future__ import annotations

import time
from typing import Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import Counter, Gauge, Histogram

APP_NAME = "skillbridge"
_LABELS = ("method", "path", "status_code", "app_name")

# Module level: the registry is the process's, and an app may be built many times in one process (tests).
REQUESTS = Counter("skillbridge_requests_total", "Total requests", _LABELS)
DURATION = Histogram("skillbridge_request_duration_seconds", "Request duration, in seconds", _LABELS)
ERRORS = Counter("skillbridge_requests_error_total", "Total errors in requests", _LABELS)
IN_PROGRESS = Gauge(
    "skillbridge_requests_in_progress", "Total requests currently in progress", _LABELS, multiprocess_mode="livesum"
)

_Children = tuple[Any, Any, Any]
_finished: dict[tuple[str, str, int], _Children] = {}
_running: dict[tuple[str, str], Any] = {}


def _finished_children(method: str, path: str, status: int) -> _Children:
    key = (method, path, status)
    children = _finished.get(key)
    if children is None:
        values = (method, path, str(status), APP_NAME)
        children = _finished[key] = (REQUESTS.labels(*values), DURATION.labels(*values), ERRORS.labels(*values))
    return children


def _running_child(method: str, path: str) -> Any:
    child = _running.get((method, path))
    if child is None:
        child = _running[(method, path)] = IN_PROGRESS.labels(method, path, "200", APP_NAME)
    return child


class RequestMetricsMiddleware(ASGIMiddleware):
    """Count and time every HTTP request by route template and status (``/metrics`` itself excluded)."""

    scopes = (ScopeType.HTTP,)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        # By the request's path: Litestar 3 matches exclude_path_pattern against the handler's path instead.
        return scope["path"] == "/metrics"

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        method: str = scope["method"]  # type: ignore[typeddict-item]  # HTTP scopes only (see scopes)
        path: str = scope.get("path_template", scope["path"])
        status = 500
        started = time.perf_counter()
        running = _running_child(method, path)
        running.inc()

        async def send_counting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await next_app(scope, receive, send_counting)
        finally:
            running.dec()
            requests, duration, errors = _finished_children(method, path, status)
            requests.inc()
            duration.observe(time.perf_counter() - started)
            if status >= 500:
                errors.inc()
