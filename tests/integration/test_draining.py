"""A draining process answers /ready with 503 whatever its dependencies say, and keeps serving requests."""

from __future__ import annotations

import pytest

from tests.integration.helpers import Api

pytestmark = pytest.mark.asyncio


async def test_ready_turns_503_when_the_drain_begins_and_requests_are_still_served(api: Api) -> None:
    assert (await api.client.get("/ready")).status_code == 200  # positive control
    api.client.app.state.drain.begin()  # what SIGTERM does first under uvicorn
    draining = await api.client.get("/ready")
    assert draining.status_code == 503
    assert draining.json() == {"status": "draining", "checks": {}}
    assert (await api.client.get("/health")).status_code == 200
    await api.register("late@example.org")  # still served during the drain
