"""Settings from the environment, and the production profile's refusals."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from skillbridge.main import Settings
from skillbridge.main.settings import PUBLISHED_SECRET

SECRET_32 = "0123456789abcdef0123456789abcdef"
STRONG_ARGON2 = {"argon2_time_cost": 2, "argon2_memory_kib": 19_456}


def test_the_defaults_are_the_embedded_profile() -> None:
    settings = Settings()
    assert settings.profile == "embedded"
    assert settings.secret_key is None  # generated per install (see test_secret_key)
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.redis_url is None
    assert settings.cors_origins == []
    assert not settings.uses_memory_database
    assert Settings(database_url="memory://").uses_memory_database


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValidationError, match="SKILLBRIDGE_SECRET_KEY"):
        Settings(profile="production", **STRONG_ARGON2)
    with pytest.raises(ValidationError, match="SKILLBRIDGE_SECRET_KEY"):
        Settings(profile="production", secret_key=PUBLISHED_SECRET, **STRONG_ARGON2)


def test_production_refuses_a_31_byte_secret() -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(profile="production", secret_key=SECRET_32[:31], **STRONG_ARGON2)


def test_the_secret_is_counted_in_bytes_not_characters() -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        Settings(profile="production", secret_key="é" * 15 + "x", **STRONG_ARGON2)  # 16 characters, 31 bytes
    assert Settings(profile="production", secret_key="é" * 16, **STRONG_ARGON2).profile == "production"


def test_production_accepts_a_32_byte_secret() -> None:
    settings = Settings(profile="production", secret_key=SECRET_32, **STRONG_ARGON2)
    assert settings.secret_key.get_secret_value() == SECRET_32
    assert SECRET_32 not in repr(settings)


@pytest.mark.parametrize(
    "argon2",
    [{"argon2_time_cost": 1, "argon2_memory_kib": 65_536}, {"argon2_time_cost": 3, "argon2_memory_kib": 19_455}],
)
def test_production_refuses_weak_argon2(argon2: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match="argon2"):
        Settings(profile="production", secret_key=SECRET_32, **argon2)


def test_the_embedded_profile_allows_fast_hashing_for_tests() -> None:
    assert Settings(argon2_time_cost=1, argon2_memory_kib=8).argon2_time_cost == 1


def test_production_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLBRIDGE_PROFILE", "production")
    with pytest.raises(ValidationError, match="SKILLBRIDGE_SECRET_KEY"):
        Settings()
    monkeypatch.setenv("SKILLBRIDGE_SECRET_KEY", SECRET_32)
    assert Settings().profile == "production"


@pytest.mark.parametrize(
    ("raw", "origins"),
    [
        ("https://a.example.org", ["https://a.example.org"]),
        (" https://a.example.org , https://b.example.org ,,", ["https://a.example.org", "https://b.example.org"]),
        ("", []),
    ],
)
def test_cors_origins_are_comma_separated(monkeypatch: pytest.MonkeyPatch, raw: str, origins: list[str]) -> None:
    monkeypatch.setenv("SKILLBRIDGE_CORS_ORIGINS", raw)
    assert Settings().cors_origins == origins


@pytest.mark.parametrize("ttl", [59, 901, 3600])
def test_access_tokens_live_between_1_and_15_minutes(ttl: int) -> None:
    with pytest.raises(ValidationError, match="access_token_ttl_seconds"):
        Settings(access_token_ttl_seconds=ttl)


def test_an_access_ttl_of_15_minutes_is_the_maximum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLBRIDGE_ACCESS_TOKEN_TTL_SECONDS", "900")
    assert Settings().access_token_ttl_seconds == 900
    monkeypatch.setenv("SKILLBRIDGE_ACCESS_TOKEN_TTL_SECONDS", "901")
    with pytest.raises(ValidationError):
        Settings()


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.port = 9000  # type: ignore[misc]


@pytest.mark.parametrize(
    ("broker", "redis", "inline"),
    [
        ("auto", None, True),
        ("auto", "redis://127.0.0.1:6379/0", False),
        ("in-process", "redis://127.0.0.1:6379/0", True),
        ("redis", "redis://127.0.0.1:6379/0", False),
    ],
)
def test_jobs_run_in_the_api_process_unless_redis_carries_them(broker: str, redis: str | None, inline: bool) -> None:
    assert Settings(jobs_broker=broker, redis_url=redis).jobs_run_inline is inline


def test_a_redis_job_broker_needs_redis() -> None:
    with pytest.raises(ValidationError, match="SKILLBRIDGE_JOBS_BROKER=redis needs SKILLBRIDGE_REDIS_URL"):
        Settings(jobs_broker="redis")


def test_trusted_proxies_are_read_as_a_list_of_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLBRIDGE_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1 ,::1")
    assert Settings().trusted_proxies == ["10.0.0.0/8", "127.0.0.1", "::1"]
    monkeypatch.setenv("SKILLBRIDGE_TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal")
    with pytest.raises(ValidationError, match=r"proxy\.internal"):
        Settings()


def test_the_old_forwarded_for_switch_stops_the_start_with_its_replacement(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILLBRIDGE_TRUST_FORWARDED_FOR", "true")
    with pytest.raises(ValidationError, match="SKILLBRIDGE_TRUSTED_PROXIES"):
        Settings()
    monkeypatch.setenv("SKILLBRIDGE_TRUST_FORWARDED_FOR", "false")
    assert Settings().trusted_proxies == []


def test_a_misspelt_smtp_url_stops_the_start() -> None:
    with pytest.raises(ValidationError, match="SMTP URL"):
        Settings(smtp_url="smtp:/relay.example")
    assert Settings(smtp_url="smtps://u:p@relay.example").smtp_url is not None  # positive control


@pytest.mark.parametrize(("timeout", "redeliver"), [(300.0, 300.0), (300.0, 299.0), (5.0, 4.5)])
def test_a_dead_workers_job_is_redelivered_only_after_the_job_timeout(timeout: float, redeliver: float) -> None:
    with pytest.raises(ValidationError, match="SKILLBRIDGE_JOBS_REDELIVER_AFTER_SECONDS"):
        Settings(jobs_timeout_seconds=timeout, jobs_redeliver_after_seconds=redeliver)


def test_redelivery_above_the_job_timeout_is_accepted() -> None:
    assert Settings().jobs_redeliver_after_seconds == 600.0  # above the default timeout of 300
    assert Settings(jobs_timeout_seconds=5.0, jobs_redeliver_after_seconds=5.5).jobs_redeliver_after_seconds == 5.5
