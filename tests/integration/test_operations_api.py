"""Cross-cutting HTTP behaviour: health, readiness, metrics, OpenAPI, compression, limits, logs."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from litestar.testing import AsyncTestClient

from skillbridge.main import Settings
from tests.integration.helpers import PASSWORD, Api, register_body
from tests.support.apps import build_test_app

pytestmark = pytest.mark.asyncio


async def test_health_and_ready(api: Api) -> None:
    assert (await api.client.get("/health")).json() == {"status": "ok"}
    ready = await api.client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok"}}


async def test_ready_reports_a_dead_redis_as_503(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(redis_url="redis://127.0.0.1:1/0")
    async with AsyncTestClient(app=build_test_app(settings)) as client:
        response = await client.get("/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] in {"unavailable", "timeout"}


async def test_metrics_are_prometheus_text(api: Api) -> None:
    await api.client.get("/health")
    response = await api.client.get("/metrics")
    assert response.status_code == 200
    assert "skillbridge_requests_total" in response.text


async def test_scrapes_are_not_counted_as_requests(api: Api) -> None:
    await api.client.get("/health")
    await api.client.get("/metrics")
    counted = [
        line
        for line in (await api.client.get("/metrics")).text.splitlines()
        if line.startswith("skillbridge_requests_")
    ]
    assert any('path="/health"' in line for line in counted)  # positive control: a request is counted
    assert not any('path="/metrics"' in line for line in counted), counted


async def test_openapi_document_and_ui(api: Api) -> None:
    document = (await api.client.get("/schema/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/auth/register" in document["paths"]
    assert "BearerToken" in document["components"]["securitySchemes"]
    assert (await api.client.get("/schema")).status_code == 200


async def test_large_responses_are_compressed(api: Api) -> None:
    response = await api.client.get("/schema/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    raw = await api.client.get("/schema/openapi.json", headers={"Accept-Encoding": "br"})
    assert raw.headers["content-encoding"] == "br"


async def test_oversized_body_is_413(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(max_request_body_bytes=2048)
    async with AsyncTestClient(app=build_test_app(settings)) as client:
        body = register_body("big@example.org", bio="x" * 1900) | {"padding": "y" * 4000}
        response = await client.post(
            "/api/v1/auth/register", content=json.dumps(body), headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_request_id_is_echoed_or_made(api: Api) -> None:
    given = await api.client.get("/health", headers={"X-Request-ID": "abc12345-trace"})
    assert given.headers["x-request-id"] == "abc12345-trace"
    made = await api.client.get("/health", headers={"X-Request-ID": "bad id with spaces"})
    assert made.headers["x-request-id"] != "bad id with spaces"
    assert len(made.headers["x-request-id"]) == 32


async def test_rate_limit_answers_429_and_auth_and_api_counters_are_separate(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(auth_rate_limit_per_minute=3, rate_limit_per_minute=50)
    async with AsyncTestClient(app=build_test_app(settings)) as client:
        statuses = [
            (await client.post("/api/v1/auth/login", json={"email": "x@example.org", "password": "p"})).status_code
            for _ in range(4)
        ]
        assert statuses[:3] == [401, 401, 401]
        assert statuses[3] == 429
        # The general API limit has its own counter: the auth calls above did not use it up.
        mentors = await client.get("/api/v1/users/mentors")
        assert mentors.status_code == 401
        assert int(mentors.headers["ratelimit-remaining"]) >= 44


async def test_logs_carry_no_passwords_or_tokens(api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    await api.register("quiet@example.org")
    tokens = await api.login("quiet@example.org")
    await api.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    await api.client.get("/api/v1/does-not-exist", headers={"Cookie": "session=cookie-secret-value"})
    output = capsys.readouterr().out
    assert '"event": "request"' in output
    for secret in (PASSWORD, tokens["access_token"], tokens["refresh_token"], "cookie-secret-value"):
        assert secret not in output


async def test_unknown_route_is_a_404_problem(api: Api) -> None:
    response = await api.client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["type"].endswith("/not-found")


async def test_cors_allows_only_configured_origins(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(cors_origins=["https://app.skillbridge.africa"])
    async with AsyncTestClient(app=build_test_app(settings)) as client:
        ok = await client.options(
            "/api/v1/users/me",
            headers={"Origin": "https://app.skillbridge.africa", "Access-Control-Request-Method": "GET"},
        )
        bad = await client.options(
            "/api/v1/users/me", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
        )
    assert ok.headers.get("access-control-allow-origin") == "https://app.skillbridge.africa"
    assert "access-control-allow-origin" not in bad.headers
