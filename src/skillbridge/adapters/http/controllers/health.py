"""/health (liveness) and /ready (the dependencies answer)."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from skillbridge.adapters.http.access import operators_only
from skillbridge.adapters.http.draining import Drain
from skillbridge.adapters.http.options import HttpOptions
from skillbridge.adapters.http.problems import problem_responses
from skillbridge.domain.errors import DomainError

READY_TIMEOUT_SECONDS = 3.0


class HealthController(Controller):
    path = "/"
    tags = ["operations"]
    include_in_schema = True

    @get("/health", summary="Liveness: the process serves requests", opt={"skip_rate_limit": True})
    async def health(self) -> dict[str, str]:
        return {"status": "ok"}

    @get(
        "/ready",
        summary="Readiness: the database (and Redis when configured) answer; 503 while the server drains",
        description="With SKILLBRIDGE_OPS_TOKEN set, only for requests that carry it as bearer token.",
        opt={"skip_rate_limit": True},
        guards=[operators_only],
        responses={
            **problem_responses(401),
            HTTP_503_SERVICE_UNAVAILABLE: ResponseSpec(
                data_container=dict[str, Any],
                description="a dependency does not answer (its check says which), or the server drains",
                generate_examples=False,
            ),
        },
    )
    async def ready(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        drain: Drain = request.app.state.drain
        if drain.draining:  # shutting down: no new work, whatever the dependencies say
            return Response({"status": "draining", "checks": {}}, status_code=HTTP_503_SERVICE_UNAVAILABLE)
        options: HttpOptions = request.app.state.http_options
        names = list(options.readiness_checks)
        results = await asyncio.gather(
            *(asyncio.wait_for(check(), READY_TIMEOUT_SECONDS) for check in options.readiness_checks.values()),
            return_exceptions=True,
        )
        checks = {name: _verdict(result) for name, result in zip(names, results, strict=True)}
        ready = all(v == "ok" for v in checks.values())
        return Response(
            {"status": "ready" if ready else "unavailable", "checks": checks},
            status_code=HTTP_200_OK if ready else HTTP_503_SERVICE_UNAVAILABLE,
        )


def _verdict(result: object) -> str:
    if isinstance(result, TimeoutError):
        return "timeout"
    if isinstance(result, DomainError):
        return "unavailable"
    if isinstance(result, BaseException):
        return "error"
    return "ok"
