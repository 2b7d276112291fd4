"""The application without HTTP: a script builds the container and calls use cases (docs/architecture.md's example)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skillbridge.application.accounts.github_login import GithubLoginConfig
from skillbridge.application.accounts.registration import RegisterUser, Registration
from skillbridge.application.accounts.sessions import LogIn
from skillbridge.domain.accounts.profile import ProfileInput
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import Conflict
from skillbridge.main import Settings, build_container
from tests.support.terms import TERMS_VERSION

README = Path(__file__).resolve().parents[3] / "docs" / "architecture.md"
PASSWORD = "kilimanjaro-sunrise-42"


def _readme_script() -> str:
    section = README.read_text("utf-8").split("## Using the application without HTTP", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "docs/architecture.md lost its script example"
    return match.group(1)


def test_the_readme_script_runs_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(_readme_script(), str(README), "exec"), {"__name__": "readme_example"})  # noqa: S102 - our README
    printed = capsys.readouterr().out.strip()
    assert printed.endswith("('python', 'data-analysis')"), printed


async def test_one_container_many_units_of_work_on_memory() -> None:
    container = build_container(Settings(database_url="memory://", argon2_time_cost=1, argon2_memory_kib=8))
    try:
        registration = Registration(
            email=" Amara@Example.org ",
            password=PASSWORD,
            role=Role.MENTOR,
            profile=ProfileInput(skills=("Python", "Data Analysis", "python"), languages=("EN", "yo")),
            accepted_terms_version=TERMS_VERSION,
        )
        async with container() as request:
            user = await (await request.get(RegisterUser))(registration)
        assert user.email == "amara@example.org"
        assert user.profile.skills == ("python", "data-analysis")
        assert user.profile.languages == ("en", "yo")
        assert user.profile.mentor_capacity == 1
        assert user.password_hash and PASSWORD not in user.password_hash

        async with container() as request:  # the next unit of work sees what the first one stored
            with pytest.raises(Conflict):
                await (await request.get(RegisterUser))(registration)
            tokens = await (await request.get(LogIn))("amara@example.org", PASSWORD, "127.0.0.1")
        assert tokens.user_id == str(user.id)
    finally:
        await container.close()


async def test_separate_containers_do_not_share_memory() -> None:
    registration = Registration(
        email="solo@example.org",
        password=PASSWORD,
        role=Role.LEARNER,
        profile=ProfileInput(),
        accepted_terms_version=TERMS_VERSION,
    )
    for _ in range(2):
        container = build_container(Settings(database_url="memory://", argon2_time_cost=1, argon2_memory_kib=8))
        try:
            async with container() as request:
                await (await request.get(RegisterUser))(registration)  # no Conflict: a fresh store each time
        finally:
            await container.close()


@pytest.mark.parametrize(("profile", "secure"), [("embedded", False), ("production", True)])
async def test_the_github_login_cookie_is_secure_in_production_only(profile: str, secure: bool) -> None:
    settings = Settings(
        profile=profile,  # type: ignore[arg-type]
        database_url="memory://",
        secret_key="0123456789abcdef0123456789abcdef",
        argon2_time_cost=2,
        argon2_memory_kib=19_456,
    )
    container = build_container(settings)
    try:
        config = await container.get(GithubLoginConfig)
    finally:
        await container.close()

    assert config.secure_cookie is secure
