"""RFC 9457 problem+json responses for every error, with a stable type and the field at fault.

Status map: 400 malformed body; 422 validation (schema or business rule); 401 unauthenticated; 403
forbidden; 404 not found; 409 conflict; 413 body too large; 429 throttled; 503 dependency down; 500 for
everything unexpected, whose body never says more than that.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import msgspec
import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ExceptionHandlersMap

from skillbridge.adapters.http.languages import language_headers, localized
from skillbridge.adapters.http.validation_messages import validation_text
from skillbridge.domain.errors import (
    BadRequest,
    Conflict,
    DependencyUnavailable,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthenticated,
    UpstreamRateLimited,
)
from skillbridge.domain.matching.round_runs import RoundInProgress
from skillbridge.domain.places import AmbiguousPlace
from skillbridge.domain.texts import N_, Text

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://skillbridge.africa/problems/"

_STATUS_OF: dict[type[DomainError], int] = {
    InvalidInput: HTTP_422_UNPROCESSABLE_ENTITY,
    NotFound: HTTP_404_NOT_FOUND,
    Forbidden: HTTP_403_FORBIDDEN,
    Unauthenticated: HTTP_401_UNAUTHORIZED,
    Conflict: HTTP_409_CONFLICT,
    TooManyAttempts: HTTP_429_TOO_MANY_REQUESTS,
    DependencyUnavailable: HTTP_503_SERVICE_UNAVAILABLE,
    BadRequest: HTTP_400_BAD_REQUEST,
}
_TITLES = {
    400: N_("Malformed request"),
    401: N_("Authentication required"),
    403: N_("Forbidden"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Request body too large"),
    422: N_("Validation failed"),
    429: N_("Too many requests"),
    500: N_("Internal server error"),
    503: N_("Service unavailable"),
}
_ERROR = N_("Error")
_CODES = {
    400: "malformed-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "body-too-large",
    422: "validation-failed",
    429: "too-many-requests",
    500: "internal-error",
    503: "dependency-unavailable",
}
# msgspec reports where a value failed as "... - at `$.profile.location.lat`" or "`$[0]`".
_AT_PATH = re.compile(r"at `\$\.?([^`]*)`")
_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]+)`")
_MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")
_DECODE_FAILURE = re.compile(r"malformed|invalid json|json is malformed|truncated|decode", re.IGNORECASE)

logger = structlog.get_logger("skillbridge.http")


def problem(
    request: Request[Any, Any, Any],
    status: int,
    *,
    code: str | None = None,
    detail: str | Text | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[dict[str, Any]]:
    """Build one problem+json response, its title and detail in the request's language (``type``, field
    names and every other member stay as they are, whatever the language)."""
    title = Text(_TITLES.get(status, _ERROR))
    said = Text(detail) if isinstance(detail, str) else detail
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (code or _CODES.get(status, "error")),
        "title": localized(request, title),
        "status": status,
        "detail": localized(request, said or title),
        "instance": request.url.path,
    }
    request_id = request.scope.get("state", {}).get("request_id")
    if request_id:
        body["request_id"] = request_id
    body.update(extra or {})
    return Response(
        content=body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={**language_headers(request), **(headers or {})},
    )


def status_of(exc: DomainError) -> int:
    """The HTTP status a domain or application error is answered with."""
    return next((code for kind, code in _STATUS_OF.items() if isinstance(exc, kind)), HTTP_400_BAD_REQUEST)


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    status = status_of(exc)
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if exc.field:
        extra["field"] = exc.field
    if isinstance(exc, InvalidInput) and exc.errors:
        extra["errors"] = [
            {"field": e.field, "message": localized(request, Text(e.message, e.params))} for e in exc.errors
        ]
    if isinstance(exc, Conflict | InvalidInput) and exc.allowed:
        extra["allowed"] = list(exc.allowed)
    if isinstance(exc, RoundInProgress):
        extra["round_id"] = str(exc.round_id)
    if isinstance(exc, AmbiguousPlace):
        extra["candidates"] = [
            {"name": place.name, "country": place.country, "population": place.population} for place in exc.candidates
        ]
    if isinstance(exc, TooManyAttempts | UpstreamRateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="skillbridge"'
    if isinstance(exc, DependencyUnavailable):
        logger.warning("dependency_unavailable", reason=exc.message)
    return problem(request, status, code=exc.code, detail=exc.text, extra=extra, headers=headers)


def _field_of(message: Mapping[str, Any]) -> str | None:
    """The dotted path of the field a validation message is about (``profile.location.lat``)."""
    text = str(message.get("message", ""))
    key = message.get("key")
    at = _AT_PATH.search(text)
    base = str(key) if key not in (None, "data") else (at.group(1) if at else "")
    unknown = _UNKNOWN_FIELD.search(text) or _MISSING_FIELD.search(text)
    if unknown:
        base = f"{base}.{unknown.group(1)}" if base else unknown.group(1)
    return base or None


def validation_error_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    """Schema failures: 400 when the body is not JSON at all, 422 when it is JSON of the wrong shape."""
    raw = exc.extra if isinstance(exc.extra, list) else []
    failures = [
        (_field_of(item) or "body", str(item.get("message", "invalid value")).split(" - at ")[0])
        for item in raw
        if isinstance(item, Mapping)
    ]
    text = f"{exc.detail} " + " ".join(message for _, message in failures)
    if not failures or (_DECODE_FAILURE.search(text) and not any(field != "body" for field, _ in failures)):
        return problem(request, HTTP_400_BAD_REQUEST, detail=N_("the request body is not valid JSON"))
    errors = [{"field": field, "message": localized(request, validation_text(message))} for field, message in failures]
    first = errors[0]
    return problem(
        request,
        HTTP_422_UNPROCESSABLE_ENTITY,
        detail=Text(N_("{field}: {message}"), {"field": first["field"], "message": first["message"]}),
        extra={"field": first["field"], "errors": errors},
    )


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    headers = dict(exc.headers or {})
    if isinstance(exc, NotAuthorizedException):
        headers.setdefault("WWW-Authenticate", 'Bearer realm="skillbridge"')
    if status >= HTTP_500_INTERNAL_SERVER_ERROR:
        return internal_error_handler(request, exc)
    detail = exc.detail if status != HTTP_400_BAD_REQUEST or not _DECODE_FAILURE.search(exc.detail) else None
    # Litestar's own details repeat the status's phrase ("Not Found"): the title says it in the reader's words.
    if detail is None or detail.casefold() == _phrase_of(status).casefold():
        detail = _TITLES.get(status, _ERROR)
    return problem(request, status, detail=detail, headers=headers)


def _phrase_of(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:  # not a registered status: no phrase to recognise
        return ""


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """Log the failure in full; tell the client only that it happened and which request it was."""
    logger.error("unhandled_error", exc_info=exc, path=request.url.path, method=request.method)
    return problem(request, HTTP_500_INTERNAL_SERVER_ERROR, detail=N_("something went wrong on our side"))


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}


class FieldProblem(msgspec.Struct, kw_only=True):
    """One field at fault in a 422."""

    field: str
    message: str


class PlaceCandidate(msgspec.Struct, kw_only=True):
    """One of the places an ambiguous place name may mean."""

    name: str
    country: str
    population: int


class ProblemDetails(msgspec.Struct, kw_only=True):
    """The documented shape of every error body (RFC 9457), for the OpenAPI document."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    request_id: str | None = None
    field: str | None = None
    errors: list[FieldProblem] | None = None
    allowed: list[str] | None = None
    #: For an ambiguous place name: the most populous places it may mean (up to 5), to pick one from.
    candidates: list[PlaceCandidate] | None = None
    #: For a matching round refused because another is open in its domain: that round (poll it).
    round_id: str | None = None


#: The errors a route of the API may answer with (the handlers above produce them, whichever route raised);
#: ``operation_problems.py`` says which of them each operation documents.
API_PROBLEM_STATUSES = (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
    # Every route reads the database (or the rate limiter's Redis), which may be down or busy.
    HTTP_503_SERVICE_UNAVAILABLE,
)


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI ``responses`` entries declaring a problem+json body for each of ``statuses``."""
    return {
        status: ResponseSpec(
            data_container=ProblemDetails,
            media_type=PROBLEM_MEDIA_TYPE,
            description=_TITLES.get(status, "Error"),
            generate_examples=False,
        )
        for status in statuses
    }


__all__ = [
    "API_PROBLEM_STATUSES",
    "EXCEPTION_HANDLERS",
    "PROBLEM_MEDIA_TYPE",
    "MediaType",
    "ProblemDetails",
    "problem",
    "problem_responses",
]
