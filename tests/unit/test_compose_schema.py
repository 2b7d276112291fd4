"""The compose file (deploy/compose.yaml) is one Docker Compose accepts: validated against the Compose
Specification's JSON schema that check-jsonschema ships, offline (``--builtin-schema vendor.compose-spec``), as
there is no Docker engine here to load it. That it is the production topology is tests/unit/test_deploy_files.py's.
A copy broken in each of a few ways is refused, at the place broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.schemas import refusals_of_a_copy, validate

COMPOSE = Path(__file__).resolve().parents[2] / "deploy" / "compose.yaml"
SCHEMA = "vendor.compose-spec"


def test_the_compose_file_is_valid_against_the_compose_specification() -> None:
    status, report = validate(SCHEMA, COMPOSE)
    assert (status, report) == (0, {"status": "ok", "errors": []})


#: Broken copies of the compose file (text replaced -> by), and where the schema says they are wrong.
BROKEN = {
    "a service key misspelt": (
        '    command: ["redis-server"',
        '    commands: ["redis-server"',
        "$.services.redis",
        "'commands' was unexpected",
    ),
    "a health check key misspelt": (
        "      disable: true",
        "      disabled: true",
        "$.services.migrate.healthcheck",
        "'disabled' does not match any of the regexes",
    ),
    "an unknown dependency condition": (
        "      postgres:\n        condition: service_healthy",
        "      postgres:\n        condition: service_healty",
        "$.services.migrate.depends_on.postgres.condition",
        "'service_healty' is not one of",
    ),
}


@pytest.mark.parametrize("mistake", sorted(BROKEN))
def test_a_broken_compose_file_is_refused_where_it_is_broken(mistake: str, tmp_path: Path) -> None:
    before, after, where, message = BROKEN[mistake]
    refused = refusals_of_a_copy(SCHEMA, COMPOSE, before, after, tmp_path / "compose.yaml")
    assert any(path == where and message in said for path, said in refused), refused
