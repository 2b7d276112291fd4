"""The webhook's after-response task: it runs the processing use case in a scope of its own, and a failure
is logged, never raised into the server."""

from __future__ import annotations

import pytest
import structlog

from skillbridge.adapters.http.controllers.github import process_delivery
from skillbridge.main import Settings, build_container


@pytest.mark.asyncio
async def test_a_failing_delivery_is_logged_not_raised() -> None:
    container = build_container(Settings(database_url="memory://"))
    try:
        with structlog.testing.capture_logs() as logs:
            await process_delivery(container, "no-such-delivery")
    finally:
        await container.close()
    assert [entry["event"] for entry in logs] == ["webhook_processing_failed"]
    assert logs[0]["delivery_id"] == "no-such-delivery"
