"""Thousands of concurrent users against ``skillbridge serve --workers 2`` on this machine (PostgreSQL, Redis).

Run: ``.venv/bin/python bench/concurrent_users.py [--users 5000] [--duration 120] [--ramp-rate 500]
[--json out.json]``

1. Seeds ``skillbridge_bench_users``: the users are learners (3/4) and their mentors (1/4), each learner
   with a catalog roadmap and an active mentorship, plus 5,000 forum posts.
2. Starts the server (production profile, Redis db 6 flushed, rate limits raised, the open-files limit of
   the child raised to the hard limit).
3. Mints every user's access token with the project's JwtTokenService and the server's secret (no argon2
   login per user), warms the workers up, and takes their memory (RSS from /proc) as the baseline.
4. Opens one notification WebSocket (``/api/v1/ws?token=``) per user, ``--ramp-rate`` a second, and takes the
   memory again while they are all held: the difference per stream is printed.
5. For ``--duration`` seconds every user, after a think time of 5-15 s, reads their roadmap (a mentor: a
   mentee's), notifications, the forum, mentors (learners) or their matches (mentors), posts a chat message
   to the other participant of their mentorship, or logs a study session. Every chat message notifies the
   other participant: each notification must arrive exactly once on that person's stream.
6. Prints per-route p50/p95/p99 and counts, errors, dropped streams, notifications expected / delivered /
   duplicated, memory per held stream, and PASS/FAIL against the target: p95 < 500 ms on every route, no
   error, no dropped stream, every notification delivered exactly once.

Loopback only. The client is one asyncio process (uvloop when installed); its own event-loop lag and CPU are
printed, so a saturated client is not mistaken for a slow server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from benchkit.crowd import Crowd, SimUser, loop_lag, percentile
from benchkit.processes import (
    Child,
    cpu_seconds,
    descendants,
    load_average,
    open_files,
    raise_open_files_limit,
    rss_kib,
    wait_idle,
)
from benchkit.report import loadavg_text, machine, table
from benchkit.seeding import SeedOptions, application_url, connect, seed
from benchkit.server import ServerOptions, WorkerWatch, add_server_arguments, new_secret_key, start_server

from skillbridge.adapters.security.jwt_tokens import JwtTokenService

REPO = Path(__file__).resolve().parent.parent
SKILLBRIDGE_BIN = REPO / ".venv" / "bin" / "skillbridge"
TOKEN_TTL_SECONDS = 900  # the longest access token the server accepts (SKILLBRIDGE_ACCESS_TOKEN_TTL_SECONDS)
P95_TARGET_MS = 500.0
#: File descriptors the client needs beyond one per stream (HTTP pool, PostgreSQL, Redis, the interpreter).
CLIENT_FD_MARGIN = 1200
SERVER_LOG = Path("/tmp/skillbridge_bench_users_server.log")  # noqa: S108 - read by the user after a run

_ROSTER_SQL = """
SELECT u.id AS learner_id, r.id AS roadmap_id, m.id AS match_id, m.mentor_id
FROM users u
JOIN roadmaps r ON r.user_id = u.id
JOIN mentor_matches m ON m.learner_id = u.id AND m.status = 'active'
WHERE u.role = 'learner'
ORDER BY u.id, r.created_at
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=5000, help="simulated users, learners and mentors")
    parser.add_argument("--mentor-share", type=float, default=0.25, help="the share of mentors among the users")
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of activity once every stream is open")
    parser.add_argument("--ramp-rate", type=float, default=500.0, help="new streams a second")
    parser.add_argument("--think-min", type=float, default=5.0)
    parser.add_argument("--think-max", type=float, default=15.0)
    parser.add_argument(
        "--delivery-patience", type=float, default=60.0, help="seconds to wait for late notifications at the end"
    )
    parser.add_argument("--posts", type=int, default=5000, help="forum posts seeded")
    add_server_arguments(parser, database="skillbridge_bench_users", port=8703, redis_db=6)
    return parser.parse_args(argv)


async def _roster_rows(url: str) -> list[Any]:
    connection = await connect(url, url.rsplit("/", 1)[1])
    try:
        return list(await connection.fetch(_ROSTER_SQL))
    finally:
        await connection.close()


def load_roster(url: str, limit: int) -> list[SimUser]:
    """Learners with a roadmap and an active mentorship, and their mentors, ``limit`` people at most (a
    reused database may hold more)."""
    learners: dict[UUID, SimUser] = {}
    mentors: dict[UUID, SimUser] = {}
    for row in asyncio.run(_roster_rows(url)):
        newcomers = (row["learner_id"] not in learners) + (row["mentor_id"] not in mentors)
        if len(learners) + len(mentors) + newcomers > limit:
            break
        learner = learners.setdefault(row["learner_id"], SimUser(row["learner_id"], "learner"))
        mentor = mentors.setdefault(row["mentor_id"], SimUser(row["mentor_id"], "mentor"))
        if row["roadmap_id"] not in learner.roadmap_ids:
            learner.roadmap_ids.append(row["roadmap_id"])
            mentor.roadmap_ids.append(row["roadmap_id"])
        if (row["match_id"], row["mentor_id"]) not in learner.matches:
            learner.matches.append((row["match_id"], row["mentor_id"]))
            mentor.matches.append((row["match_id"], row["learner_id"]))
    return [*learners.values(), *mentors.values()]


def mint_tokens(users: list[SimUser], secret: str) -> None:
    tokens = JwtTokenService(secret, access_ttl=timedelta(seconds=TOKEN_TTL_SECONDS))
    now = datetime.now(UTC)
    for user in users:
        user.token = tokens.issue_access(user.user_id, now).token


def server_rss_kib(server: Child) -> dict[int, int]:
    """RSS of the server's master and each of its descendants (the workers), by pid."""
    return {pid: rss_kib(pid) for pid in [server.pid, *descendants(server.pid)]}


@dataclass(slots=True)
class Measures:
    """What the run measured besides the crowd's own records."""

    ramp_seconds: float = 0.0
    rss_before: dict[int, int] = field(default_factory=dict)
    rss_held: dict[int, int] = field(default_factory=dict)
    rss_end: dict[int, int] = field(default_factory=dict)
    server_fds_held: int = 0
    server_cpu_seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    activity_seconds: float = 0.0
    delivery_wait_seconds: float = 0.0
    loop_lag_ms: list[float] = field(default_factory=list)
    worker_events: list[str] = field(default_factory=list)


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def drive(crowd: Crowd, server: Child, args: argparse.Namespace) -> Measures:
    """Warm up, baseline, ramp the streams up, hold them through the activity, wait for the last deliveries."""
    measures = Measures()
    watch = WorkerWatch(server)
    measures.worker_events = watch.events
    await crowd.warm_up(50)
    await asyncio.to_thread(wait_idle, server.pid)
    measures.rss_before = server_rss_kib(server)
    stop_lag = asyncio.Event()
    lag = asyncio.get_running_loop().create_task(loop_lag(stop_lag, measures.loop_lag_ms))
    print(f"opening {len(crowd.users)} streams, {args.ramp_rate:.0f}/s ...", flush=True)
    measures.ramp_seconds = await crowd.open_streams(args.ramp_rate, patience=120)
    print(f"  {crowd.streams.opened} open, {crowd.streams.failed} failed in {measures.ramp_seconds:.1f}s", flush=True)
    await asyncio.sleep(2)
    measures.rss_held = server_rss_kib(server)
    measures.server_fds_held = sum(open_files(pid) for pid in measures.rss_held)
    print(f"activity for {args.duration:.0f}s ...", flush=True)
    tree = list(measures.rss_held)
    cpu_server, cpu_client, started = cpu_seconds(tree), _client_cpu(), time.monotonic()
    await crowd.run(args.duration)
    measures.activity_seconds = time.monotonic() - started
    measures.server_cpu_seconds = cpu_seconds(tree) - cpu_server
    measures.client_cpu_seconds = _client_cpu() - cpu_client
    measures.delivery_wait_seconds = await crowd.settle_deliveries(patience=args.delivery_patience)
    measures.rss_end = server_rss_kib(server)
    watch.check("the run")
    stop_lag.set()
    await lag
    return measures


async def run_crowd(users: list[SimUser], server: Child, args: argparse.Namespace) -> tuple[Crowd, Measures]:
    async with Crowd(f"http://127.0.0.1:{args.port}", users, think=(args.think_min, args.think_max)) as crowd:
        measures = await drive(crowd, server, args)
    return crowd, measures


def server_log_problems(log: Path, samples: int = 5) -> tuple[int, list[str]]:
    """How many lines of the server's log report an error or a traceback, and the first few of them."""
    lines = [
        line
        for line in log.read_text(errors="replace").splitlines()
        if '"error"' in line or "Traceback" in line or "ERROR" in line or '"warning"' in line
    ]
    return len(lines), [line[:400] for line in lines[:samples]]


def route_table(crowd: Crowd) -> tuple[str, list[dict[str, Any]]]:
    errors_by_route: dict[str, int] = defaultdict(int)
    for key, count in crowd.stats.errors.items():
        errors_by_route[key.split(": ", 1)[0]] += count
    rows, records = [], []
    for route in sorted(set(crowd.stats.latencies) | set(errors_by_route)):
        values = crowd.stats.latencies.get(route, [])
        p50, p95, p99 = (percentile(values, share) for share in (0.50, 0.95, 0.99))
        record = {"route": route, "count": len(values), "errors": errors_by_route[route]}
        record |= {"p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "max_ms": max(values, default=0.0)}
        records.append(record)
        verdict = "ok" if p95 < P95_TARGET_MS else "SLOW"
        cells = [route, str(len(values)), str(errors_by_route[route]), f"{p50:.1f}", f"{p95:.1f}", f"{p99:.1f}"]
        rows.append([*cells, f"{record['max_ms']:.0f}", verdict])
    headers = ["route", "ok", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms", "p95<500"]
    return table(headers, rows), records


def verdict(crowd: Crowd, measures: Measures, records: list[dict[str, Any]]) -> list[str]:
    """Every way the run missed the target (empty: PASS)."""
    failures = [f"{r['route']}: p95 {r['p95_ms']:.0f} ms" for r in records if r["p95_ms"] >= P95_TARGET_MS]
    failures += [f"uvicorn replaced a worker ({event})" for event in measures.worker_events]
    if crowd.stats.error_count:
        failures.append(f"{crowd.stats.error_count} request or handshake errors")
    if crowd.streams.dropped:
        failures.append(f"{crowd.streams.dropped} streams dropped")
    deliveries = crowd.deliveries
    if deliveries.missing() or deliveries.duplicated() or deliveries.unexpected():
        failures.append(
            f"notifications: {deliveries.missing()} missing, {deliveries.duplicated()} duplicated, "
            f"{deliveries.unexpected()} unexpected"
        )
    return failures


def memory_lines(measures: Measures, streams: int) -> tuple[list[str], dict[str, Any]]:
    before, held, end = (sum(m.values()) for m in (measures.rss_before, measures.rss_held, measures.rss_end))
    per_stream = (held - before) / streams if streams else 0.0
    lines = [
        f"server RSS (master + workers): {before / 1024:.0f} MiB before the streams, {held / 1024:.0f} MiB with "
        f"{streams} held, {end / 1024:.0f} MiB at the end of the activity",
        f"memory per held stream: {per_stream:.1f} KiB   (workers: "
        + ", ".join(
            f"{pid}: {measures.rss_before.get(pid, 0) // 1024}->{kib // 1024} MiB"
            for pid, kib in measures.rss_held.items()
        )
        + f"); server file descriptors while held: {measures.server_fds_held}",
    ]
    record = {"rss_before_kib": before, "rss_held_kib": held, "rss_end_kib": end, "per_stream_kib": per_stream}
    return lines, record


def report(crowd: Crowd, measures: Measures, args: argparse.Namespace, context: dict[str, Any]) -> dict[str, Any]:
    routes, records = route_table(crowd)
    print()
    print(
        f"== {len(crowd.users)} users, {args.duration:.0f}s of activity, think {args.think_min:g}-{args.think_max:g}s"
    )
    print(routes)
    streams, deliveries = crowd.streams, crowd.deliveries
    print(
        f"\nstreams: {streams.opened} opened ({measures.ramp_seconds:.1f}s ramp), {streams.failed} failed, "
        f"{streams.dropped} dropped {dict(streams.drop_reasons) or ''}"
    )
    print(
        f"chat notifications: {len(deliveries.expected)} expected, {deliveries.delivered_once()} delivered once, "
        f"{deliveries.missing()} missing, {deliveries.duplicated()} duplicated, {deliveries.unexpected()} unexpected "
        f"(waited {measures.delivery_wait_seconds:.1f}s after the activity); other live notifications: "
        f"{dict(deliveries.other_types) or 0}"
    )
    delays = deliveries.delays_ms()
    print(
        "delivery delay (201 to the recipient's stream): "
        + ", ".join(f"p{int(q * 100)} {percentile(delays, q):.0f} ms" for q in (0.5, 0.95, 0.99))
        + f", max {max(delays, default=0):.0f} ms"
    )
    memory, memory_record = memory_lines(measures, streams.opened)
    print("\n".join(memory))
    busy = measures.activity_seconds or 1.0
    lag_p99 = percentile(measures.loop_lag_ms, 0.99)
    print(
        f"CPU during the activity: server {measures.server_cpu_seconds / busy:.2f} cores, client "
        f"{measures.client_cpu_seconds / busy:.2f} cores; client event-loop lag p99 {lag_p99:.0f} ms"
    )
    for key, count in crowd.stats.errors.most_common():
        print(f"  error x{count}: {key}  e.g. {crowd.stats.samples[key][0]}")
    log_count, log_samples = server_log_problems(SERVER_LOG)
    print(f"server log: {log_count} warning/error lines ({SERVER_LOG})")
    for line in log_samples:
        print(f"  {line}")
    print(f"\n{context['date']}  nproc {context['nproc']}  revision {context['revision']}  launcher {args.launcher}")
    print(f"load average before {loadavg_text(context['load_before'])}, after {loadavg_text(load_average())}")
    failures = verdict(crowd, measures, records)
    print("\nPASS" if not failures else "\nFAIL: " + "; ".join(failures))
    return {
        **context,
        "users": len(crowd.users),
        "duration": args.duration,
        "routes": records,
        "errors": dict(crowd.stats.errors),
        "streams": {"opened": streams.opened, "failed": streams.failed, "dropped": streams.dropped},
        "notifications": {
            "expected": len(deliveries.expected),
            "delivered_once": deliveries.delivered_once(),
            "missing": deliveries.missing(),
            "duplicated": deliveries.duplicated(),
            "unexpected": deliveries.unexpected(),
            "delay_p50_ms": percentile(deliveries.delays_ms(), 0.5),
            "delay_p99_ms": percentile(deliveries.delays_ms(), 0.99),
            "missing_sample": [
                {"message_id": message, "recipient": str(who)} for message, who in deliveries.missing_messages()[:100]
            ],
        },
        "memory": memory_record,
        "client_loop_lag_p99_ms": lag_p99,
        "server_log_problem_lines": log_count,
        "failures": failures,
    }


def check_open_files(users: int) -> int:
    """Raise this process's limit; stop with advice when the hard limit cannot hold the streams."""
    limit = raise_open_files_limit()
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    needed = users + CLIENT_FD_MARGIN
    if limit < needed:
        raise SystemExit(
            f"{users} streams need about {needed} open files here and as many in the server, but the hard "
            f"limit is {hard}: raise it first (e.g. `ulimit -Hn {needed * 2}` as root, or LimitNOFILE=)"
        )
    return hard


def event_loop_runner() -> Any:
    """``uvloop.run`` when uvloop is installed (a faster client), else ``asyncio.run``."""
    try:
        import uvloop  # noqa: PLC0415 - optional
    except ImportError:
        return asyncio.run
    return uvloop.run


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    hard_limit = check_open_files(args.users)
    context = {**machine(), "launcher": args.launcher, "load_before": load_average()}
    print(f"{context['date']}  nproc {context['nproc']}  load average {loadavg_text(context['load_before'])}")
    if args.duration + args.users / args.ramp_rate > TOKEN_TTL_SECONDS - 60:
        raise SystemExit("the run would outlive the access tokens (15 minutes): shorten --duration")
    mentors = round(args.users * args.mentor_share)
    options = SeedOptions(
        database=args.database, mentors=mentors, learners=args.users - mentors, posts=args.posts, reuse=args.reuse_db
    )
    url, _ = seed(options, SKILLBRIDGE_BIN)
    users = load_roster(url, args.users)
    secret = new_secret_key()
    mint_tokens(users, secret)
    server_options = ServerOptions(
        database_url=application_url(url),
        port=args.port,
        workers=args.workers,
        redis_db=args.redis_db,
        server=args.server,
        log=SERVER_LOG,
        open_files=hard_limit,
        launcher=args.launcher,
    )
    server = start_server(server_options, SKILLBRIDGE_BIN, secret)
    print(f"server up on :{args.port} (open files {hard_limit}); {len(users)} users with minted tokens", flush=True)
    try:
        crowd, measures = event_loop_runner()(run_crowd(users, server, args))
    finally:
        server.stop()
    document = report(crowd, measures, args, context)
    if args.json:
        args.json.write_text(json.dumps(document, indent=2, default=str))
        print(f"results written to {args.json}")
    return 1 if document["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
