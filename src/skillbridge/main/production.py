"""What the production profile needs before it starts: the shared services and the tokens that keep the
operators' endpoints and the matcher service private. Checked by ``serve``, ``worker`` and ``create_app``;
each problem is a sentence that names the variable to set."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from skillbridge.main.settings import Settings

#: The matcher service refuses shorter tokens (matcher-rs/crates/service/src/main.rs).
MIN_MATCHER_TOKEN_BYTES = 16


def production_problems(settings: Settings, *, serving_http: bool) -> list[str]:
    """Why ``settings`` cannot run in production (empty: they can, or the profile is embedded).

    Args:
        settings: the settings to check.
        serving_http: the process serves the API (the operators' token concerns it only).
    """
    if settings.profile != "production":
        return []
    problems = []
    if settings.uses_memory_database or make_url(settings.database_url).get_backend_name() != "postgresql":
        problems.append(
            "SKILLBRIDGE_DATABASE_URL must name PostgreSQL (postgresql+asyncpg://...) in the production profile: "
            "SQLite is one machine's file, and row-level security, backups with point-in-time recovery and "
            "several API processes need the server"
        )
    if not settings.redis_url:
        problems.append(
            "SKILLBRIDGE_REDIS_URL must be set in the production profile: rate limits, token revocations, live "
            "streams and the job queue are shared by every process through Redis"
        )
    token = settings.matcher_token.get_secret_value() if settings.matcher_token else ""
    if settings.matcher_url and len(token.encode()) < MIN_MATCHER_TOKEN_BYTES:
        problems.append(
            f"SKILLBRIDGE_MATCHER_TOKEN must be set (at least {MIN_MATCHER_TOKEN_BYTES} bytes, the service's "
            "MATCHER_TOKEN) when SKILLBRIDGE_MATCHER_URL is: the matcher service answers anyone without it"
        )
    if serving_http and not settings.ops_token:
        problems.append(
            "SKILLBRIDGE_OPS_TOKEN must be set in the production profile: /metrics and /ready then answer only "
            "requests with 'Authorization: Bearer <token>' (Prometheus, the orchestrator's probes)"
        )
    return problems


class ProductionNotReady(RuntimeError):
    """The production profile is missing what it needs; the message lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("the production profile cannot start:\n- " + "\n- ".join(problems))


def require_production_ready(settings: Settings, *, serving_http: bool) -> None:
    """Raise :class:`ProductionNotReady` listing every problem, if there is any."""
    problems = production_problems(settings, serving_http=serving_http)
    if problems:
        raise ProductionNotReady(problems)
