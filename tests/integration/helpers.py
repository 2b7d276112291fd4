"""A small client wrapper for the API tests: register, log in, call with a token."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from dishka import Provider, Scope, provide
from httpx import Response
from litestar import Litestar
from litestar.testing import AsyncTestClient

from skillbridge.adapters.persistence.sqlalchemy import create_engine
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.accounts.administration import CreateAdmin
from skillbridge.application.ports.clock import Clock
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.main import Settings, build_container
from tests.support.apps import build_test_app
from tests.support.entities import make_mentorship
from tests.support.mail import mails_to, text_of, token_in
from tests.support.terms import TERMS_VERSION
from tests.support.two_factor import turn_on_two_factor
from tests.support.units import system_unit

PASSWORD = "kilimanjaro-sunrise-42"


def register_body(email: str, *, role: str = "learner", password: str = PASSWORD, **profile: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "display_name": "Test User",
        "skills": [" Python ", "Machine Learning", "python", "C++"],
        "location": {"lat": 6.5244, "lon": 3.3792, "city": "Lagos", "country": "ng"},
        "timezone": "Africa/Lagos",
        "hours_per_week": 6,
        "weekly_slots": [18, 19, 20],
        "languages": ["EN", "yo"],
        "github_username": "test-user",
    }
    if role == "mentor":
        base["mentor_capacity"] = 2
    return {
        "email": email,
        "password": password,
        "role": role,
        "accepted_terms_version": TERMS_VERSION,
        "profile": base | profile,
    }


class ClockProvider(Provider):
    """The app's clock, replaced by one the test moves."""

    def __init__(self, clock: MutableClock) -> None:
        super().__init__()
        self._clock = clock

    @provide(scope=Scope.APP)
    def clock(self) -> Clock:
        return self._clock


@dataclass
class Api:
    client: AsyncTestClient[Litestar]
    clock: MutableClock
    settings: Settings

    async def register(
        self, email: str, *, role: str = "learner", password: str = PASSWORD, verify: bool = True, **profile: Any
    ) -> dict[str, Any]:
        """Register; unless ``verify`` is false, then follow the verification mail, as its owner would."""
        response = await self.client.post(
            "/api/v1/auth/register", json=register_body(email, role=role, password=password, **profile)
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        if verify:
            await self.verify_email(email)
        return body

    async def verify_email(self, email: str) -> None:
        """Follow the token of the latest verification mail to ``email`` in the outbox."""
        [*_, mail] = [m for m in mails_to(self.settings.email_outbox, email) if "?token=" in text_of(m)]
        response = await self.client.post("/api/v1/auth/email/verify", json={"token": token_in(mail)})
        assert response.status_code == 204, response.text

    async def login_response(self, email: str, password: str = PASSWORD) -> Response:
        return await self.client.post("/api/v1/auth/login", json={"email": email, "password": password})

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        response = await self.login_response(email, password)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def token_for(self, email: str, *, role: str = "learner", **profile: Any) -> dict[str, str]:
        """Register and log in; return the Authorization header."""
        await self.register(email, role=role, **profile)
        return {"Authorization": f"Bearer {(await self.login(email))['access_token']}"}


@asynccontextmanager
async def api_with(make_settings: Callable[..., Settings], **overrides: Any) -> AsyncIterator[Api]:
    """The API of ``make_settings(**overrides)``, with a clock the test can move."""
    clock = MutableClock()
    settings = make_settings(**overrides)
    async with AsyncTestClient(app=build_test_app(settings, ClockProvider(clock))) as client:
        yield Api(client=client, clock=clock, settings=settings)


async def admin_headers(api: Api, email: str = "root@example.org") -> dict[str, str]:
    """Create an admin (through the use case: no API makes admins), turn on their two-factor authentication
    (without which an admin has no powers), and return their Authorization header."""
    # A container of its own: the app's engine belongs to the test client's event loop, not this one.
    container = build_container(api.settings)
    try:
        async with container() as request:
            await (await request.get(CreateAdmin))(email, PASSWORD, "Root")
    finally:
        await container.close()
    headers = {"Authorization": f"Bearer {(await api.login(email))['access_token']}"}
    await turn_on_two_factor(api.client, headers, api.clock.now())
    return headers


async def user_id(api: Api, headers: dict[str, str]) -> UUID:
    """The id of the user signed in with ``headers``."""
    return UUID((await api.client.get("/api/v1/users/me", headers=headers)).json()["id"])


async def store_mentorship(
    api: Api, learner: UUID, mentor: UUID, status: MatchStatus, *, domain: str | None = None
) -> None:
    """Store a mentorship directly, in a state the API would take several steps to reach (in ``domain``, else
    in a domain of its own that no roadmap has)."""
    engine = create_engine(api.settings.schema_owner_url)
    try:
        async with system_unit(engine) as uow:
            now = datetime.now(UTC)
            await uow.mentorships.add(
                make_mentorship(learner, mentor, status=status, domain=domain or f"d-{status.value}", created_at=now)
            )
            await uow.commit()
    finally:
        await engine.dispose()


async def later(api: Api, delta: timedelta, *signed_in: tuple[str, dict[str, str]]) -> None:
    """Move the clock on by ``delta`` and sign each ``(email, headers)`` in again, updating the headers in
    place (access tokens live at most 15 minutes)."""
    api.clock.advance(delta)
    for email, headers in signed_in:
        headers["Authorization"] = f"Bearer {(await api.login(email))['access_token']}"
