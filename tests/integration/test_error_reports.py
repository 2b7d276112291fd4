"""Error reports through the real sentry-sdk to a local endpoint that receives its envelopes: a 5xx is
reported without personal data or tokens, a 4xx is not reported at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
import sentry_sdk
from dishka import Provider, Scope, provide
from litestar.testing import AsyncTestClient

from skillbridge.application.ports.clock import Clock
from skillbridge.main import Settings
from skillbridge.main.error_reports import start_error_reports
from tests.integration.helpers import PASSWORD
from tests.support.apps import build_test_app
from tests.support.sentry_server import SentryServer, sentry_server

pytestmark = pytest.mark.asyncio

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbWFyYSJ9.c2lnbmF0dXJlLWhlcmU"
EMAIL = "amara@example.org"


class BrokenClock(Clock):
    """A clock that fails the way a bug does, with personal data and a token in its message."""

    def now(self) -> datetime:
        raise RuntimeError(f"clock broke for {EMAIL} holding Bearer {JWT}")


class BrokenClockProvider(Provider):
    @provide(scope=Scope.APP)
    def clock(self) -> Clock:
        return BrokenClock()


@pytest.fixture
def receiver() -> Iterator[SentryServer]:
    with sentry_server() as server:
        yield server
    sentry_sdk.init(default_integrations=False)  # no DSN: later tests run without reports


async def test_a_5xx_is_reported_scrubbed_and_a_4xx_is_not(
    make_settings: Callable[..., Settings], receiver: SentryServer
) -> None:
    settings = make_settings(sentry_dsn=receiver.dsn, sentry_environment="test")
    async with AsyncTestClient(app=build_test_app(settings)) as client:
        unknown = await client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {JWT}"})
        invalid = await client.post("/api/v1/auth/register", json={"email": "not-an-email"})
        sentry_sdk.flush(timeout=10)
        assert (unknown.status_code, invalid.status_code) == (401, 422)
        assert receiver.events() == []  # client errors are not reported

    settings = make_settings(sentry_dsn=receiver.dsn, sentry_environment="test")
    async with AsyncTestClient(app=build_test_app(settings, BrokenClockProvider())) as client:
        crashed = await client.post(
            "/api/v1/auth/login?token=" + JWT,
            json={"email": EMAIL, "password": PASSWORD},
            headers={"Authorization": f"Bearer {JWT}", "Cookie": f"session={JWT}"},
        )
        sentry_sdk.flush(timeout=10)
    assert crashed.status_code == 500
    events = receiver.events()
    assert len(events) >= 1  # positive control: the 5xx was reported
    exceptions = [value for event in events for value in event.get("exception", {}).get("values", [])]
    assert any(value["type"] == "RuntimeError" for value in exceptions)
    assert all(event["environment"] == "test" for event in events)
    everything = b"\n".join(receiver.raw).decode()
    for secret in (EMAIL, JWT, PASSWORD):
        assert secret not in everything
    assert "clock broke for" in everything  # the message is there, masked


async def test_without_a_dsn_sentry_is_not_started() -> None:
    assert start_error_reports(Settings()) is False


async def test_with_reports_on_access_is_still_decided_before_the_body_is_read(
    make_settings: Callable[..., Settings], receiver: SentryServer
) -> None:
    settings = make_settings(sentry_dsn=receiver.dsn)
    async with AsyncTestClient(app=build_test_app(settings)) as client:
        anonymous = await client.post(
            "/api/v1/roadmaps", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        login = await client.post(
            "/api/v1/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
        )
    assert anonymous.status_code == 401  # not 400: the body was not parsed first
    assert login.status_code == 400  # positive control: a public route does parse it
