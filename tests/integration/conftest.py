"""The API under test, on SQLite and on PostgreSQL, with a clock the tests can move."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from dishka import Provider, Scope, provide
from litestar import Litestar
from litestar.testing import AsyncTestClient

from skillbridge.adapters.persistence.sqlalchemy.migrate import upgrade
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.ports.clock import Clock
from skillbridge.main import Settings, create_app
from tests.integration.helpers import Api
from tests.support.databases import postgres_database

FAST_HASHING = {"argon2_time_cost": 1, "argon2_memory_kib": 8}


class ClockProvider(Provider):
    def __init__(self, clock: MutableClock) -> None:
        super().__init__()
        self._clock = clock

    @provide(scope=Scope.APP)
    def clock(self) -> Clock:
        return self._clock


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'api.db'}"
        await upgrade(url)
        yield url
    else:
        async with postgres_database() as url:
            await upgrade(url)
            yield url


AppFactory = Callable[..., Litestar]


@pytest.fixture
def make_settings(database_url: str) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"database_url": database_url, "log_json": True, **FAST_HASHING, **overrides}
        return Settings(**values)

    return make


@pytest.fixture
async def api(make_settings: Callable[..., Settings]) -> AsyncIterator[Api]:
    clock = MutableClock()
    settings = make_settings()
    app = create_app(settings, ClockProvider(clock))
    async with AsyncTestClient(app=app) as client:
        yield Api(client=client, clock=clock, settings=settings)
