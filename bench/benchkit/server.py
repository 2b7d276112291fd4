"""Starting ``skillbridge serve`` for a benchmark: production profile, PostgreSQL, a flushed Redis
database, rate limits on but raised out of the way, and the choice of HTTP server when the CLI has one."""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from benchkit.processes import Child, worker_pids

#: Far above any load here, so the limiter runs (and costs what it costs) without ever answering 429.
#: ``rate_limit_per_minute`` and ``auth_rate_limit_per_minute`` have no upper bound (``ge=1`` only).
RAISED_RATE_LIMIT = 100_000_000
STARTUP_TIMEOUT_SECONDS = 180.0  # the import of the app is slow on a busy 2-core machine
#: How long the workers must keep their pids before a measurement starts.
STABLE_SECONDS = 8.0


@dataclass(frozen=True, slots=True)
class ServerOptions:
    database_url: str
    port: int = 8702
    workers: int = 2
    redis_db: int = 5
    server: str = "uvicorn"
    log: Path = Path("/tmp/skillbridge_bench_server.log")  # noqa: S108 - a log the user reads after the run
    open_files: int | None = None
    launcher: str = "serve"


def redis_url(db: int) -> str:
    return f"redis://127.0.0.1:6379/{db}"


def flush_redis(db: int) -> None:
    """Empty Redis database ``db`` (rate-limit counters, revocations, cached roadmaps of an earlier run)."""
    client = redis.Redis.from_url(redis_url(db))
    try:
        client.flushdb()
    finally:
        client.close()


def server_env(options: ServerOptions, secret_key: str) -> dict[str, str]:
    """The environment of the server: production profile, the benchmark's database and Redis, quiet logs,
    raised rate limits. ``SKILLBRIDGE_SERVER`` names the HTTP server for a CLI that reads it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SKILLBRIDGE_")}
    env.update(
        {
            "SKILLBRIDGE_PROFILE": "production",
            "SKILLBRIDGE_SECRET_KEY": secret_key,
            "SKILLBRIDGE_DATABASE_URL": options.database_url,
            "SKILLBRIDGE_REDIS_URL": redis_url(options.redis_db),
            "SKILLBRIDGE_LOG_LEVEL": "WARNING",
            "SKILLBRIDGE_RATE_LIMIT_PER_MINUTE": str(RAISED_RATE_LIMIT),
            "SKILLBRIDGE_AUTH_RATE_LIMIT_PER_MINUTE": str(RAISED_RATE_LIMIT),
            # Every simulated user connects from 127.0.0.1: the per-address caps would be one café's.
            "SKILLBRIDGE_STREAM_HANDSHAKES_PER_MINUTE": str(RAISED_RATE_LIMIT),
            "SKILLBRIDGE_STREAMS_PER_ADDRESS": str(RAISED_RATE_LIMIT),
            "SKILLBRIDGE_SERVER": options.server,
            "SKILLBRIDGE_OPS_TOKEN": secret_key[:32],  # production needs one; /ready and /metrics take it
        }
    )
    return env


def new_secret_key() -> str:
    """A 64-character signing key."""
    return secrets.token_hex(32)


def serve_supports_server_choice(skillbridge_bin: Path) -> bool:
    """Whether ``skillbridge serve`` has a ``--server`` option (it has none on the baseline)."""
    help_text = subprocess.run(  # noqa: S603
        [str(skillbridge_bin), "serve", "--help"], capture_output=True, text=True, check=False
    ).stdout
    return "--server" in help_text


#: The uvicorn supervisor's patience with a worker's health check under ``--launcher uvicorn``.
UVICORN_HEALTHCHECK_SECONDS = 60


def uvicorn_argv(options: ServerOptions, skillbridge_bin: Path) -> list[str]:
    """The same app factory, server and workers as ``skillbridge serve``, through uvicorn's own command line,
    which can give the workers a longer health check (and whose spawned workers do not first re-import the
    whole app as ``skillbridge serve``'s do): the way to start on a machine too busy for ``serve``."""
    python = skillbridge_bin.parent / "python"
    argv = [str(python), "-m", "uvicorn", "skillbridge.main.app:create_served_app", "--factory"]
    argv += ["--host", "127.0.0.1", "--port", str(options.port), "--workers", str(options.workers)]
    argv += ["--no-access-log", "--no-proxy-headers", "--log-level", "warning"]
    return [*argv, "--timeout-worker-healthcheck", str(UVICORN_HEALTHCHECK_SECONDS)]


def serve_argv(options: ServerOptions, skillbridge_bin: Path) -> list[str]:
    """``skillbridge serve`` with the benchmark's port and workers, and ``--server`` when the CLI has it.

    Raises:
        SystemExit: another server than uvicorn was asked for and the CLI cannot choose one.
    """
    argv = [str(skillbridge_bin), "serve", "--workers", str(options.workers), "--no-migrate"]
    argv += ["--host", "127.0.0.1", "--port", str(options.port)]
    if serve_supports_server_choice(skillbridge_bin):
        argv += ["--server", options.server]
    elif options.server != "uvicorn":
        raise SystemExit(
            f"`skillbridge serve` has no --server option yet: it always runs uvicorn (asked: {options.server})"
        )
    return argv


def wait_stable_workers(child: Child, workers: int, timeout: float = STARTUP_TIMEOUT_SECONDS) -> int:
    """Wait until ``workers`` workers have kept the same pids for ``STABLE_SECONDS``; returns how many workers
    were replaced meanwhile.

    uvicorn's supervisor kills a worker that does not answer its health check within 5 s, and a spawned
    worker first re-imports ``skillbridge.main.cli`` (seconds of CPU) before it can answer: on a busy machine
    workers are killed and respawned in a loop, and a benchmark started then measures one worker or none.
    """
    deadline = time.monotonic() + timeout
    seen: set[int] = set()
    stable_since, current = time.monotonic(), worker_pids(child.pid)
    while time.monotonic() < deadline:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited with {child.process.returncode}:\n{child.tail()}")
        time.sleep(0.5)
        pids = worker_pids(child.pid)
        seen.update(pids)
        if pids != current or len(pids) != workers:
            current, stable_since = pids, time.monotonic()
        elif time.monotonic() - stable_since >= STABLE_SECONDS:
            return len(seen) - workers
    raise RuntimeError(
        f"the {workers} workers never kept their pids for {STABLE_SECONDS:.0f}s within {timeout:.0f}s: "
        f"{len(seen)} worker processes were started (uvicorn kills a worker that misses its 5 s health check)"
    )


def start_server(options: ServerOptions, skillbridge_bin: Path, secret_key: str) -> Child:
    """Flush the Redis database, start the server, wait until it answers /health and its workers are stable
    (a note is printed when uvicorn replaced some on the way)."""
    flush_redis(options.redis_db)
    if options.launcher not in ("serve", "uvicorn"):
        raise SystemExit(f"unknown launcher {options.launcher!r}: serve or uvicorn")
    argv = (
        serve_argv(options, skillbridge_bin) if options.launcher == "serve" else uvicorn_argv(options, skillbridge_bin)
    )
    child = Child(
        "skillbridge",
        argv,
        env=server_env(options, secret_key),
        log=options.log,
        open_files=options.open_files,
    )
    try:
        child.wait_http(f"http://127.0.0.1:{options.port}/health", STARTUP_TIMEOUT_SECONDS)
        replaced = wait_stable_workers(child, options.workers) if options.workers > 1 else 0
    except BaseException:
        child.stop()
        raise
    if replaced:
        print(f"!! uvicorn replaced {replaced} worker(s) during startup (missed 5 s health checks)", flush=True)
    return child


class WorkerWatch:
    """Notices when uvicorn replaced a worker between two looks (a measurement across it does not count)."""

    def __init__(self, server: Child) -> None:
        self._server = server
        self._pids = worker_pids(server.pid)
        self.events: list[str] = []

    def check(self, during: str) -> bool:
        """Whether the workers are the same as at the last look; if not, note it as happening ``during``."""
        pids = worker_pids(self._server.pid)
        if pids == self._pids:
            return True
        self.events.append(f"workers {self._pids} became {pids} during {during}")
        print(f"!! uvicorn replaced a worker during {during}: {self._pids} -> {pids}", flush=True)
        self._pids = pids
        return False


def add_server_arguments(parser: argparse.ArgumentParser, *, database: str, port: int, redis_db: int) -> None:
    """The options every benchmark gives for the database, the server and its launcher."""
    parser.add_argument("--database", default=database)
    parser.add_argument("--reuse-db", action="store_true", help="keep the database of an earlier run")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis-db", type=int, default=redis_db)
    parser.add_argument("--server", default="uvicorn", help="HTTP server, if `skillbridge serve` can choose")
    parser.add_argument(
        "--launcher",
        choices=("serve", "uvicorn"),
        default="serve",
        help="serve: `skillbridge serve` (the default); uvicorn: the same app and workers through `python -m uvicorn` "
        "with a 60 s worker health check, for a machine so busy that `serve`'s workers miss uvicorn's 5 s one",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
