"""/metrics and /ready off the public surface: with SKILLBRIDGE_OPS_TOKEN set they answer only requests
that carry it; /health stays public (it tells nothing)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from litestar.testing import AsyncTestClient

from skillbridge.main import Settings
from tests.support.apps import build_test_app

pytestmark = pytest.mark.asyncio

TOKEN = "operators-only-0123456789"


@pytest.mark.parametrize("path", ["/metrics", "/ready"])
async def test_the_operators_endpoints_need_the_token(make_settings: Callable[..., Settings], path: str) -> None:
    async with AsyncTestClient(app=build_test_app(make_settings(ops_token=TOKEN))) as client:
        anonymous = await client.get(path)
        wrong = await client.get(path, headers={"Authorization": "Bearer operators-only-0123456780"})
        other_scheme = await client.get(path, headers={"Authorization": f"Basic {TOKEN}"})
        in_query = await client.get(path, params={"token": TOKEN})
        allowed = await client.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
        health = await client.get("/health")
    for refused in (anonymous, wrong, other_scheme, in_query):
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert TOKEN not in refused.text
    assert allowed.status_code == 200  # positive control
    assert health.status_code == 200


@pytest.mark.parametrize("path", ["/metrics", "/ready"])
async def test_without_a_token_they_stay_public(make_settings: Callable[..., Settings], path: str) -> None:
    async with AsyncTestClient(app=build_test_app(make_settings())) as client:
        assert (await client.get(path)).status_code == 200
