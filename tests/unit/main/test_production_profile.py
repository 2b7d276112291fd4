"""The production profile refuses to start without PostgreSQL, Redis, the operators' token, and a matcher
token when the matcher service is used; every problem is named, at once, with the variable to set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skillbridge.main import Settings, create_app
from skillbridge.main.cli import cli
from skillbridge.main.production import ProductionNotReady, production_problems

STRONG = {
    "profile": "production",
    "secret_key": "0123456789abcdef0123456789abcdef",
    "argon2_time_cost": 2,
    "argon2_memory_kib": 19_456,
}
COMPLETE = STRONG | {
    "database_url": "postgresql+asyncpg://skillbridge@db.internal/skillbridge",
    "redis_url": "redis://cache.internal:6379/0",
    "ops_token": "operators-only-0123456789",
}

#: What is missing -> the start of the sentence that names it (written out, not taken from the code).
DATABASE = "SKILLBRIDGE_DATABASE_URL must name PostgreSQL"
REDIS = "SKILLBRIDGE_REDIS_URL must be set in the production profile"
MATCHER = "SKILLBRIDGE_MATCHER_TOKEN must be set (at least 16 bytes"
OPS = "SKILLBRIDGE_OPS_TOKEN must be set in the production profile"


def _starts(problems: list[str]) -> list[str]:
    known = (DATABASE, REDIS, MATCHER, OPS)
    return [next(start for start in known if problem.startswith(start)) for problem in problems]


@pytest.mark.parametrize(
    ("changes", "serving_http", "expected"),
    [
        ({}, True, []),
        ({"database_url": "sqlite+aiosqlite:///./var/skillbridge.db"}, True, [DATABASE]),
        ({"database_url": "memory://"}, True, [DATABASE]),
        ({"redis_url": None}, True, [REDIS]),
        ({"ops_token": None}, True, [OPS]),
        ({"ops_token": None}, False, []),  # the worker serves no /metrics nor /ready of the API
        ({"matcher_url": "http://matcher.internal:8080"}, True, [MATCHER]),
        ({"matcher_url": "http://matcher.internal:8080", "matcher_token": "too-short-15byt"}, True, [MATCHER]),
        ({"matcher_url": "http://matcher.internal:8080", "matcher_token": "long-enough-16by"}, True, []),
        (
            {"database_url": "sqlite+aiosqlite:///x.db", "redis_url": None, "ops_token": None},
            True,
            [DATABASE, REDIS, OPS],
        ),
    ],
)
def test_production_problems(changes: dict[str, Any], serving_http: bool, expected: list[str]) -> None:
    settings = Settings(**(COMPLETE | changes))
    assert _starts(production_problems(settings, serving_http=serving_http)) == expected


def test_the_embedded_profile_needs_none_of_it() -> None:
    assert production_problems(Settings(), serving_http=True) == []


def test_create_app_refuses_an_incomplete_production_profile() -> None:
    with pytest.raises(ProductionNotReady, match=REDIS):
        create_app(Settings(**(COMPLETE | {"redis_url": None})))


def _environment(values: dict[str, Any]) -> dict[str, str]:
    return {f"SKILLBRIDGE_{key.upper()}": str(value) for key, value in values.items() if value is not None}


@pytest.mark.parametrize("command", [["serve", "--no-migrate"], ["worker"]])
def test_serve_and_worker_refuse_with_every_problem_listed(
    command: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    served: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: served.append(kwargs))
    env = _environment(STRONG | {"database_url": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"})
    result = CliRunner().invoke(cli, command, env=env)
    assert result.exit_code == 1
    assert "the production profile cannot start" in result.output
    assert DATABASE in result.output
    assert REDIS in result.output
    assert (OPS in result.output) is (command[0] == "serve")
    assert "Traceback" not in result.output
    assert served == []


def test_serve_starts_a_complete_production_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: served.append(kwargs))
    result = CliRunner().invoke(cli, ["serve", "--no-migrate"], env=_environment(COMPLETE))
    assert result.exit_code == 0, result.output
    assert len(served) == 1


def test_a_short_operators_token_is_refused() -> None:
    with pytest.raises(ValueError, match="ops_token"):
        Settings(ops_token="short")
