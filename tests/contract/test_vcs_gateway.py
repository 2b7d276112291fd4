"""The VcsGateway contract, on the in-memory gateway and on PyGithub over real HTTP against a local server
speaking GitHub's REST API (tests/support/github_server.py). Nothing of PyGithub is patched."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from skillbridge.adapters.vcs.memory_gateway import MemoryVcsGateway
from skillbridge.adapters.vcs.pygithub_gateway import GithubApiOptions, PyGithubVcsGateway, rate_limit_wait
from skillbridge.application.ports.vcs_gateway import VcsGateway
from skillbridge.domain.errors import DependencyUnavailable, NotFound, UpstreamRateLimited
from skillbridge.domain.vcs.model import Commit, RepositoryInfo
from tests.support.github_server import FakeGithub, RateLimit, api_commit, fake_github

T0 = datetime(2026, 11, 30, 9, tzinfo=UTC)
SHAS = [f"{n:040x}" for n in range(1, 6)]


@dataclass
class Backend:
    kind: str
    gateway: VcsGateway
    fake: FakeGithub | None = None


def _commits() -> list[Commit]:
    logins = ["amara-dev", "kofi", "amara-dev", None, "amara-dev"]
    return [
        Commit(sha, f"commit {n}", f"https://github.com/example/commit/{sha}", T0 - timedelta(hours=n), "A", login)
        for n, (sha, login) in enumerate(zip(SHAS, logins, strict=True))
    ]


@pytest.fixture(params=["memory", "pygithub"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    commits = _commits()
    if request.param == "memory":
        memory = MemoryVcsGateway()
        memory.add(RepositoryInfo("amara-dev/Python-Exercises", "amara-dev", False, "https://github.com/x"), commits)
        memory.add(RepositoryInfo("amara-dev/secret", "amara-dev", True, "https://github.com/y"))
        memory.add(RepositoryInfo("amara-dev/empty", "amara-dev", False, "https://github.com/z"))
        yield Backend("memory", memory)
        return
    with fake_github() as fake:
        fake.add_repo(
            "amara-dev/Python-Exercises",
            commits=[api_commit(c.sha, c.message, login=c.author_login, name="A", date=c.timestamp) for c in commits],
        )
        fake.add_repo("amara-dev/secret", private=True)
        fake.add_repo("amara-dev/empty")
        yield Backend("pygithub", PyGithubVcsGateway(GithubApiOptions(base_url=fake.url, token="ghp_test")), fake)


async def test_a_repository_is_found_by_its_name_in_any_case(backend: Backend) -> None:
    info = await backend.gateway.get_repository("AMARA-DEV/python-exercises")
    assert info.full_name == "amara-dev/Python-Exercises"
    assert info.owner_login == "amara-dev"
    assert info.private is False
    assert (await backend.gateway.get_repository("amara-dev/secret")).private is True


async def test_an_unknown_repository_is_not_found(backend: Backend) -> None:
    with pytest.raises(NotFound):
        await backend.gateway.get_repository("amara-dev/nothing-here")
    with pytest.raises(NotFound):
        await backend.gateway.recent_commits("amara-dev/nothing-here", limit=5)


async def test_recent_commits_newest_first_limited_and_by_author(backend: Backend) -> None:
    commits = await backend.gateway.recent_commits("amara-dev/Python-Exercises", limit=3)
    assert [c.sha for c in commits] == SHAS[:3]
    assert commits[0].timestamp == T0
    assert commits[0].author_login == "amara-dev"
    assert commits[0].files_changed is None
    mine = await backend.gateway.recent_commits("amara-dev/Python-Exercises", limit=10, author="Amara-Dev")
    assert [c.sha for c in mine] == [SHAS[0], SHAS[2], SHAS[4]]
    assert await backend.gateway.recent_commits("amara-dev/empty", limit=10) == []


async def test_pygithub_sends_the_token_and_asks_for_a_page() -> None:
    with fake_github() as fake:
        fake.add_repo(
            "amara-dev/Python-Exercises",
            commits=[
                api_commit(c.sha, c.message, login=c.author_login, name="A", date=c.timestamp) for c in _commits()
            ],
        )
        gateway = PyGithubVcsGateway(GithubApiOptions(base_url=fake.url, token="ghp_test"))
        await gateway.recent_commits("amara-dev/Python-Exercises", limit=2)
    assert len(fake.requests) == 1  # one list call, no request per commit
    request = fake.requests[-1]
    assert request.path == "/repos/amara-dev/Python-Exercises/commits"
    assert request.headers["authorization"] == "token ghp_test"


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (RateLimit(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "{reset}"}), 120),
        (RateLimit(429, {"retry-after": "30"}, "You have exceeded a secondary rate limit."), 30),
        (RateLimit(403, {"x-ratelimit-remaining": "0"}), 60),
    ],
)
async def test_rate_limits_become_upstream_rate_limited_with_the_wait(limit: RateLimit, expected: int) -> None:
    with fake_github() as fake:
        limit.headers = {k: v.format(reset=int(time.time()) + 120) for k, v in limit.headers.items()}
        fake.rate_limited = limit
        gateway = PyGithubVcsGateway(GithubApiOptions(base_url=fake.url))
        started = time.monotonic()
        with pytest.raises(UpstreamRateLimited) as raised:
            await gateway.get_repository("amara-dev/anything")
        # Not slept until the reset: half the shortest wait (30 s) is far from both a quick answer and a sleep.
        assert time.monotonic() - started < expected / 2
        assert expected - 3 <= raised.value.retry_after <= expected
        assert len(fake.requests) == 1  # PyGithub's own retries are off


async def test_a_forbidden_answer_that_is_not_a_rate_limit_is_a_dependency_failure() -> None:
    with fake_github() as fake:
        fake.rate_limited = RateLimit(403, {"x-ratelimit-remaining": "41"}, "Resource not accessible")
        with pytest.raises(DependencyUnavailable) as raised:
            await PyGithubVcsGateway(GithubApiOptions(base_url=fake.url)).get_repository("a/b")
        assert not isinstance(raised.value, UpstreamRateLimited)


async def test_an_unreachable_github_is_a_dependency_failure() -> None:
    with fake_github() as fake:
        url = fake.url
    with pytest.raises(DependencyUnavailable):
        await PyGithubVcsGateway(GithubApiOptions(base_url=url, timeout_seconds=2)).get_repository("a/b")


def test_rate_limit_wait_reads_githubs_headers() -> None:
    assert rate_limit_wait(404, {"retry-after": "5"}, 0) is None
    assert rate_limit_wait(403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "100"}, 40) == 60
    assert rate_limit_wait(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "10"}, 40) == 1
    assert rate_limit_wait(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(10**9)}, 0) == 3600
    assert rate_limit_wait(429, {"retry-after": "soon"}, 0) is None
    assert rate_limit_wait(403, None, 0) is None
