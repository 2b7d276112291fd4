"""The acceptance journey through the production topology as processes: two ``skillbridge serve`` processes
(requests alternate between them, as a load balancer spreads them), ``skillbridge worker --no-scheduler``, the
scheduler (``skillbridge worker --scheduler``), the matcher-rs service, a fresh migrated PostgreSQL database
reached as the application's role (row-level security on), a redis-server of the test's own, a local GitHub
server and an SMTP relay.

Register a mentor (verified from the relayed mail) and a learner (GitHub login), create a roadmap, link its
repository, request a match that the mentor accepts, chat (the learner's WebSocket on the *other* API process
receives the message exactly once), a signed GitHub push moves progress. In the middle, API process A and the
worker are SIGKILLed while the worker holds a mail job (the relay leaves its DATA unanswered): the writes A
acknowledged are stored, API process B keeps serving, and after the worker restarts the held job is done
exactly once. Last, the scheduler's sweep reminds of a session soon, by mail.

The scheduler starts after the kill: both worker processes consume jobs, so only while the worker is the sole
consumer is it certain that the worker, not the scheduler, holds the job that is killed mid-run. The
scheduler's ticks are also what make a live consumer look for the dead worker's unacknowledged job.
"""

from __future__ import annotations

import asyncio
import json
import signal
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import websockets

from skillbridge.adapters.persistence.sqlalchemy.migrate import upgrade
from tests.e2e.test_server_process import Server
from tests.e2e.test_server_process import _stop as stop_server
from tests.integration.helpers import PASSWORD, register_body
from tests.support.databases import app_role_url, postgres_database, redis_url_or_skip
from tests.support.github_payloads import PUSHER_ID, PUSHER_LOGIN, SECRET, delivery_headers, push_payload
from tests.support.github_server import CLIENT_ID, CLIENT_SECRET, FakeGithub, api_commit, fake_github
from tests.support.mail import text_of, token_in
from tests.support.processes import (
    WAIT_SECONDS,
    HoldingRelay,
    free_port,
    kill,
    matcher_service,
    redis_server,
    smtp_relay,
    start_server,
    start_worker,
    stop_worker,
    wait_for,
)
from tests.support.terms import TERMS_VERSION

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres, pytest.mark.redis]
#: A job's longest run, and how long an unacknowledged one waits before a live worker takes it.
JOB_TIMEOUT_SECONDS, REDELIVER_AFTER_SECONDS = 5, 6
REPO = "amara-dev/python-exercises"
MENTOR = "mentor@example.org"
LEARNER = f"{PUSHER_LOGIN}@example.org"  # the address GitHub gives for the learner who signs in with it
NEEDS = {"skills": ["python"], "hours_per_week": 3, "domain": "python"}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _mail(relay: HoldingRelay, address: str, marker: str, seconds: float = WAIT_SECONDS) -> Any:
    """The first mail the relay accepted for ``address`` whose text holds ``marker`` (waited for)."""
    await wait_for(lambda: any(marker in text_of(m) for m in relay.mail_to(address)), f"a mail to {address}", seconds)
    return next(m for m in relay.mail_to(address) if marker in text_of(m))


async def _verified_mentor(a: httpx.AsyncClient, b: httpx.AsyncClient, relay: HoldingRelay) -> dict[str, str]:
    registered = await a.post("/api/v1/auth/register", json=register_body(MENTOR, role="mentor"))
    assert registered.status_code == 201, registered.text
    mail = await _mail(relay, MENTOR, "/verify-email?token=")  # sent by the worker
    verified = await b.post("/api/v1/auth/email/verify", json={"token": token_in(mail)})
    assert verified.status_code == 204, verified.text
    login = await a.post("/api/v1/auth/login", json={"email": MENTOR, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return _bearer(login.json()["access_token"])


async def _github_learner(b: httpx.AsyncClient, github: FakeGithub) -> dict[str, str]:
    """A learner who signs up with GitHub (so the repository they link is provably theirs)."""
    token = f"gho_{PUSHER_LOGIN}"
    github.add_user(token, PUSHER_ID, PUSHER_LOGIN, emails=[{"email": LEARNER, "primary": True, "verified": True}])
    start = await b.get("/api/v1/auth/github/login", params={"accepted_terms_version": TERMS_VERSION})
    assert start.status_code == 200, start.text
    code, state = github.approve(start.json()["authorization_url"], token)
    signed_in = await b.get(f"/api/v1/auth/github/callback?state={state}&code={code}")  # b holds the cookie
    assert signed_in.status_code == 200, signed_in.text
    return _bearer(signed_in.json()["access_token"])


async def _chat_event(socket: Any) -> dict[str, Any]:
    """The next pushed notification that is a chat message."""
    while True:
        event: dict[str, Any] = json.loads(await socket.recv())
        if event["type"] == "chat_message":
            return event


async def _completed_modules(client: httpx.AsyncClient, learner: dict[str, str], roadmap_id: str) -> list[str]:
    progress = await client.get(f"/api/v1/progress/{roadmap_id}", headers=learner)
    assert progress.status_code == 200, progress.text
    return [module["id"] for module in progress.json()["completed_modules"]]


@dataclass
class Journey:
    """The acceptance journey's steps; requests alternate between API processes ``a`` and ``b``."""

    a: httpx.AsyncClient
    b: httpx.AsyncClient
    relay: HoldingRelay
    tmp_path: Path
    settings: dict[str, str]
    mentor: dict[str, str] = field(default_factory=dict)
    learner: dict[str, str] = field(default_factory=dict)
    match_id: str = ""
    roadmap_id: str = ""
    acknowledged_by_a: list[str] = field(default_factory=list)

    async def before_the_kill(self, github: FakeGithub, ws_base: str) -> None:
        a, b = self.a, self.b
        self.mentor = await _verified_mentor(a, b, self.relay)
        self.learner = await _github_learner(b, github)
        created = await a.post(
            "/api/v1/roadmaps",
            json={"domain": "Python", "skill_level": "beginner", "time_availability": 6},
            headers=self.learner,
        )
        assert created.status_code == 201, created.text
        self.roadmap_id = created.json()["id"]
        linked = await b.post(
            f"/api/v1/roadmaps/{self.roadmap_id}/repository", json={"full_name": REPO}, headers=self.learner
        )
        assert linked.status_code == 200, linked.text
        assert await _completed_modules(a, self.learner, self.roadmap_id) == ["m2"]  # the linked commit's tag

        # Matching needs where the learner is and what they speak (a GitHub sign-up does not say).
        profile = {
            key: register_body(LEARNER)["profile"][key] for key in ("location", "languages", "timezone", "skills")
        }
        completed = await b.patch("/api/v1/users/me", json=profile, headers=self.learner)
        assert completed.status_code == 200, completed.text
        asked = await a.post("/api/v1/matches", json={"learner_needs": NEEDS}, headers=self.learner)
        assert asked.status_code == 201, asked.text
        self.match_id = asked.json()["id"]
        # The matcher service ranked the mentors (A's own counter: the in-process engine served none).
        metrics = (await a.get("/metrics")).text
        assert 'skillbridge_matching_calls_total{engine="remote"} 1.0' in metrics
        assert 'skillbridge_matching_calls_total{engine="native"}' not in metrics
        accepted = await b.patch(f"/api/v1/matches/{self.match_id}", json={"status": "active"}, headers=self.mentor)
        assert accepted.status_code == 200, accepted.text

        # The learner listens on B; the mentor writes through A: Redis carries the message across.
        ws = ws_base.replace("http://", "ws://") + "/api/v1/ws"
        async with websockets.connect(ws, additional_headers=self.learner) as learner_socket:
            for content in ("Karibu! Shall we start with loops?", "And then functions."):
                sent = await a.post(
                    f"/api/v1/matches/{self.match_id}/chat", json={"content": content}, headers=self.mentor
                )
                assert sent.status_code == 201, sent.text
                pushed = await asyncio.wait_for(_chat_event(learner_socket), WAIT_SECONDS)
                # Exactly once: the second message's event is the very next chat event, no repeat between.
                assert pushed["message"] == content, pushed
            with pytest.raises(TimeoutError):  # and the second is not repeated either
                await asyncio.wait_for(_chat_event(learner_socket), 1.0)

        # A signed push: the worker logs its commits, and their done: tags complete modules.
        body = json.dumps(push_payload(REPO)).encode()
        delivered = await b.post(
            "/api/v1/integrations/github/webhook", content=body, headers=delivery_headers(body, "push")
        )
        assert delivered.status_code == 202, delivered.text
        assert delivered.json()["status"] == "queued"
        completed: list[str] = []

        async def progress_moved() -> bool:
            completed[:] = await _completed_modules(a, self.learner, self.roadmap_id)
            return completed == ["m1", "m2"]

        await _wait_async(progress_moved, "the push to complete m1")

    async def kill_api_a_and_the_worker_mid_job(
        self, api_a: asyncio.subprocess.Process, worker: asyncio.subprocess.Process
    ) -> None:
        self.relay.holding = True
        # The worker (the only consumer yet) takes the reset mail's job and waits on the relay's answer.
        forgot = await self.a.post("/api/v1/auth/password/forgot", json={"email": MENTOR})
        assert forgot.status_code == 202, forgot.text
        for n in range(3):
            content = f"Before the crash, note {n}"
            written = await self.a.post(
                f"/api/v1/matches/{self.match_id}/chat", json={"content": content}, headers=self.learner
            )
            assert written.status_code == 201, written.text
            self.acknowledged_by_a.append(content)
        await wait_for(lambda: self.relay.held == [[MENTOR]], "the reset mail to reach the relay")
        assert await kill(api_a) == -signal.SIGKILL
        assert await kill(worker) == -signal.SIGKILL
        self.relay.holding = False
        # Only the verification mail was delivered: the reset's job was cut short.
        assert [_kind(m) for m in self.relay.mail_to(MENTOR)] == ["verify"]

    async def after_the_kill(self) -> None:
        b = self.b
        with pytest.raises(httpx.TransportError):
            await self.a.get("/health")  # A is gone
        chat = await b.get(f"/api/v1/matches/{self.match_id}/chat", headers=self.mentor)
        assert chat.status_code == 200, chat.text
        contents = {item["content"] for item in chat.json()["items"]}
        assert set(self.acknowledged_by_a) <= contents, contents  # every acknowledged write is stored

        worker, scheduler = await asyncio.gather(
            start_worker(self.tmp_path / "worker-2", "--no-scheduler", **self.settings),
            start_worker(self.tmp_path / "scheduler", "--scheduler", **self.settings),
        )
        try:
            reset = await _mail(self.relay, MENTOR, "/reset-password?token=", REDELIVER_AFTER_SECONDS + WAIT_SECONDS)
            # The reset link works: the job ran to its end, after the restart.
            done = await b.post(
                "/api/v1/auth/password/reset", json={"token": token_in(reset), "new_password": "A-New-Passphrase-2026"}
            )
            assert done.status_code == 204, done.text

            # The reminder, mailed to the learner who chose mail for it: a session in 10 minutes is within the
            # 15-minute lead, so the scheduler's next sweep (each second) finds it.
            chosen = await b.patch(
                "/api/v1/users/me/notification-preferences",
                json={"types": {"session_reminder": "email"}},
                headers=self.learner,
            )
            assert chosen.status_code == 200, chosen.text
            starts = (datetime.now(UTC) + timedelta(minutes=10)).replace(microsecond=0)
            session = {"time": starts.isoformat(), "topic": "Loops and functions", "duration_minutes": 45}
            planned = await b.patch(
                f"/api/v1/matches/{self.match_id}", json={"add_sessions": [session]}, headers=self.learner
            )
            assert planned.status_code == 200, planned.text
            await _mail(self.relay, LEARNER, "Loops and functions")
        finally:
            for process, log in (worker, scheduler):
                await stop_worker(process, log)
        # The held job was done exactly once, though both live workers could take it.
        assert sorted(_kind(m) for m in self.relay.mail_to(MENTOR)) == ["reset", "verify"]


def _kind(mail: Any) -> str:
    text = text_of(mail)
    return "verify" if "/verify-email?token=" in text else "reset" if "/reset-password?token=" in text else text


async def _wait_async(check: Any, what: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"waited {seconds} s for {what}"
        await asyncio.sleep(0.1)


async def test_the_journey_through_two_apis_a_worker_and_the_scheduler_loses_nothing_to_kills(tmp_path: Path) -> None:
    await redis_url_or_skip()  # the machine has Redis (and its server binary) where this must run
    redis_port = free_port()
    with smtp_relay(holding=False) as (smtp_port, relay), fake_github() as github:
        github.add_repo(
            REPO,
            commits=[
                api_commit("c" * 40, "Set up the project\n\ndone: m2", login=PUSHER_LOGIN, author_id=PUSHER_ID,
                           date=datetime.now(UTC) - timedelta(hours=1)),
            ],
            owner_id=PUSHER_ID,
        )  # fmt: skip
        async with (
            redis_server(redis_port),
            matcher_service() as (matcher_url, _),
            postgres_database() as owner_url,
        ):
            await upgrade(owner_url)  # as `skillbridge migrate` does before a deploy's processes start
            settings = {
                "database_url": await app_role_url(owner_url),
                # serve's start-up migration (the embedded profile's) finds the schema current, as the owner.
                "migration_database_url": owner_url,
                "redis_url": f"redis://127.0.0.1:{redis_port}/0",
                "matcher_url": matcher_url,
                "smtp_url": f"smtp://127.0.0.1:{smtp_port}?tls=none",
                "jobs_timeout_seconds": str(JOB_TIMEOUT_SECONDS),
                "jobs_redeliver_after_seconds": str(REDELIVER_AFTER_SECONDS),
                "session_reminder_sweep_seconds": "1",
                "session_reminder_minutes": "15",
                "github_api_url": github.url,
                "github_oauth_url": github.url,
                "github_webhook_secret": SECRET,
                "github_client_id": CLIENT_ID,
                "github_client_secret": CLIENT_SECRET,
            }
            # The processes start together (the run's time is mostly process starts).
            started = await asyncio.gather(
                start_server(tmp_path / "api-a", **settings),
                start_server(tmp_path / "api-b", **settings),
                start_worker(tmp_path / "worker-1", "--no-scheduler", **settings),
                return_exceptions=True,
            )
            await _none_failed(started)
            server_a, server_b = cast(Server, started[0]), cast(Server, started[1])
            worker = cast(tuple[asyncio.subprocess.Process, Path], started[2])[0]
            try:
                async with (
                    httpx.AsyncClient(base_url=server_a.base_url, timeout=WAIT_SECONDS) as a,
                    httpx.AsyncClient(base_url=server_b.base_url, timeout=WAIT_SECONDS) as b,
                ):
                    journey = Journey(a, b, relay, tmp_path, settings)
                    await journey.before_the_kill(github, server_b.base_url)
                    await journey.kill_api_a_and_the_worker_mid_job(server_a.process, worker)
                    await journey.after_the_kill()
            finally:
                for process in (server_a.process, worker):
                    await kill(process)
                assert await stop_server(server_b.process) in (0, -signal.SIGTERM)


async def _none_failed(started: list[Any]) -> None:
    """Raise the first start's failure, once the processes that did start are killed (none outlives the test)."""
    failures = [outcome for outcome in started if isinstance(outcome, BaseException)]
    if failures:
        for outcome in started:
            if not isinstance(outcome, BaseException):
                await kill(outcome[0] if isinstance(outcome, tuple) else outcome.process)
        raise failures[0]
