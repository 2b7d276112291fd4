"""The token signing key: generated once per install (mode 0600), kept across restarts, never shared between
installs; tokens signed before a restart still open the API after it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from skillbridge.main import Settings, create_app
from skillbridge.main.secret_key import SecretKeyError, is_loopback, read_or_create_key_file, signing_secret
from skillbridge.main.settings import PUBLISHED_SECRET
from tests.support.terms import TERMS_VERSION

FAST = {"argon2_time_cost": 1, "argon2_memory_kib": 8}
PASSWORD = "kilimanjaro-sunrise-42"


def _install(root: Path) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{root / 'var' / 'skillbridge.db'}", **FAST)


def test_each_install_generates_its_own_key_next_to_its_database(tmp_path: Path) -> None:
    first, second = _install(tmp_path / "a"), _install(tmp_path / "b")
    key = signing_secret(first)
    assert first.secret_key_path == tmp_path / "a" / "var" / "secret_key"
    assert key != signing_secret(second)
    assert key != PUBLISHED_SECRET
    assert len(key) >= 32
    assert stat.S_IMODE(first.secret_key_path.stat().st_mode) == 0o600
    assert signing_secret(first) == key  # read back, not made anew
    assert signing_secret(Settings(secret_key_file=str(tmp_path / "elsewhere"))) != key


def test_an_explicit_key_wins_and_memory_databases_get_an_ephemeral_one(tmp_path: Path) -> None:
    assert (
        signing_secret(Settings(secret_key="k" * 32, database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db")) == "k" * 32
    )
    assert not (tmp_path / "secret_key").exists()
    memory = Settings(database_url="memory://")
    assert signing_secret(memory) != signing_secret(memory)
    assert Settings(database_url="postgresql+asyncpg://h/db").secret_key_path == Path("var") / "secret_key"


def test_a_key_file_others_may_read_or_without_a_key_is_refused(tmp_path: Path) -> None:
    loose = tmp_path / "loose"
    loose.write_text("x" * 64)
    loose.chmod(0o644)
    with pytest.raises(SecretKeyError, match="chmod 600"):
        read_or_create_key_file(loose)
    empty = tmp_path / "empty"
    empty.write_text("\n")
    empty.chmod(0o600)
    with pytest.raises(SecretKeyError, match="no usable key"):
        read_or_create_key_file(empty)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),  # noqa: S104 - the case under test
        ("example.org", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


async def test_a_token_survives_a_restart_and_does_not_open_another_install(tmp_path: Path) -> None:
    from skillbridge.adapters.persistence.sqlalchemy.migrate import upgrade  # noqa: PLC0415

    settings = _install(tmp_path / "a")
    settings.secret_key_path.parent.mkdir(parents=True)
    await upgrade(settings.database_url)
    body = {
        "email": "amara@example.org",
        "password": PASSWORD,
        "role": "learner",
        "accepted_terms_version": TERMS_VERSION,
        "profile": {"display_name": "Amara"},
    }
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201
        login = await client.post("/api/v1/auth/login", json={"email": body["email"], "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 200
    async with AsyncTestClient(app=create_app(settings)) as restarted:
        assert (await restarted.get("/api/v1/users/me", headers=headers)).status_code == 200
    # The same database with another install's key: the token is worthless there.
    other = Settings(database_url=settings.database_url, secret_key_file=str(tmp_path / "other_key"), **FAST)
    async with AsyncTestClient(app=create_app(other)) as stranger:
        assert (await stranger.get("/api/v1/users/me", headers=headers)).status_code == 401
