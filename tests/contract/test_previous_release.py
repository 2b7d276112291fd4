"""Zero-downtime migrations: the previous release's code still runs against the newest schema.

"Previous release" here is the code just before the newest migration was added (its commit's parent, taken
from git). It runs in its own process against a database migrated by this release, and serves a signed-in
journey: during a rolling deploy (and after a rollback) that is exactly what happens. A migration that drops
or renames what the previous code uses fails this test; see "expand, then contract" in docs/operations.md.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from skillbridge.adapters.persistence.sqlalchemy.migrate import current_revision, upgrade
from tests.support.databases import on_ci, postgres_database

pytestmark = pytest.mark.asyncio
REPOSITORY = Path(__file__).resolve().parents[2]
VERSIONS = "src/skillbridge/adapters/persistence/sqlalchemy/migrations/versions"
#: The newest migration on this branch (tests/contract/test_migrations.py states it too).
HEAD_REVISION = "0018"

JOURNEY = textwrap.dedent(
    """
    import sys
    import skillbridge
    from litestar.testing import TestClient
    from skillbridge.main import Settings, create_app

    assert skillbridge.__file__.startswith(sys.argv[2]), skillbridge.__file__  # the previous release's code
    settings = Settings(database_url=sys.argv[1], argon2_time_cost=1, argon2_memory_kib=8,
                        secret_key_file=sys.argv[2] + "/secret_key")
    profile = {"display_name": "Old Code", "skills": ["python"], "timezone": "Africa/Lagos",
               "location": {"lat": 6.5, "lon": 3.4, "city": "Lagos", "country": "ng"}, "languages": ["en"],
               "weekly_slots": [18, 19], "hours_per_week": 5}
    with TestClient(app=create_app(settings)) as client:
        for email, role in (("old-learner@example.org", "learner"), ("old-mentor@example.org", "mentor")):
            body = {"email": email, "password": "kilimanjaro-sunrise-42", "role": role,
                    "profile": profile | ({"mentor_capacity": 2} if role == "mentor" else {})}
            if "terms_version" in Settings.model_fields:  # releases since 0012 register with the terms accepted
                body["accepted_terms_version"] = Settings.model_fields["terms_version"].default
            assert client.post("/api/v1/auth/register", json=body).status_code == 201
        login = client.post("/api/v1/auth/login",
                            json={"email": "old-learner@example.org", "password": "kilimanjaro-sunrise-42"})
        assert login.status_code == 200, login.text
        bearer = {"Authorization": "Bearer " + login.json()["access_token"]}
        assert client.get("/api/v1/users/me", headers=bearer).status_code == 200
        mentors = client.get("/api/v1/users/mentors", headers=bearer)
        assert mentors.status_code == 200 and mentors.json()["items"], mentors.text
        roadmap = client.post("/api/v1/roadmaps", headers=bearer,
                              json={"domain": "Python", "skill_level": "beginner", "time_availability": 6})
        assert roadmap.status_code == 201, roadmap.text
        assert client.get("/api/v1/roadmaps/my", headers=bearer).status_code == 200
    print("previous release served the journey")
    """
)


GIT = shutil.which("git") or "git"


def _git(*arguments: str) -> bytes:
    return subprocess.run([GIT, *arguments], cwd=REPOSITORY, check=True, capture_output=True).stdout  # noqa: S603


def _previous_release_source(into: Path) -> Path:
    """Extract ``src/`` as it was just before the newest migration was added; return the package root."""
    try:
        # The head of the chain, not the last file by name: branches merge their migrations in any order.
        newest = next(
            path
            for path in _git("ls-files", VERSIONS).decode().split()
            if Path(path).name.startswith(f"{HEAD_REVISION}_")
        )
        added = _git("log", "--diff-filter=A", "--format=%H", "--", newest).decode().split()[-1]
        archive = _git("archive", "--format=tar", f"{added}^", "src")
    except (OSError, subprocess.CalledProcessError, IndexError, StopIteration) as error:
        reason = f"the git history is needed to find the previous release: {error}"
        if on_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def newest_schema(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'newest.db'}"
        await upgrade(url)
        yield url
    else:
        async with postgres_database() as url:
            await upgrade(url)
            yield url


async def test_the_previous_release_runs_on_the_newest_schema(newest_schema: str, tmp_path: Path) -> None:
    assert await current_revision(newest_schema) == HEAD_REVISION
    source = _previous_release_source(tmp_path / "previous")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("SKILLBRIDGE_", "OTEL_"))}
    environment["PYTHONPATH"] = str(source)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", JOURNEY, newest_schema, str(source),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=environment,
    )  # fmt: skip
    out, errors = await asyncio.wait_for(process.communicate(), 300)
    assert process.returncode == 0, errors.decode()[-4000:]
    assert b"previous release served the journey" in out
