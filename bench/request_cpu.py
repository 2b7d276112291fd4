"""CPU per request, in process: the app driven by raw ASGI calls (no HTTP server, no client, no socket to a
client), so what is measured is the request path itself: middleware, authentication, use case, statements,
serialization.

Run: ``.venv/bin/python bench/request_cpu.py [--requests 1000] [--against REV]``. Needs PostgreSQL and Redis on
127.0.0.1. Each run recreates the database ``skillbridge_cpu`` (``skillbridge_cpu_base`` for ``--against``),
migrates it, and serves as the application role (row-level security in force) with Redis db 6, the production
profile, rate limits raised out of the way and jobs in process (the verification mails). It signs up a learner
and a mentor, makes a roadmap and an accepted match, then times each route: process time over ``--requests``
calls after 200 of warm-up.

With ``--against REV`` the same script also measures revision ``REV`` (checked out in a temporary git worktree
and imported from there), each in a fresh process one after the other, and prints both side by side with the
ratio. Speed is never a timed test: this prints numbers for one machine at one time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from email import message_from_bytes
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REDIS_DB = 6
PASSWORD = "kilimanjaro-sunrise-42"  # noqa: S105 - a throwaway account of the bench database
TERMS_VERSION = "2026-12-07"
Send = Callable[[dict[str, Any]], Awaitable[None]]


def _expect(holds: bool, what: object) -> None:
    if not holds:
        raise RuntimeError(f"unexpected answer: {what!r}")


def _profile(role: str) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "display_name": f"Bench {role}",
        "skills": ["python", "sql"],
        "location": {"lat": 6.5244, "lon": 3.3792, "city": "Lagos", "country": "NG"},
        "timezone": "Africa/Lagos",
        "hours_per_week": 6,
        "weekly_slots": [18, 19, 20],
        "languages": ["en"],
    }
    if role == "mentor":
        profile["mentor_capacity"] = 3
    return profile


class InProcess:
    """The app, its lifespan started, called with raw ASGI messages."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def call(
        self, method: str, path: str, token: str | None = None, body: object = None
    ) -> tuple[int, dict[str, Any]]:
        headers = [(b"host", b"localhost")]
        payload = b""
        if body is not None:
            payload = json.dumps(body).encode()
            headers.append((b"content-type", b"application/json"))
        if token is not None:
            headers.append((b"authorization", f"Bearer {token}".encode()))
        path_only, _, query = path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path_only,
            "raw_path": path_only.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        received = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal received
            if not received:
                received = True
                return {"type": "http.request", "body": payload, "more_body": False}
            await asyncio.Event().wait()  # the client never disconnects
            raise AssertionError

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        data = b"".join(chunks)
        return status, json.loads(data) if data.startswith(b"{") else {}


def _verification_token(outbox: Path, email: str) -> str | None:
    for path in sorted(outbox.glob("*"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = message_from_bytes(path.read_bytes())
        if email not in str(message.get("To", "")):
            continue
        for part in message.walk():
            text = part.get_payload(decode=True)
            if isinstance(text, bytes) and (found := re.search(rb"\?token=([A-Za-z0-9_.\-]+)", text)):
                return found.group(1).decode()
    return None


async def _signed_up(api: InProcess, outbox: Path, email: str, role: str) -> tuple[str, str]:
    body = {
        "email": email,
        "password": PASSWORD,
        "role": role,
        "accepted_terms_version": TERMS_VERSION,
        "profile": _profile(role),
    }
    status, answer = await api.call("POST", "/api/v1/auth/register", body=body)
    _expect(status == 201, answer)
    for _ in range(200):  # the mail is a job, run in process
        if (token := _verification_token(outbox, email)) is not None:
            break
        await asyncio.sleep(0.05)
    else:
        raise RuntimeError(f"no verification mail for {email}")
    status, answer = await api.call("POST", "/api/v1/auth/email/verify", body={"token": token})
    _expect(status == 204, answer)
    status, answer = await api.call("POST", "/api/v1/auth/login", body={"email": email, "password": PASSWORD})
    _expect(status == 200, answer)
    return answer["access_token"], str(answer.get("user_id", ""))


async def _measure(requests: int) -> dict[str, float]:
    from benchkit.seeding import application_url, database_url, recreate_database  # noqa: PLC0415

    from skillbridge.adapters.persistence.sqlalchemy.migrate import upgrade  # noqa: PLC0415

    owner = database_url(os.environ.get("BENCH_CPU_DATABASE", "skillbridge_cpu"))
    await recreate_database(owner)
    await upgrade(owner)
    app_url = await asyncio.to_thread(application_url, owner)
    import redis  # noqa: PLC0415

    redis.Redis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}").flushdb()
    outbox = Path(tempfile.mkdtemp(prefix="skillbridge-cpu-outbox-"))
    raised = "100000000"
    os.environ.update(
        {
            "SKILLBRIDGE_PROFILE": "production",
            "SKILLBRIDGE_SECRET_KEY": "b" * 48,
            "SKILLBRIDGE_OPS_TOKEN": "o" * 32,
            "SKILLBRIDGE_DATABASE_URL": app_url,
            "SKILLBRIDGE_MIGRATION_DATABASE_URL": owner,
            "SKILLBRIDGE_REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
            "SKILLBRIDGE_JOBS_BROKER": "in-process",
            "SKILLBRIDGE_LOG_LEVEL": "WARNING",
            "SKILLBRIDGE_EMAIL_OUTBOX": str(outbox),
            "SKILLBRIDGE_RATE_LIMIT_PER_MINUTE": raised,
            "SKILLBRIDGE_AUTH_RATE_LIMIT_PER_MINUTE": raised,
        }
    )
    from skillbridge.main import create_app  # noqa: PLC0415

    app = create_app()
    lifespan_in: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    lifespan_out: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await lifespan_in.put({"type": "lifespan.startup"})
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, lifespan_in.get, lifespan_out.put)
    )
    started = await lifespan_out.get()
    _expect(started["type"] == "lifespan.startup.complete", started)
    api = InProcess(app)
    learner, _ = await _signed_up(api, outbox, "learner@bench.example.org", "learner")
    mentor, _ = await _signed_up(api, outbox, "mentor@bench.example.org", "mentor")
    status, me = await api.call("GET", "/api/v1/users/me", mentor)
    _expect(status == 200, me)
    status, roadmap = await api.call(
        "POST", "/api/v1/roadmaps", learner, {"domain": "python", "skill_level": "beginner", "time_availability": 6}
    )
    _expect(status == 201, roadmap)
    needs = {"skills": ["python"], "hours_per_week": 6}
    status, match = await api.call("POST", "/api/v1/matches", learner, {"learner_needs": needs, "mentor_id": me["id"]})
    _expect(status in (200, 201), match)
    match_id = match.get("id") or match["items"][0]["id"]
    status, accepted = await api.call("PATCH", f"/api/v1/matches/{match_id}", mentor, {"status": "active"})
    _expect(status == 200, accepted)

    routes: list[tuple[str, str, str, object]] = [
        ("GET /roadmaps/{id}", "GET", f"/api/v1/roadmaps/{roadmap['id']}", None),
        ("GET /notifications/my", "GET", "/api/v1/notifications/my", None),
        ("GET /matches/my", "GET", "/api/v1/matches/my", None),
        ("GET /users/me", "GET", "/api/v1/users/me", None),
        ("GET /forum/posts", "GET", "/api/v1/forum/posts", None),
        ("GET /users/mentors?skills=python", "GET", "/api/v1/users/mentors?skills=python&limit=20", None),
        ("POST /matches/{id}/chat", "POST", f"/api/v1/matches/{match_id}/chat", {"content": "hello"}),
        (
            "POST /progress/log",
            "POST",
            "/api/v1/progress/log",
            {"roadmap_id": roadmap["id"], "event_type": "study_session", "details": {"minutes": 30}},
        ),
    ]
    results: dict[str, float] = {}
    for name, method, path, body in routes:
        for _ in range(200):
            status, answer = await api.call(method, path, learner, body)
        _expect(status in (200, 201), (name, status, answer))
        began = time.process_time()
        for _ in range(requests):
            await api.call(method, path, learner, body)
        results[name] = (time.process_time() - began) / requests * 1000
    await lifespan_in.put({"type": "lifespan.shutdown"})
    await lifespan
    return results


def _run(tree: Path, database: str, requests: int) -> dict[str, float]:
    """This script's measurement, importing SkillBridge from ``tree``, in a fresh process."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = {
            **{key: value for key, value in os.environ.items() if not key.startswith("SKILLBRIDGE_")},
            "PYTHONPATH": f"{tree / 'src'}{os.pathsep}{ROOT / 'bench'}",
            "BENCH_CPU_DATABASE": database,
        }
        command = [sys.executable, str(Path(__file__).resolve()), "--measure", out.name, "--requests", str(requests)]
        subprocess.run(command, env=env, check=True)  # noqa: S603 - this script
        results: dict[str, float] = json.loads(Path(out.name).read_text())
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="timed calls per route")
    parser.add_argument("--against", help="also measure this git revision and print both side by side")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child: measure, write JSON here
    options = parser.parse_args()
    if options.measure:
        Path(options.measure).write_text(json.dumps(asyncio.run(_measure(options.requests))))
        return
    with open("/proc/loadavg") as loadavg:
        print(f"load average before: {' '.join(loadavg.read().split()[:3])}")
    base: dict[str, float] = {}
    if options.against:
        with tempfile.TemporaryDirectory(prefix="skillbridge-cpu-base-") as folder:
            tree = Path(folder) / "tree"
            git = shutil.which("git") or "git"
            add = [git, "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), options.against]
            subprocess.run(add, check=True)  # noqa: S603 - git, on a revision the user names
            try:
                base = _run(tree, "skillbridge_cpu_base", options.requests)
            finally:
                remove = [git, "-C", str(ROOT), "worktree", "remove", "--force", str(tree)]
                subprocess.run(remove, check=True)  # noqa: S603 - git
    current = _run(ROOT, "skillbridge_cpu", options.requests)
    width = max(len(name) for name in current)
    header = f"{'route':<{width}}  " + (f"{options.against[:12]:>12}  " if base else "") + f"{'this tree':>10}"
    print(header + ("  ratio" if base else "") + "   (ms of CPU per request, in process)")
    for name, value in current.items():
        line = f"{name:<{width}}  "
        if base:
            line += f"{base[name]:>12.3f}  "
        line += f"{value:>10.3f}"
        if base:
            line += f"  {base[name] / value:5.2f}x"
        print(line)
    with open("/proc/loadavg") as loadavg:
        print(f"load average after: {' '.join(loadavg.read().split()[:3])}")


if __name__ == "__main__":
    main()
