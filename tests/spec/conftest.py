"""The conformance suite runs on the integration suite's app fixtures (SQLite and PostgreSQL)."""

from tests.integration.conftest import (  # noqa: F401  (fixtures, registered by being imported here)
    api,
    database_url,
    make_settings,
    migrated_postgres_name,
    migrated_sqlite_file,
    reused_postgres,
)
