"""Settings, read from ``SKILLBRIDGE_*`` environment variables.

Defaults give the embedded profile: a SQLite file under ./var, in-memory cache and rate limits, no
external service, and a signing secret generated once per install (see :mod:`skillbridge.main.secret_key`).
The production profile refuses to start without an explicit secret of at least 32 bytes.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from skillbridge.adapters.email.smtp import SmtpServer

#: The development secret earlier versions signed tokens with by default. It is published in the source, so
#: it is refused in production and on any address but loopback; an unset secret is generated per install.
PUBLISHED_SECRET = "skillbridge-embedded-development-secret-change-me"  # noqa: S105
MIN_SECRET_BYTES = 32
#: The signing secret file of the embedded profile when the database is not a SQLite file.
DEFAULT_SECRET_KEY_FILE = Path("var") / "secret_key"


class Settings(BaseSettings):
    """Every setting of the service. See docs/settings.md for the table of variables."""

    model_config = SettingsConfigDict(env_prefix="SKILLBRIDGE_", env_file=None, extra="ignore", frozen=True)

    profile: Literal["embedded", "production"] = "embedded"
    database_url: str = "sqlite+aiosqlite:///./var/skillbridge.db"
    # The owner of the schema, for ``skillbridge migrate`` only; unset: ``database_url``. On PostgreSQL the
    # API and the worker connect (database_url) as a member of skillbridge_app, which owns nothing and is
    # bound by row-level security; see docs/operations.md.
    migration_database_url: str | None = None
    redis_url: str | None = None
    redis_key_prefix: str = Field(default="skillbridge:", min_length=1, max_length=100)
    secret_key: SecretStr | None = None
    secret_key_file: str | None = None
    # Keys the public points others see users at; unset: derived from the signing secret (rotating that
    # moves them).
    location_privacy_key: SecretStr | None = None
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=900)
    refresh_token_ttl_days: int = Field(default=14, ge=1, le=90)
    session_max_age_days: int = Field(default=30, ge=1, le=365)
    refresh_grace_seconds: int = Field(default=30, ge=0, le=120)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    rate_limit_per_minute: int = Field(default=120, ge=1)
    auth_rate_limit_per_minute: int = Field(default=20, ge=1)
    exports_per_hour: int = Field(default=3, ge=1)
    # An account without a password confirms its erasure with a GitHub sign-in at most this old.
    erasure_fresh_sign_in_minutes: int = Field(default=10, ge=1, le=120)
    # The terms-and-privacy version in force: registration must accept it; a change asks everyone again.
    terms_version: str = Field(default="2026-12-07", min_length=1, max_length=40)
    # How long a deleted roadmap may be restored; the retention job removes it after that.
    roadmap_undo_days: int = Field(default=30, ge=1, le=365)
    # Retention (the apply_retention job, every retention_sweep_seconds; 0 turns the schedule off).
    retention_sweep_seconds: int = Field(default=86400, ge=0)
    retention_expired_sessions_days: int = Field(default=30, ge=0)
    retention_webhook_payload_days: int = Field(default=30, ge=1)
    retention_read_notification_days: int = Field(default=180, ge=1)
    retention_failed_job_days: int = Field(default=90, ge=1)
    # At least 30: PostgreSQL's purge function refuses to touch the newest 30 days of the audit trail.
    retention_audit_days: int = Field(default=365, ge=30)
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=20, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)
    login_delay_base_seconds: int = Field(default=2, ge=1, le=60)
    login_delay_max_seconds: int = Field(default=900, ge=1, le=86_400)
    login_trusted_address_days: int = Field(default=90, ge=0, le=365)
    max_request_body_bytes: int = Field(default=1_048_576, ge=1024)
    idempotency_key_ttl_seconds: int = Field(default=86_400, ge=60, le=7 * 86_400)
    idempotency_lease_seconds: int = Field(default=300, ge=5, le=3600)
    idempotency_max_response_bytes: int = Field(default=262_144, ge=1024, le=4_194_304)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    #: Replaced by ``trusted_proxies``; still read so that a deployment that sets it is told, not ignored.
    trust_forwarded_for: bool = False
    stream_handshakes_per_minute: int = Field(default=30, ge=1)
    streams_per_user: int = Field(default=5, ge=1)
    streams_per_address: int = Field(default=50, ge=1)
    stream_session_check_seconds: float = Field(default=50.0, gt=0, le=60)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65_536, ge=8)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True
    webhook_max_failures_per_address: int = Field(default=10, ge=1)
    webhook_failure_window_seconds: int = Field(default=900, ge=1)
    github_links_per_user_per_hour: int = Field(default=10, ge=1, le=1000)
    host: str = "127.0.0.1"
    # Error reports: Sentry (or anything that speaks its envelopes) when a DSN is set.
    sentry_dsn: SecretStr | None = None
    sentry_environment: str | None = None
    # Graceful shutdown on SIGTERM: /ready at 503 and streams closed at once, serving on for the drain (let
    # load balancers notice), then the requests in flight (and a worker's jobs) get the grace period to finish.
    shutdown_drain_seconds: float = Field(default=0.0, ge=0, le=300)
    shutdown_grace_seconds: float = Field(default=30.0, gt=0, le=3600)
    # The operators' endpoints (/metrics, /ready): public when unset (embedded); set, they need this bearer token.
    ops_token: SecretStr | None = Field(default=None, min_length=16)
    port: int = Field(default=8000, ge=0, le=65535)
    # Roadmap generation: OpenAI when a key is set, the offline catalog otherwise (and as the fallback).
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_timeout_seconds: float = Field(default=8.0, gt=0, le=60)
    openai_max_retries: int = Field(default=2, ge=0, le=5)
    openai_prompt_version: str = "v2"
    openai_breaker_failures: int = Field(default=5, ge=1)
    openai_breaker_reset_seconds: float = Field(default=60.0, gt=0)
    roadmap_generation_budget_seconds: float = Field(default=20.0, gt=0, le=120)
    roadmap_cache_ttl_seconds: int = Field(default=86_400, ge=0)
    # Matching: the Rust extension in process; the matcher-rs HTTP service too when its URL is set.
    matcher_url: str | None = None
    matcher_token: SecretStr | None = None
    matcher_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    match_min_score: float = Field(default=0.4, ge=0, le=1)
    match_response_days: float = Field(default=7.0, gt=0, le=90)
    match_expiry_sweep_seconds: int = Field(default=900, ge=0)
    match_max_open_requests: int = Field(default=3, ge=1, le=20)
    match_pool_size: int = Field(default=200, ge=10, le=5000)
    match_pool_cache_seconds: float = Field(default=30.0, ge=0, le=3600)
    # How long a process keeps the answer of a full-text forum search (0: never); its own posts forget them.
    forum_search_cache_seconds: float = Field(default=2.0, ge=0, le=300)
    # How long a process keeps the answer of a mentor search (0: never); any write it commits forgets them.
    mentor_search_cache_seconds: float = Field(default=2.0, ge=0, le=300)
    match_round_max_requests: int = Field(default=2000, ge=1, le=10_000)
    match_round_max_seconds: float = Field(default=20.0, gt=0, le=600)
    # A round over more waiting requests than this (in its domain) runs as a job, polled at its Location.
    match_round_inline_max_requests: int = Field(default=2000, ge=0, le=10_000)
    match_round_job_max_requests: int = Field(default=100_000, ge=1, le=1_000_000)
    match_round_job_max_seconds: float = Field(default=600.0, gt=0, le=3600)
    # Matches stored per transaction, and rows read per statement, by a round.
    match_round_batch_size: int = Field(default=1000, ge=1, le=10_000)
    match_round_page_size: int = Field(default=5000, ge=1, le=20_000)
    badge_min_mentorship_days: float = Field(default=14.0, ge=0, le=365)
    session_reminder_minutes: int = Field(default=30, ge=1, le=10_080)
    session_reminder_sweep_seconds: int = Field(default=60, ge=0)
    # Admins use their powers only with two-factor authentication on (off: tests and scripts that need it so).
    admin_two_factor_required: bool = True
    # The email digest of unread notifications for users away this long; the job's period (0: no digests).
    notification_digest_away_hours: int = Field(default=24, ge=1, le=24 * 30)
    notification_digest_sweep_seconds: int = Field(default=3600, ge=0)
    # Background jobs: a Redis stream read by `skillbridge worker` when Redis is configured, in process otherwise.
    jobs_broker: Literal["auto", "in-process", "redis"] = "auto"
    jobs_queue_key: str = Field(default="skillbridge:jobs", min_length=1, max_length=200)
    jobs_max_attempts: int = Field(default=5, ge=1, le=20)
    jobs_retry_base_seconds: float = Field(default=10.0, gt=0, le=3600)
    jobs_retry_max_seconds: float = Field(default=900.0, gt=0, le=86_400)
    jobs_timeout_seconds: float = Field(default=300.0, gt=0, le=3600)
    # A job taken by a worker that died unacknowledged goes to another worker once it has waited this long;
    # above the job timeout, so that a job still running is never taken twice.
    jobs_redeliver_after_seconds: float = Field(default=600.0, gt=0, le=86_400)
    # GitHub: the REST API (PyGithub), signed webhooks, and OAuth login (on when a client id and secret are set).
    github_api_url: str = "https://api.github.com"
    github_token: SecretStr | None = None
    github_timeout_seconds: int = Field(default=10, ge=1, le=60)
    github_webhook_secret: SecretStr | None = None
    github_client_id: str | None = None
    github_client_secret: SecretStr | None = None
    github_oauth_url: str = "https://github.com"
    github_oauth_redirect_uri: str | None = None
    github_oauth_state_ttl_seconds: int = Field(default=600, ge=60, le=3600)
    # Mail: over SMTP when its URL is set, else into .eml files under the outbox directory (embedded).
    smtp_url: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    email_outbox: str = "var/outbox"
    email_from: str = Field(default="SkillBridge <no-reply@skillbridge.localhost>", min_length=3)
    email_link_base_url: str = "http://127.0.0.1:8000"
    password_reset_token_minutes: int = Field(default=30, ge=5, le=120)
    password_resets_per_account_per_hour: int = Field(default=3, ge=1, le=100)
    password_resets_per_address_per_hour: int = Field(default=10, ge=1, le=1000)

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as exc:
                raise ValueError(f"not an address or network: {entry!r}") from exc
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url_is_understood(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            SmtpServer.from_url(value.get_secret_value())  # raises ValueError with the forms it takes
        return value

    @model_validator(mode="after")
    def _forwarded_for_is_replaced(self) -> Settings:
        if self.trust_forwarded_for:
            raise ValueError(
                "SKILLBRIDGE_TRUST_FORWARDED_FOR is replaced by SKILLBRIDGE_TRUSTED_PROXIES: list the addresses "
                "or networks of your proxies (the client is the rightmost X-Forwarded-For hop not among them)"
            )
        return self

    @model_validator(mode="after")
    def _production_needs_a_real_secret(self) -> Settings:
        if self.profile == "production":
            secret = self.secret_key.get_secret_value() if self.secret_key else ""
            if secret == PUBLISHED_SECRET or len(secret.encode()) < MIN_SECRET_BYTES:
                raise ValueError(
                    f"SKILLBRIDGE_SECRET_KEY must be set to a secret of at least {MIN_SECRET_BYTES} bytes "
                    "in the production profile"
                )
            if self.argon2_memory_kib < 19_456 or self.argon2_time_cost < 2:
                raise ValueError("production needs argon2 memory >= 19456 KiB and time cost >= 2")
        return self

    @model_validator(mode="after")
    def _openai_timeout_fits_the_budget(self) -> Settings:
        # One OpenAI call must leave room for a retry (or the catalog fallback) inside the request budget.
        if self.openai_timeout_seconds * 2 > self.roadmap_generation_budget_seconds:
            raise ValueError(
                "SKILLBRIDGE_OPENAI_TIMEOUT_SECONDS must be at most half of "
                "SKILLBRIDGE_ROADMAP_GENERATION_BUDGET_SECONDS"
            )
        return self

    @model_validator(mode="after")
    def _redelivery_waits_for_the_timeout(self) -> Settings:
        if self.jobs_redeliver_after_seconds <= self.jobs_timeout_seconds:
            raise ValueError(
                "SKILLBRIDGE_JOBS_REDELIVER_AFTER_SECONDS must be above SKILLBRIDGE_JOBS_TIMEOUT_SECONDS: a job "
                "still running would be given to a second worker"
            )
        return self

    @model_validator(mode="after")
    def _redis_jobs_need_redis(self) -> Settings:
        if self.jobs_broker == "redis" and not self.redis_url:
            raise ValueError("SKILLBRIDGE_JOBS_BROKER=redis needs SKILLBRIDGE_REDIS_URL")
        return self

    @property
    def jobs_run_inline(self) -> bool:
        """Whether background jobs run inside the API process (no Redis, or asked for) rather than in a worker."""
        return self.jobs_broker == "in-process" or (self.jobs_broker == "auto" and not self.redis_url)

    @property
    def secret_key_path(self) -> Path:
        """Where the embedded profile keeps its generated signing secret: ``SKILLBRIDGE_SECRET_KEY_FILE``, else
        next to the SQLite file, else ``./var/secret_key``."""
        if self.secret_key_file:
            return Path(self.secret_key_file)
        prefix = "sqlite+aiosqlite:///"
        database = self.database_url.removeprefix(prefix)
        if self.database_url.startswith(prefix) and database and not database.startswith(":memory:"):
            return Path(database).parent / "secret_key"
        return DEFAULT_SECRET_KEY_FILE

    @property
    def schema_owner_url(self) -> str:
        """Where migrations connect: ``migration_database_url``, else ``database_url``."""
        return self.migration_database_url or self.database_url

    @property
    def uses_memory_database(self) -> bool:
        """``memory://`` keeps everything in process: for scripts and tests, gone at exit."""
        return self.database_url.startswith("memory://")
