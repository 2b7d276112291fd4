"""HTTP speed of SkillBridge against the Django REST twin, side by side on this machine.

Run: ``.venv/bin/python bench/http_vs_twin.py [--duration 20s] [--connections 64] [--skip-twin]
[--other-routes-duration 5s] [--json out.json]``

1. Starts the DRF twin (its ``run.sh``: own venv, database ``drf_twin``, seed, gunicorn with 2 sync workers on
   :8701) and waits for it.
2. Recreates and seeds the database ``skillbridge_bench`` at the twin's size (2,000 mentors, 2,000 learners
   with a roadmap each, 5,000 forum posts; plus an active mentorship and a few notifications per learner),
   migrated by ``skillbridge migrate``.
3. Starts ``skillbridge serve --workers 2`` on :8702: production profile, PostgreSQL, Redis db 5 (flushed),
   logs at WARNING, rate limits on but raised far above the load.
4. Runs the twin's ``load.sh`` (wrk on GET /roadmaps/{id} and GET /users/mentors?skills=python&limit=20)
   against both servers with the same duration and connections, and prints them side by side.
5. Runs wrk on every other signed-in GET route of SkillBridge and compares each with the twin's roadmap rate
   (the target: no signed-in GET route below it).

Both servers are stopped at the end (their whole process groups). Not a timed test: it prints tables.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchkit.processes import Child, load_average, wait_idle
from benchkit.report import loadavg_text, machine, ms, ratio, rps, table
from benchkit.seeding import SeedOptions, application_url, seed, write_fixture
from benchkit.server import ServerOptions, WorkerWatch, add_server_arguments, new_secret_key, start_server
from benchkit.wrk import WrkResult, parse_load_output, run_wrk

REPO = Path(__file__).resolve().parent.parent
SKILLBRIDGE_BIN = REPO / ".venv" / "bin" / "skillbridge"
TWIN_PORT = 8701
TWIN_FIXTURE = Path("/tmp/drf_twin_fixture.json")  # noqa: S108 - where the twin's run.sh writes it
FIXTURE = Path("/tmp/skillbridge_bench_fixture.json")  # noqa: S108
TWIN_STARTUP_SECONDS = 900.0  # the first run installs the twin's virtualenv
LOAD_ENDPOINTS = ("roadmap", "mentors")


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    path: str


def other_routes(fixture: dict[str, Any]) -> list[Route]:
    """Every signed-in GET route of docs/api.md but the two of load.sh (and the live streams), for the
    fixture's learner."""
    roadmap, match, thread = fixture["roadmap_id"], fixture["match_id"], fixture["busiest_thread_id"]
    return [
        Route("users/me", "/api/v1/users/me"),
        Route("roadmaps/my", "/api/v1/roadmaps/my"),
        Route("roadmaps/{id}/versions", f"/api/v1/roadmaps/{roadmap}/versions"),
        Route("progress/{roadmap_id}", f"/api/v1/progress/{roadmap}"),
        Route("matches/my", "/api/v1/matches/my"),
        Route("matches/{id}", f"/api/v1/matches/{match}"),
        Route("matches/{id}/chat", f"/api/v1/matches/{match}/chat"),
        Route("matches/{id}/schedule.ics", f"/api/v1/matches/{match}/schedule.ics"),
        Route("matches/recommendations", "/api/v1/matches/recommendations"),
        Route("notifications/my", "/api/v1/notifications/my"),
        Route("forum/posts", "/api/v1/forum/posts"),
        Route("forum/posts?category=career", "/api/v1/forum/posts?category=career"),
        Route("forum/posts?q=python", "/api/v1/forum/posts?q=python"),
        Route("forum/posts/{id} (most replies)", f"/api/v1/forum/posts/{thread}"),
        Route("badges/my", "/api/v1/badges/my"),
        Route("badges", "/api/v1/badges"),
        Route("domains", "/api/v1/domains"),
    ]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", default="20s", help="wrk duration of each load.sh endpoint (default 20s)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--other-routes-duration", default="5s", help="wrk duration of each other route ('0': skip)")
    parser.add_argument("--skip-twin", action="store_true", help="measure SkillBridge alone")
    parser.add_argument("--twin-dir", type=Path, default=REPO.parent / "shared" / "anchors" / "drf_twin")
    add_server_arguments(parser, database="skillbridge_bench", port=8702, redis_db=5)
    return parser.parse_args(argv)


def start_twin(twin_dir: Path) -> Child:
    run_sh = twin_dir / "run.sh"
    if not run_sh.exists():
        raise SystemExit(f"the DRF twin is not at {twin_dir} (--twin-dir)")
    env = {**os.environ, "PORT": str(TWIN_PORT), "WORKERS": "2", "DRF_TWIN_FIXTURE": str(TWIN_FIXTURE)}
    twin = Child("drf-twin", [str(run_sh)], env=env, log=Path("/tmp/drf_twin_bench.log"), cwd=twin_dir)  # noqa: S108
    print(f"starting the DRF twin ({run_sh}); log /tmp/drf_twin_bench.log")
    try:
        twin.wait_http(f"http://127.0.0.1:{TWIN_PORT}/health", TWIN_STARTUP_SECONDS)
    except BaseException:
        twin.stop()
        raise
    # Our database is analysed after seeding; the twin's gets the same, so both planners know their tables.
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "drf_twin", "-qc", "VACUUM ANALYZE"],  # noqa: S607
        check=False,
    )
    return twin


def run_load(load_sh: Path, base_url: str, fixture: Path, args: argparse.Namespace) -> dict[str, WrkResult]:
    """The twin's load.sh against ``base_url``; its wrk reports by endpoint."""
    env = {**os.environ, "DURATION": args.duration, "CONNECTIONS": str(args.connections), "THREADS": str(args.threads)}
    print(f"load.sh {base_url} ({args.duration}, {args.connections} connections) ...", flush=True)
    done = subprocess.run(  # noqa: S603 - the twin's own script
        [str(load_sh), base_url, str(fixture)], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"load.sh against {base_url} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    results = parse_load_output(done.stdout)
    missing = [name for name in LOAD_ENDPOINTS if name not in results]
    if missing:
        raise SystemExit(f"load.sh printed no wrk report for {missing}:\n{done.stdout}")
    return results


def login(base_url: str, email: str, password: str) -> str:
    body = json.dumps({"email": email, "password": password}).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{base_url}/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        token: str = json.load(response)["access_token"]
    return token


def status_of(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def settle(server: Child, watch: WorkerWatch, last_run: str) -> None:
    """Let the server finish what the last wrk run left queued before the next run starts, and check that
    no worker was replaced during the last run."""
    watch.check(last_run)
    waited = wait_idle(server.pid)
    if waited > 3:
        print(f"   (waited {waited:.0f}s for the server to drain the requests wrk left queued)", flush=True)


def run_other_routes(
    server: Child, watch: WorkerWatch, base_url: str, fixture: dict[str, Any], args: argparse.Namespace
) -> list[WrkResult]:
    token = login(base_url, fixture["email"], fixture["password"])
    results: list[WrkResult] = []
    for route in other_routes(fixture):
        settle(server, watch, results[-1].name if results else "the twin's load")
        url = base_url + route.path
        status = status_of(url, token)
        if status != 200:
            print(f"!! GET {route.path} answered {status}, not 200: not measured", flush=True)
            results.append(WrkResult(name=route.name, url=url, non_2xx=-1))
            continue
        print(f"wrk {route.name} ({args.other_routes_duration}) ...", flush=True)
        results.append(
            run_wrk(
                route.name,
                url,
                token=token,
                duration=args.other_routes_duration,
                connections=args.connections,
                threads=args.threads,
            )
        )
    watch.check(results[-1].name if results else "the other routes")
    return results


def side_by_side(ours: dict[str, WrkResult], twin: dict[str, WrkResult]) -> str:
    rows = []
    for name in LOAD_ENDPOINTS:
        mine, theirs = ours[name], twin.get(name)
        rows.append(
            [
                name,
                rps(mine.rps),
                ms(mine.p50_ms),
                ms(mine.p99_ms),
                rps(theirs.rps) if theirs else "-",
                ms(theirs.p50_ms) if theirs else "-",
                ms(theirs.p99_ms) if theirs else "-",
                ratio(mine.rps, theirs.rps if theirs else None),
            ]
        )
    headers = ["endpoint", "SB rps", "SB p50 ms", "SB p99 ms", "twin rps", "twin p50", "twin p99", "SB/twin rps"]
    return table(headers, rows)


def other_routes_table(results: list[WrkResult], twin_roadmap_rps: float | None) -> str:
    rows = []
    for result in results:
        if result.non_2xx < 0:
            rows.append([result.name, "not 200", "-", "-", "-"])
            continue
        below = twin_roadmap_rps is not None and result.rps < twin_roadmap_rps
        verdict = "-" if twin_roadmap_rps is None else ("BELOW" if below else "ok")
        rows.append([result.name, rps(result.rps), ms(result.p99_ms), ratio(result.rps, twin_roadmap_rps), verdict])
    return table(["route (GET /api/v1/...)", "rps", "p99 ms", "/ twin roadmap rps", "target"], rows)


@dataclass(slots=True)
class Results:
    ours: dict[str, WrkResult] = field(default_factory=dict)
    theirs: dict[str, WrkResult] = field(default_factory=dict)
    others: list[WrkResult] = field(default_factory=list)
    worker_events: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Every run with errors, or no answer at all, or a route that did not answer 200."""
        runs = [("SkillBridge", r) for r in [*self.ours.values(), *self.others]] + [
            ("twin", r) for r in self.theirs.values()
        ]
        found = [f"{server} {r.name}: {r.problems()}" for server, r in runs if r.non_2xx >= 0 and not r.clean]
        found += [f"SkillBridge {r.name}: did not answer 200" for r in self.others if r.non_2xx < 0]
        return found + [f"uvicorn replaced a worker: {event}" for event in self.worker_events]


def measure(args: argparse.Namespace) -> Results:
    """Start both servers, seed, run every load, stop both servers."""
    results = Results()
    twin: Child | None = None
    server: Child | None = None
    base_url = f"http://127.0.0.1:{args.port}"
    try:
        if not args.skip_twin:
            twin = start_twin(args.twin_dir)
        url, _ = seed(SeedOptions(database=args.database, reuse=args.reuse_db), SKILLBRIDGE_BIN)
        fixture = write_fixture(FIXTURE, url)
        options = ServerOptions(
            database_url=application_url(url),
            port=args.port,
            workers=args.workers,
            redis_db=args.redis_db,
            server=args.server,
            launcher=args.launcher,
        )
        server = start_server(options, SKILLBRIDGE_BIN, new_secret_key())
        print(f"SkillBridge up on {base_url} (log {options.log})", flush=True)
        load_sh = args.twin_dir / "load.sh"
        watch = WorkerWatch(server)
        results.worker_events = watch.events
        results.ours = run_load(load_sh, base_url, FIXTURE, args)
        if twin is not None:
            settle(server, watch, "load.sh on SkillBridge")
            results.theirs = run_load(load_sh, f"http://127.0.0.1:{TWIN_PORT}", TWIN_FIXTURE, args)
            wait_idle(twin.pid)
        if args.other_routes_duration not in ("0", "0s"):
            results.others = run_other_routes(server, watch, base_url, fixture, args)
    finally:
        for child in (server, twin):
            if child is not None:
                child.stop()
    return results


def print_report(args: argparse.Namespace, results: Results, context: dict[str, Any]) -> list[str]:
    """The tables, the machine's context and a loud note of every unclean run (returned)."""
    print()
    print(f"== load.sh, {args.duration} each, {args.connections} connections, {args.threads} wrk threads")
    print(side_by_side(results.ours, results.theirs))
    twin_roadmap = results.theirs["roadmap"].rps if "roadmap" in results.theirs else None
    if results.others:
        print()
        print(f"== other signed-in GET routes of SkillBridge, {args.other_routes_duration} each")
        print(other_routes_table(results.others, twin_roadmap))
    print()
    print(f"{context['date']}  nproc {context['nproc']}  revision {context['revision']}  launcher {args.launcher}")
    print(f"load average before {loadavg_text(context['load_average_before'])}, ", end="")
    print(f"after {loadavg_text(context['load_average_after'])}")
    problems = results.problems()
    if problems:
        print("\n!!!!! NOT CLEAN: these runs had errors, so their numbers do not count !!!!!")
        for line in problems:
            print(f"!!!!!   {line}")
    else:
        print("every run: 0 non-2xx answers, 0 socket errors")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    context: dict[str, Any] = {**machine(), "launcher": args.launcher, "load_average_before": load_average()}
    print(f"{context['date']}  nproc {context['nproc']}  revision {context['revision']}")
    print(f"load average before: {loadavg_text(context['load_average_before'])}", flush=True)
    results = measure(args)
    context["load_average_after"] = load_average()
    problems = print_report(args, results, context)
    if args.json:
        document = {
            **context,
            "duration": args.duration,
            "connections": args.connections,
            "other_routes_duration": args.other_routes_duration,
            "skillbridge": {name: r.as_dict() for name, r in results.ours.items()},
            "twin": {name: r.as_dict() for name, r in results.theirs.items()},
            "other_routes": [r.as_dict() for r in results.others],
            "problems": problems,
        }
        args.json.write_text(json.dumps(document, indent=2))
        print(f"results written to {args.json}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
