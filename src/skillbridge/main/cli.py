"""The ``skillbridge`` command: serve, worker, migrate, backup, restore, create-admin, seed-demo, expire-matches."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click
from dishka import AsyncContainer
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from skillbridge.domain.errors import Conflict, DomainError
from skillbridge.main.container import build_container
from skillbridge.main.production import ProductionNotReady, require_production_ready
from skillbridge.main.secret_key import SecretKeyError, is_loopback, signing_secret, weak_secret_in_use
from skillbridge.main.settings import MIN_SECRET_BYTES, Settings

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        # Never str(exc): pydantic prints the input values, and so a piece of the secret key.
        problems = "; ".join(_describe(error) for error in exc.errors(include_url=False, include_input=False))
        raise click.ClickException(f"invalid settings: {problems}") from None


def _describe(error: ErrorDetails) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if not error["loc"]:
        return message
    return f"SKILLBRIDGE_{'_'.join(str(part) for part in error['loc']).upper()}: {message}"


def _refuse_unready_production(settings: Settings, *, serving_http: bool) -> None:
    try:
        require_production_ready(settings, serving_http=serving_http)
    except ProductionNotReady as exc:
        raise click.ClickException(str(exc)) from None


async def _with_container(settings: Settings, work: Callable[[AsyncContainer], Awaitable[T]]) -> T:
    container = build_container(settings)
    try:
        return await work(container)
    finally:
        await container.close()


async def _migrate(settings: Settings) -> None:
    if settings.uses_memory_database:
        return
    from skillbridge.adapters.persistence.sqlalchemy.migrate import upgrade  # noqa: PLC0415 - CLI-only import

    await upgrade(settings.schema_owner_url)


@click.group()
def cli() -> None:
    """SkillBridge backend: roadmaps, mentor matching, progress and community."""


@cli.command()
def migrate() -> None:
    """Bring the database schema up to date (idempotent)."""
    settings = _settings()
    asyncio.run(_migrate(settings))
    click.echo(f"database is up to date: {settings.schema_owner_url.split('@')[-1]}")


@cli.command()
@click.option("--host", default=None, help="address to bind (default: SKILLBRIDGE_HOST or 127.0.0.1)")
@click.option("--port", default=None, type=int, help="port (default: SKILLBRIDGE_PORT or 8000)")
@click.option("--workers", default=1, show_default=True, type=int, help="worker processes")
@click.option(
    "--migrate/--no-migrate",
    "run_migrations",
    default=None,
    help="migrate before serving (default: yes in the embedded profile)",
)
def serve(host: str | None, port: int | None, workers: int, run_migrations: bool | None) -> None:
    """Serve the HTTP API."""
    import uvicorn  # noqa: PLC0415 - only the server needs it

    settings = _settings()
    _refuse_unready_production(settings, serving_http=True)
    host = host or settings.host
    if weak_secret_in_use(settings) and not is_loopback(host):
        raise click.ClickException(
            f"refusing to serve on {host}: SKILLBRIDGE_SECRET_KEY is the secret published in the source or shorter "
            f"than {MIN_SECRET_BYTES} bytes, so anyone could sign tokens; unset it (a random one is kept in "
            f"{settings.secret_key_path}) or set a strong one, or serve on 127.0.0.1"
        )
    if workers > 1 and not settings.redis_url:
        raise click.ClickException(
            f"refusing --workers {workers} without SKILLBRIDGE_REDIS_URL: each process would keep its own rate "
            "limits, login throttling, token revocations, GitHub login states and job clock; set "
            "SKILLBRIDGE_REDIS_URL or serve with --workers 1"
        )
    try:  # made here, once, before any worker process starts
        signing_secret(settings)
    except (SecretKeyError, OSError) as exc:
        raise click.ClickException(f"no token signing key: {exc}") from None
    if run_migrations if run_migrations is not None else settings.profile == "embedded":
        asyncio.run(_migrate(settings))
    uvicorn.run(
        "skillbridge.main.app:create_served_app",
        factory=True,
        host=host,
        port=port if port is not None else settings.port,
        workers=workers,
        proxy_headers=False,  # the app reads X-Forwarded-For itself, trusting SKILLBRIDGE_TRUSTED_PROXIES only
        access_log=False,
        log_config=None,
        # A new worker imports the whole app first (seconds on a busy machine): uvicorn's 5 s default killed
        # workers in a loop before they ever served.
        timeout_worker_healthcheck=60,
        # After the drain (see adapters/http/draining.py), the requests in flight get this long to finish.
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
    )


@cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", default=None, help="prompted for when omitted (preferred: keeps it out of shell history)")
@click.option("--name", default=None, help="display name")
def create_admin(email: str, password: str | None, name: str | None) -> None:
    """Create an admin account."""
    from skillbridge.application.accounts.administration import CreateAdmin  # noqa: PLC0415

    settings = _settings()
    secret = password or getpass.getpass("password: ")

    async def work(container: AsyncContainer) -> str:
        await _migrate(settings)
        async with container() as request:
            user = await (await request.get(CreateAdmin))(email, secret, name)
            return str(user.id)

    try:
        user_id = asyncio.run(_with_container(settings, work))
    except DomainError as exc:
        raise click.ClickException(f"{exc.field + ': ' if exc.field else ''}{exc.message}") from exc
    if settings.admin_two_factor_required:
        click.echo(
            "admin powers wait for two-factor authentication: sign in, then POST /api/v1/auth/2fa/setup and /enable"
        )
    click.echo(f"admin created: {user_id}")


@cli.command("seed-demo")
@click.option("--seed", default=7, show_default=True, help="random seed of the demo data")
@click.option("--mentors", default=40, show_default=True)
@click.option("--learners", default=120, show_default=True)
def seed_demo(seed: int, mentors: int, learners: int) -> None:
    """Load a realistic demo data set: mentors and learners across African cities (idempotent)."""
    from skillbridge.application.accounts.registration import RegisterUser  # noqa: PLC0415
    from skillbridge.main.demo_data import DEMO_PASSWORD, demo_registrations  # noqa: PLC0415

    settings = _settings()
    if settings.profile == "production":
        raise click.ClickException(
            "seed-demo is refused in the production profile: it creates accounts whose password is published"
        )
    registrations = demo_registrations(seed=seed, mentors=mentors, learners=learners)

    async def work(container: AsyncContainer) -> tuple[int, int]:
        await _migrate(settings)
        created = skipped = 0
        for registration in registrations:
            async with container() as request:
                try:
                    await (await request.get(RegisterUser))(registration, email_verified=True, terms_vouched=True)
                    created += 1
                except Conflict:
                    skipped += 1
        return created, skipped

    created, skipped = asyncio.run(_with_container(settings, work))
    click.echo(f"demo users created: {created}, already there: {skipped}; password for all: {DEMO_PASSWORD}")


@cli.command("expire-matches")
def expire_matches() -> None:
    """Expire the match requests their mentor left unanswered and offer each learner the next mentor, once
    (the scheduler does this every SKILLBRIDGE_MATCH_EXPIRY_SWEEP_SECONDS)."""
    from skillbridge.application.matching.expiry import ExpireUnansweredMatches  # noqa: PLC0415

    settings = _settings()

    async def work(container: AsyncContainer) -> int:
        await _migrate(settings)
        async with container() as scope:
            return await (await scope.get(ExpireUnansweredMatches))()

    click.echo(f"match requests expired: {asyncio.run(_with_container(settings, work))}")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="replace PATH if it exists")
def backup(path: Path, force: bool) -> None:
    """Write a consistent backup of the database to PATH, while the service keeps serving (SQLite: the online
    backup API; PostgreSQL: pg_dump, custom format), as SKILLBRIDGE_MIGRATION_DATABASE_URL when set."""
    from skillbridge.adapters.persistence.backup import BackupError, backup_database  # noqa: PLC0415

    settings = _settings()
    try:
        # As the schema owner: row-level security hides other users' rows from the application role, and
        # pg_dump refuses a table whose rows it cannot all read.
        asyncio.run(backup_database(settings.schema_owner_url, path, overwrite=force))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written: {path} ({path.stat().st_size} bytes)")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="replace the data of a database that is not empty")
def restore(path: Path, force: bool) -> None:
    """Restore the backup in PATH into the database, as SKILLBRIDGE_MIGRATION_DATABASE_URL when set; refused over
    a database that holds rows, unless --force."""
    from skillbridge.adapters.persistence.backup import BackupError, restore_database  # noqa: PLC0415

    settings = _settings()
    # As the schema owner: it owns the tables the restore drops and creates again, and it sees every row, so
    # the emptiness check is not fooled by row-level security (the application role sees none of others' rows).
    url = settings.schema_owner_url
    try:
        asyncio.run(restore_database(url, path, force=force))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {path} into {url.split('@')[-1]}")


@cli.command()
@click.option("--concurrency", default=10, show_default=True, type=click.IntRange(1, 1000), help="jobs at once")
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="also keep the clock of scheduled jobs (run exactly one worker with it)",
)
@click.option(
    "--metrics-port",
    default=None,
    type=click.IntRange(1, 65535),
    help="serve Prometheus metrics (job runs by outcome, run times) on this port at SKILLBRIDGE_HOST",
)
def worker(concurrency: int, scheduler: bool, metrics_port: int | None) -> None:
    """Run background jobs from the Redis queue (GitHub deliveries, match expiry, session reminders)."""
    settings = _settings()
    _refuse_unready_production(settings, serving_http=False)
    if settings.jobs_run_inline:
        raise click.ClickException(
            "the worker needs the Redis job queue: set SKILLBRIDGE_REDIS_URL and leave SKILLBRIDGE_JOBS_BROKER "
            "at auto or redis (otherwise jobs run inside the API process)"
        )
    from skillbridge.main.jobs import run_worker  # noqa: PLC0415 - the worker's imports stay out of the rest

    click.echo(f"worker started: concurrency {concurrency}, scheduler {'on' if scheduler else 'off'}")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_worker(settings, concurrency=concurrency, with_scheduler=scheduler, metrics_port=metrics_port))


def main() -> None:  # pragma: no cover - console entry for `python -m skillbridge.main.cli`
    sys.exit(cli())


if __name__ == "__main__":  # pragma: no cover
    main()
