"""``skillbridge worker`` for real: ``serve`` and ``worker`` as two processes on PostgreSQL and Redis. The
worker's clock finds a session about to start, stores the reminders and pushes them through Redis to the
mentor's open WebSocket, held by the API process; its runs are counted on its metrics port; SIGTERM stops
the worker cleanly."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
import websockets

from tests.e2e.test_realtime import _token
from tests.e2e.test_server_process import SKILLBRIDGE, _environment, _free_port, running_server
from tests.support.databases import postgres_database, redis_url_or_skip

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres, pytest.mark.redis]
# Generous: the worker imports the whole app, which took over 20 s on this 2-core machine under full load; a
# wait that ends early costs nothing.
WAIT_SECONDS = 60.0


@asynccontextmanager
async def running_worker(tmp_path: Path, *args: str, **settings: str) -> AsyncIterator[Path]:
    """``skillbridge worker ARGS`` until the block ends, then SIGTERM; yields its log file."""
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            str(SKILLBRIDGE), "worker", *args, env=_environment(tmp_path, **settings), stdout=out, stderr=out,
            stdin=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
    try:
        deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
        while '"worker_started"' not in log.read_text("utf-8"):
            if process.returncode is not None or asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the worker did not start:\n{log.read_text('utf-8')}")
            await asyncio.sleep(0.1)
        yield log
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), WAIT_SECONDS)
            assert code == 0, f"the worker exited with {code} on SIGTERM:\n{log.read_text('utf-8')}"
    assert '"worker_stopped"' in log.read_text("utf-8")


async def _reminder(socket: Any) -> dict[str, Any]:
    """The next pushed notification that is a session's reminder (a schedule change has no session_id)."""
    while True:
        event: dict[str, Any] = json.loads(await socket.recv())
        if event["type"] == "session_reminder" and "session_id" in event["payload"]:
            return event


async def test_the_worker_reminds_of_a_session_live_through_redis(tmp_path: Path) -> None:
    redis = await redis_url_or_skip()
    settings = {
        "redis_url": redis,
        "jobs_queue_key": f"skillbridge:e2e-jobs:{uuid4().hex}",
        "session_reminder_sweep_seconds": "1",
        "session_reminder_minutes": "30",
    }
    metrics_port = _free_port()
    async with postgres_database() as database:
        settings["database_url"] = database
        async with (
            running_server(tmp_path, **settings) as server,
            running_worker(tmp_path, "--metrics-port", str(metrics_port), **settings) as worker_log,
            httpx.AsyncClient(base_url=server.base_url, timeout=WAIT_SECONDS) as client,
        ):
            suffix = uuid4().hex[:8]
            outbox = tmp_path / "outbox"  # the worker sends the verification mails there
            mentor_token = await _token(client, f"w-mentor-{suffix}@example.org", "mentor", outbox)
            learner_token = await _token(client, f"w-learner-{suffix}@example.org", "learner", outbox)
            mentor = {"Authorization": f"Bearer {mentor_token}"}
            learner = {"Authorization": f"Bearer {learner_token}"}
            needs = {"skills": ["python"], "hours_per_week": 3, "domain": "python"}
            match = (await client.post("/api/v1/matches", json={"learner_needs": needs}, headers=learner)).json()
            accepted = await client.patch(f"/api/v1/matches/{match['id']}", json={"status": "active"}, headers=mentor)
            assert accepted.status_code == 200, accepted.text

            ws = server.base_url.replace("http://", "ws://") + "/api/v1/ws"
            async with websockets.connect(ws, additional_headers=mentor) as mentor_socket:
                starts = (datetime.now(UTC) + timedelta(minutes=12)).replace(microsecond=0)
                session = {"time": starts.isoformat(), "topic": "Testing with pytest", "duration_minutes": 45}
                planned = await client.patch(
                    f"/api/v1/matches/{match['id']}", json={"add_sessions": [session]}, headers=learner
                )
                assert planned.status_code == 200, planned.text
                session_id = planned.json()["session_schedule"][0]["id"]

                pushed = await asyncio.wait_for(_reminder(mentor_socket), WAIT_SECONDS)

            assert pushed["payload"]["session_id"] == session_id
            assert "Testing with pytest" in pushed["message"]
            # Stored first: both participants' inboxes list it, once.
            for who in (mentor, learner):
                inbox = (await client.get("/api/v1/notifications/my", headers=who)).json()["items"]
                reminders = [n for n in inbox if n["payload"].get("session_id") == session_id]
                assert len(reminders) == 1, inbox
            assert '"session_reminders_sent"' in worker_log.read_text("utf-8")
            metrics = (await client.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
            assert 'skillbridge_job_runs_total{job="send_session_reminders",outcome="succeeded"}' in metrics
