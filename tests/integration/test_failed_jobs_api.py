"""Admins see the background jobs that failed for good and queue them again; nobody else does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from litestar.testing import AsyncTestClient

from skillbridge.adapters.persistence.sqlalchemy import create_engine
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.domain.jobs.failure import FailedJob
from skillbridge.main import Settings
from tests.integration.helpers import Api, admin_headers
from tests.support.apps import build_test_app
from tests.support.units import system_unit

pytestmark = pytest.mark.asyncio
FAILED = "/api/v1/admin/jobs/failed"


@pytest.fixture
async def api(make_settings: Callable[..., Settings]) -> AsyncIterator[Api]:
    """The API with jobs run in process and a single attempt each, so a failing job is recorded at once."""
    settings = make_settings(jobs_max_attempts=1)
    async with AsyncTestClient(app=build_test_app(settings)) as client:
        yield Api(client=client, clock=MutableClock(), settings=settings)


async def _store_failed(api: Api, name: str, arguments: dict[str, str]) -> FailedJob:
    failed = FailedJob(
        name=name, arguments=arguments, error="RuntimeError: boom", attempts=5, failed_at=datetime.now(UTC)
    )
    engine = create_engine(api.settings.schema_owner_url)
    try:
        async with system_unit(engine) as uow:
            await uow.failed_jobs.add(failed)
            await uow.commit()
    finally:
        await engine.dispose()
    return failed


async def test_an_admin_lists_failed_jobs_and_retries_one_once(api: Api) -> None:
    admin = await admin_headers(api)
    failed = await _store_failed(api, "send_session_reminders", {})

    listed = (await api.client.get(FAILED, headers=admin)).json()
    assert (listed["total"], listed["items"][0]["id"], listed["items"][0]["attempts"]) == (1, str(failed.id), 5)
    assert listed["items"][0]["error"] == "RuntimeError: boom"

    retried = await api.client.post(f"{FAILED}/{failed.id}/retry", headers=admin)
    assert retried.status_code == 202, retried.text
    assert retried.json()["queued"] is True
    assert retried.json()["failed_job"]["retried_at"] is not None

    assert (await api.client.get(FAILED, headers=admin)).json()["total"] == 0  # the job ran fine this time
    kept = (await api.client.get(FAILED, params={"include_retried": "true"}, headers=admin)).json()
    assert [item["id"] for item in kept["items"]] == [str(failed.id)]

    again = await api.client.post(f"{FAILED}/{failed.id}/retry", headers=admin)
    assert again.status_code == 409
    assert again.json()["field"] == "failed_job_id"
    missing = await api.client.post(f"{FAILED}/{uuid4()}/retry", headers=admin)
    assert missing.status_code == 404


async def test_a_retried_job_that_fails_again_is_recorded_anew(api: Api) -> None:
    admin = await admin_headers(api)
    failed = await _store_failed(api, "process_github_delivery", {"delivery_id": "never-received"})

    retried = await api.client.post(f"{FAILED}/{failed.id}/retry", headers=admin)
    assert retried.status_code == 202 and retried.json()["queued"] is True

    listed = (await api.client.get(FAILED, headers=admin)).json()["items"]
    assert [(item["name"], item["arguments"], item["attempts"]) for item in listed] == [
        ("process_github_delivery", {"delivery_id": "never-received"}, 1)
    ]
    assert listed[0]["id"] != str(failed.id)
    assert listed[0]["error"].startswith("NotFound")


async def test_nobody_but_an_admin_sees_or_retries_failed_jobs(api: Api) -> None:
    failed = await _store_failed(api, "send_session_reminders", {})
    learner = await api.token_for("ada@example.org")
    mentor = await api.token_for("chidi@example.org", role="mentor")
    for headers in (learner, mentor):
        assert (await api.client.get(FAILED, headers=headers)).status_code == 403
        assert (await api.client.post(f"{FAILED}/{failed.id}/retry", headers=headers)).status_code == 403
    assert (await api.client.get(FAILED)).status_code == 401
    assert (await api.client.post(f"{FAILED}/{failed.id}/retry")).status_code == 401
    admin = await admin_headers(api)
    untouched = (await api.client.get(FAILED, headers=admin)).json()["items"]
    assert [(item["id"], item["retried_at"]) for item in untouched] == [(str(failed.id), None)]


async def test_bad_paging_is_a_clear_error(api: Api) -> None:
    admin = await admin_headers(api)
    response = await api.client.get(FAILED, params={"limit": 0}, headers=admin)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "limit" in response.text
