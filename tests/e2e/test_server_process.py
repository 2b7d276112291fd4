"""The real server, as an operator starts it: ``skillbridge serve`` in its own process, spoken to over HTTP.

The embedded default (SQLite file) always; PostgreSQL and Redis when they answer (CI must have them). The
process is stopped with SIGTERM, as a supervisor stops it, and must exit cleanly within a bounded wait.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.integration.helpers import PASSWORD, register_body
from tests.support.databases import postgres_database, redis_url_or_skip

pytestmark = pytest.mark.asyncio

SKILLBRIDGE = Path(sys.executable).with_name("skillbridge")
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0
REQUEST_TIMEOUT_SECONDS = 15.0


@dataclass
class Server:
    base_url: str
    process: asyncio.subprocess.Process
    stdout: Path
    stderr: Path

    def log_lines(self) -> list[str]:
        return [line for line in self.stdout.read_text("utf-8").splitlines() if line.strip()]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    # Only this test's settings: a developer's own SKILLBRIDGE_* variables must not leak into the server.
    env = {key: value for key, value in os.environ.items() if not key.startswith("SKILLBRIDGE_")}
    env.update(
        {
            "SKILLBRIDGE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}",
            "SKILLBRIDGE_EMAIL_OUTBOX": str(tmp_path / "outbox"),
            "SKILLBRIDGE_ARGON2_TIME_COST": "1",
            "SKILLBRIDGE_ARGON2_MEMORY_KIB": "8",
            "SKILLBRIDGE_LOG_JSON": "true",
            "SKILLBRIDGE_LOG_LEVEL": "INFO",
            # Other tests may share the Redis and the loopback address: limits are not what is tested here.
            "SKILLBRIDGE_RATE_LIMIT_PER_MINUTE": "10000",
            "SKILLBRIDGE_AUTH_RATE_LIMIT_PER_MINUTE": "10000",
            # The flow replays a refresh token on purpose: detect it at once, not after the two-tab grace.
            "SKILLBRIDGE_REFRESH_GRACE_SECONDS": "0",
        }
    )
    env.update({f"SKILLBRIDGE_{key.upper()}": value for key, value in settings.items()})
    return env


async def _wait_until_healthy(server: Server) -> None:
    deadline = asyncio.get_running_loop().time() + START_TIMEOUT_SECONDS
    async with httpx.AsyncClient(base_url=server.base_url, timeout=2.0) as client:
        while True:
            if server.process.returncode is not None:
                raise AssertionError(
                    f"the server exited with {server.process.returncode}:\n{server.stderr.read_text('utf-8')}"
                )
            try:
                if (await client.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                log = server.stderr.read_text("utf-8")
                raise AssertionError(f"no /health within {START_TIMEOUT_SECONDS} s:\n{log}")
            await asyncio.sleep(0.1)


async def _stop(process: asyncio.subprocess.Process) -> int:
    if process.returncode is not None:
        return process.returncode
    process.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(process.wait(), STOP_TIMEOUT_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"the server ignored SIGTERM for {STOP_TIMEOUT_SECONDS} s and was killed") from None


@asynccontextmanager
async def running_server(tmp_path: Path, **settings: str) -> AsyncIterator[Server]:
    """``skillbridge serve`` on a free port; stopped with SIGTERM (bounded) whatever happens in the block."""
    port = _free_port()
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = await asyncio.create_subprocess_exec(
            str(SKILLBRIDGE), "serve", "--host", "127.0.0.1", "--port", str(port),
            env=_environment(tmp_path, **settings), stdout=out, stderr=err, stdin=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
    server = Server(base_url=f"http://127.0.0.1:{port}", process=process, stdout=stdout, stderr=stderr)
    try:
        await _wait_until_healthy(server)
        yield server
    finally:
        code = await _stop(process)
    # uvicorn shuts down gracefully, then re-raises the signal so a supervisor sees how the process ended.
    assert code in (0, -signal.SIGTERM), f"the server exited with {code} on SIGTERM:\n{stderr.read_text('utf-8')}"
    assert '"Application shutdown complete."' in stdout.read_text("utf-8"), "no graceful shutdown in the log"


async def _exercise_the_api(client: httpx.AsyncClient) -> set[str]:
    """Register, sign in, read and change one's account, search mentors, refresh, log out. Returns the secrets."""
    suffix = uuid4().hex[:8]
    learner, mentor = f"e2e-learner-{suffix}@example.org", f"e2e-mentor-{suffix}@example.org"
    for email, role in ((learner, "learner"), (mentor, "mentor")):
        response = await client.post("/api/v1/auth/register", json=register_body(email, role=role))
        assert response.status_code == 201, response.text

    login = await client.post("/api/v1/auth/login", json={"email": learner, "password": PASSWORD})
    assert login.status_code == 200, login.text
    tokens: dict[str, Any] = login.json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}

    me = await client.get("/api/v1/users/me", headers={**bearer, "X-Request-ID": f"e2e-me-{suffix}"})
    assert me.status_code == 200 and me.json()["email"] == learner
    assert me.headers["x-request-id"] == f"e2e-me-{suffix}"

    patched = await client.patch("/api/v1/users/me", json={"bio": "learning over 3G"}, headers=bearer)
    assert patched.status_code == 200 and patched.json()["profile"]["bio"] == "learning over 3G"

    mentors = await client.get("/api/v1/users/mentors", params={"skills": "python", "country": "NG"}, headers=bearer)
    assert mentors.status_code == 200, mentors.text
    assert any(item["display_name"] == "Test User" for item in mentors.json()["items"])
    assert len(mentors.headers["x-request-id"]) == 32  # none offered: the server made one

    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    fresh: dict[str, Any] = refreshed.json()
    replay = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert replay.status_code == 401
    assert replay.headers["content-type"].startswith("application/problem+json")

    # The replay revoked the whole sign-in session: the access token the rotation gave is refused too.
    fresh_bearer = {"Authorization": f"Bearer {fresh['access_token']}"}
    assert (await client.get("/api/v1/users/me", headers=fresh_bearer)).status_code == 401

    again: dict[str, Any] = (
        await client.post("/api/v1/auth/login", json={"email": learner, "password": PASSWORD})
    ).json()
    again_bearer = {"Authorization": f"Bearer {again['access_token']}"}
    assert (await client.get("/api/v1/users/me", headers=again_bearer)).status_code == 200
    logout = await client.post(
        "/api/v1/auth/logout", json={"refresh_token": again["refresh_token"]}, headers=again_bearer
    )
    assert logout.status_code == 204, logout.text
    assert (await client.get("/api/v1/users/me", headers=again_bearer)).status_code == 401
    secrets = {tokens["access_token"], tokens["refresh_token"], fresh["access_token"], fresh["refresh_token"]}
    return {PASSWORD, *secrets, again["access_token"], again["refresh_token"]}


async def _check_compression(client: httpx.AsyncClient) -> None:
    for encoding in ("gzip", "br"):
        response = await client.get("/schema/openapi.json", headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
        assert response.headers["content-encoding"] == encoding
        assert response.json()["openapi"].startswith("3.")  # httpx decoded it: the body is really encoded so


def _check_logs(server: Server, secrets: set[str]) -> None:
    lines = server.log_lines()
    records = [json.loads(line) for line in lines]  # every stdout line is one JSON object
    access = [r for r in records if r.get("logger") == "skillbridge.access"]
    assert access, "no access log line"
    assert all(r.get("request_id") for r in access)
    assert any(r["path"] == "/api/v1/users/me" and r["request_id"].startswith("e2e-me-") for r in access)
    everything = server.stdout.read_text("utf-8") + server.stderr.read_text("utf-8")
    leaked = [secret[:12] + "..." for secret in secrets if secret in everything]
    assert not leaked, f"secrets in the server's output: {leaked}"


async def test_the_embedded_server_over_real_http(tmp_path: Path) -> None:
    async with (
        running_server(tmp_path) as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client,
    ):
        secrets = await _exercise_the_api(client)
        await _check_compression(client)
        ready = await client.get("/ready")
        assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok"}
    _check_logs(server, secrets)


@pytest.mark.postgres
@pytest.mark.redis
async def test_the_server_on_postgresql_and_redis(tmp_path: Path) -> None:
    redis = await redis_url_or_skip()
    async with postgres_database() as database_url:
        async with (
            running_server(tmp_path, database_url=database_url, redis_url=redis) as server,
            httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client,
        ):
            ready = await client.get("/ready")
            assert ready.status_code == 200, ready.text
            assert ready.json() == {"status": "ready", "checks": {"database": "ok", "redis": "ok"}}
            secrets = await _exercise_the_api(client)
        _check_logs(server, secrets)
