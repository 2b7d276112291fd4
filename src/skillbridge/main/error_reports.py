"""Error reports to Sentry (or any endpoint that speaks its envelope protocol), on when SKILLBRIDGE_SENTRY_DSN
is set; nothing of sentry-sdk is imported otherwise.

sentry-sdk's asyncio integration reports crashed tasks; HTTP errors are reported by :func:`report_exception`,
a Litestar ``after_exception`` hook, rather than by sentry-sdk's Litestar integration: that one parses every
request's body before its handler runs (to attach it to events), which would read bodies before access is
decided (a 413 before a 401) and cost every request.

What is sent: unexpected errors (5xx answers, crashed jobs, error log lines) with their stack trace. What is
not: errors the client caused (any 4xx), request bodies and cookies, local variables, the user, and any
secret or e-mail address inside the rest (masked by the same rules as the logs, plus e-mail addresses).
"""

from __future__ import annotations

import re
from typing import Any

from skillbridge.adapters.http.observability import redact
from skillbridge.adapters.http.problems import status_of
from skillbridge.domain.errors import DomainError
from skillbridge.main.settings import Settings

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PRIVATE_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "x-hub-signature-256", "proxy-authorization"})
MASK = "[redacted]"


def start_error_reports(settings: Settings) -> bool:
    """Start the Sentry client when a DSN is set (whether it was)."""
    if settings.sentry_dsn is None:
        return False
    from importlib.metadata import version  # noqa: PLC0415

    import sentry_sdk  # noqa: PLC0415 - only with a DSN: no cost otherwise
    from sentry_sdk.integrations.asyncio import AsyncioIntegration  # noqa: PLC0415

    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.sentry_environment or settings.profile,
        release=f"skillbridge@{version('skillbridge')}",
        integrations=[AsyncioIntegration()],
        auto_enabling_integrations=False,  # not the Litestar one (see the module's docs)
        include_local_variables=False,  # a frame's locals may hold a password or a token
        max_request_body_size="never",
        traces_sample_rate=None,  # tracing is OpenTelemetry's (see main/tracing.py)
        before_send=scrub_event,  # type: ignore[arg-type]  # Event is a TypedDict of this same dict
        before_send_transaction=None,
    )
    return True


def report_exception(exc: Exception, _scope: object) -> None:
    """Litestar ``after_exception`` hook (only installed with a DSN): report the server's errors, not the
    client's (an HTTPException or DomainError answered with 4xx)."""
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and status < 500:
        return
    import sentry_sdk  # noqa: PLC0415 - loaded by start_error_reports already

    sentry_sdk.capture_exception(exc)


def scrub_event(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    """Drop the reports of client errors; strip personal data and secrets from the others."""
    exc_info = hint.get("exc_info")
    error = exc_info[1] if exc_info else None
    if isinstance(error, DomainError) and status_of(error) < 500:
        return None
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        for private in ("data", "cookies", "env"):
            request.pop(private, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() not in _PRIVATE_HEADERS}
    scrubbed: dict[str, Any] = _without_emails(redact(event))
    return scrubbed


def _without_emails(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_emails(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_emails(item) for item in value]
    if isinstance(value, str):
        return _EMAIL.sub(MASK, value)
    return value
