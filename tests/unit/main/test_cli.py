"""The ``skillbridge`` command line on a throwaway SQLite file, configured through the environment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from skillbridge.main.cli import cli
from skillbridge.main.demo_data import DEMO_PASSWORD

PASSWORD = "kilimanjaro-sunrise-42"

Run = Callable[..., Result]


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture
def run(database: Path) -> Run:
    env = {
        "SKILLBRIDGE_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "SKILLBRIDGE_ARGON2_TIME_COST": "1",
        "SKILLBRIDGE_ARGON2_MEMORY_KIB": "8",
    }

    def invoke(*args: str, **extra_env: str) -> Result:
        return CliRunner().invoke(cli, list(args), env={**env, **extra_env})

    return invoke


def test_migrate_creates_the_schema_and_is_idempotent(run: Run, database: Path) -> None:
    first = run("migrate")
    assert first.exit_code == 0, first.output
    assert "database is up to date" in first.output
    assert database.exists()
    second = run("migrate")
    assert second.exit_code == 0, second.output
    assert "database is up to date" in second.output


def test_create_admin_then_a_duplicate_fails_with_a_clear_message(run: Run) -> None:
    created = run("create-admin", "--email", "root@example.org", "--password", PASSWORD, "--name", "Root")
    assert created.exit_code == 0, created.output
    # The last line: when another test configured logging in this process, migration log lines come first.
    assert created.output.strip().splitlines()[-1].startswith("admin created: ")
    assert PASSWORD not in created.output

    again = run("create-admin", "--email", "ROOT@example.org ", "--password", PASSWORD)
    assert again.exit_code == 1
    assert "Error: email:" in again.output
    assert "Traceback" not in again.output


def test_create_admin_refuses_a_weak_password(run: Run) -> None:
    result = run("create-admin", "--email", "weak@example.org", "--password", "password")
    assert result.exit_code == 1
    assert "Error: password:" in result.output


def test_create_admin_prompts_for_the_password_when_not_given(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSWORD)
    result = run("create-admin", "--email", "prompted@example.org")
    assert result.exit_code == 0, result.output


def test_seed_demo_is_idempotent(run: Run) -> None:
    first = run("seed-demo", "--mentors", "3", "--learners", "5")
    assert first.exit_code == 0, first.output
    assert "demo users created: 8, already there: 0" in first.output
    assert DEMO_PASSWORD in first.output  # published on purpose: the demo accounts' one password

    second = run("seed-demo", "--mentors", "3", "--learners", "5")
    assert second.exit_code == 0, second.output
    assert "demo users created: 0, already there: 8" in second.output


@pytest.mark.parametrize("command", [["migrate"], ["seed-demo", "--mentors", "1", "--learners", "1"]])
def test_production_with_the_default_secret_is_refused_before_anything_runs(
    run: Run, database: Path, command: list[str]
) -> None:
    result = run(*command, SKILLBRIDGE_PROFILE="production")
    assert result.exit_code == 1
    assert "Error: invalid settings" in result.output
    assert "SKILLBRIDGE_SECRET_KEY" in result.output
    assert "Traceback" not in result.output
    assert not database.exists()


def test_an_unparsable_setting_is_a_clear_error(run: Run) -> None:
    result = run("migrate", SKILLBRIDGE_ACCESS_TOKEN_TTL_SECONDS="an hour")
    assert result.exit_code == 1
    assert "Error: invalid settings" in result.output
    assert "SKILLBRIDGE_ACCESS_TOKEN_TTL_SECONDS: Input should be a valid integer" in result.output


def test_a_refused_secret_is_never_printed(run: Run) -> None:
    secret = "abcdefghijklmnopqrstuvwxyz01234"  # 31 bytes: refused in production
    result = run("migrate", SKILLBRIDGE_PROFILE="production", SKILLBRIDGE_SECRET_KEY=secret)
    assert result.exit_code == 1
    assert "at least 32 bytes" in result.output
    assert not any(secret[i : i + 8] in result.output for i in range(len(secret) - 7)), result.output


def test_serve_refuses_bad_settings_too(run: Run) -> None:
    result = run("serve", SKILLBRIDGE_PROFILE="production")
    assert result.exit_code == 1
    assert "SKILLBRIDGE_SECRET_KEY" in result.output


def test_expire_matches_migrates_and_reports_how_many_expired(run: Run) -> None:
    result = run("expire-matches")
    assert result.exit_code == 0, result.output
    assert "match requests expired: 0" in result.output


def test_the_worker_needs_the_redis_queue(run: Run) -> None:
    result = run("worker")
    assert result.exit_code == 1
    assert "the worker needs the Redis job queue" in result.output
    forced = run("worker", SKILLBRIDGE_REDIS_URL="redis://127.0.0.1:1/0", SKILLBRIDGE_JOBS_BROKER="in-process")
    assert forced.exit_code == 1 and "SKILLBRIDGE_REDIS_URL" in forced.output


def test_a_redis_job_broker_without_redis_is_refused_at_start(run: Run) -> None:
    result = run("expire-matches", SKILLBRIDGE_JOBS_BROKER="redis")
    assert result.exit_code == 1
    assert "SKILLBRIDGE_JOBS_BROKER=redis needs SKILLBRIDGE_REDIS_URL" in result.output


def test_seed_demo_is_refused_in_the_production_profile(run: Run, database: Path) -> None:
    strong = {
        "SKILLBRIDGE_PROFILE": "production",
        "SKILLBRIDGE_SECRET_KEY": "0123456789abcdef0123456789abcdef",
        "SKILLBRIDGE_ARGON2_TIME_COST": "2",
        "SKILLBRIDGE_ARGON2_MEMORY_KIB": "19456",
    }
    result = run("seed-demo", "--mentors", "1", "--learners", "1", **strong)
    assert result.exit_code == 1
    assert "seed-demo is refused in the production profile" in result.output
    assert DEMO_PASSWORD not in result.output
    assert not database.exists()  # nothing created, not even the schema
    # The same settings migrate fine: only the demo accounts are refused.
    assert run("migrate", **strong).exit_code == 0


class ServeCalls:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[dict[str, object]] = []
        monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: self.calls.append(kwargs))


@pytest.mark.parametrize("workers", ["2", "8"])
def test_serve_refuses_several_workers_without_redis(
    run: Run, monkeypatch: pytest.MonkeyPatch, database: Path, workers: str
) -> None:
    served = ServeCalls(monkeypatch)
    for profile in ("embedded", "production"):
        result = run(
            "serve",
            "--workers",
            workers,
            "--no-migrate",
            SKILLBRIDGE_PROFILE=profile,
            SKILLBRIDGE_SECRET_KEY="0123456789abcdef0123456789abcdef",
            SKILLBRIDGE_ARGON2_TIME_COST="2",
            SKILLBRIDGE_ARGON2_MEMORY_KIB="19456",
        )
        assert result.exit_code == 1
        refusal = {
            "embedded": f"refusing --workers {workers} without SKILLBRIDGE_REDIS_URL",
            "production": "SKILLBRIDGE_REDIS_URL must be set in the production profile",  # it needs Redis anyway
        }
        assert refusal[profile] in result.output
    assert served.calls == []
    # Positive controls: one worker without Redis, several with it.
    assert run("serve", "--no-migrate").exit_code == 0
    with_redis = run("serve", "--workers", workers, "--no-migrate", SKILLBRIDGE_REDIS_URL="redis://127.0.0.1:6379/0")
    assert with_redis.exit_code == 0, with_redis.output
    assert [call["workers"] for call in served.calls] == [1, int(workers)]


@pytest.mark.parametrize("secret", ["skillbridge-embedded-development-secret-change-me", "tiny-s3cr3t"])
def test_serve_refuses_a_public_host_with_a_published_or_short_secret(
    run: Run, monkeypatch: pytest.MonkeyPatch, database: Path, secret: str
) -> None:
    served = ServeCalls(monkeypatch)
    for host in ("0.0.0.0", "192.0.2.1"):  # noqa: S104 - the abuse under test
        result = run("serve", "--host", host, "--no-migrate", SKILLBRIDGE_SECRET_KEY=secret)
        assert result.exit_code == 1
        assert f"refusing to serve on {host}" in result.output
        assert secret not in result.output
    from_env = run("serve", "--no-migrate", SKILLBRIDGE_SECRET_KEY=secret, SKILLBRIDGE_HOST="0.0.0.0")  # noqa: S104
    assert from_env.exit_code == 1
    assert served.calls == []
    # Positive controls: loopback with that secret, and a public host with the generated per-install key.
    assert run("serve", "--host", "127.0.0.1", "--no-migrate", SKILLBRIDGE_SECRET_KEY=secret).exit_code == 0
    public = run("serve", "--host", "0.0.0.0", "--no-migrate")  # noqa: S104
    assert public.exit_code == 0, public.output
    assert [call["host"] for call in served.calls] == ["127.0.0.1", "0.0.0.0"]  # noqa: S104
    key = database.parent / "secret_key"
    assert key.exists()
    assert oct(key.stat().st_mode & 0o777) == "0o600"
