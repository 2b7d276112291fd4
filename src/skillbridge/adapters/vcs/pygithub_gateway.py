"""The VcsGateway on GitHub's REST API through PyGithub, kept off the event loop.

PyGithub is synchronous (requests); every call runs in a worker thread (``anyio.to_thread``). Its own
retries and throttling are turned off: a rate-limited GitHub is reported at once as ``UpstreamRateLimited``
with the wait GitHub asks for (``Retry-After``, else until ``X-RateLimit-Reset``), so a request thread never
sleeps for minutes.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from anyio import to_thread
from github import Auth, Github, GithubException, UnknownObjectException
from github.Commit import Commit as GithubCommit

from skillbridge.application.ports.vcs_gateway import VcsGateway
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import DependencyUnavailable, NotFound, UpstreamRateLimited
from skillbridge.domain.texts import N_
from skillbridge.domain.vcs.model import Commit, RepositoryInfo

T = TypeVar("T")

_RATE_LIMIT_STATUSES = frozenset({403, 429})
#: A wait GitHub names is passed on, but never more than an hour (a reset header from a skewed clock).
_MAX_RETRY_AFTER = 3600
_DEFAULT_RETRY_AFTER = 60
#: GitHub's answer for the commits of a repository without any.
_EMPTY_REPOSITORY = 409


@dataclass(frozen=True, slots=True)
class GithubApiOptions:
    """Where the API is (``SKILLBRIDGE_GITHUB_API_URL``: GitHub Enterprise or a local test server), the token
    (``SKILLBRIDGE_GITHUB_TOKEN``: 5000 requests an hour instead of 60 per address), and the timeout."""

    base_url: str = "https://api.github.com"
    token: str | None = None
    timeout_seconds: int = 10


def _header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return str(value)
    return None


def rate_limit_wait(status: int, headers: Mapping[str, Any] | None, now: float) -> int | None:
    """The seconds to wait if a response is GitHub's rate limit (403 or 429 with no requests left, or with a
    ``Retry-After``), else ``None``."""
    if status not in _RATE_LIMIT_STATUSES:
        return None
    retry_after = _header(headers, "retry-after")
    if retry_after is not None and retry_after.strip().isdigit():
        return min(_MAX_RETRY_AFTER, max(1, int(retry_after)))
    if _header(headers, "x-ratelimit-remaining") != "0":
        return None
    reset = _header(headers, "x-ratelimit-reset")
    if reset is None or not reset.strip().isdigit():
        return _DEFAULT_RETRY_AFTER
    return min(_MAX_RETRY_AFTER, max(1, int(reset) - int(now)))


def _translate(error: Exception) -> Exception:
    if isinstance(error, UnknownObjectException):
        return NotFound(N_("repository not found"))
    if isinstance(error, GithubException):
        wait = rate_limit_wait(error.status, error.headers, time.time())
        if wait is not None:
            return UpstreamRateLimited(N_("GitHub's rate limit is spent; try again later"), retry_after=wait)
        if error.status == 404:
            return NotFound(N_("repository not found"))
        return DependencyUnavailable(N_("GitHub answered {status}"), params={"status": error.status})
    return DependencyUnavailable(N_("GitHub cannot be reached"))


def _commit(item: GithubCommit) -> Commit:
    # Attributes only: ``raw_data`` would make PyGithub fetch every commit again to "complete" it.
    details = item.commit
    author = details.author
    account = item.author
    return Commit(
        sha=item.sha,
        message=details.message or "",
        url=item.html_url or "",
        timestamp=utc(author.date),
        author_name=author.name,
        author_login=account.login if account is not None else None,
        author_id=account.id if account is not None else None,
    )


class PyGithubVcsGateway(VcsGateway):
    """:class:`VcsGateway` on the GitHub REST API (``GET /repos/{o}/{r}``, ``GET /repos/{o}/{r}/commits``)."""

    def __init__(self, options: GithubApiOptions) -> None:
        self._options = options

    def _client(self) -> Github:
        # One client per call: PyGithub's requester is not meant to be shared between threads.
        return Github(
            base_url=self._options.base_url.rstrip("/"),
            auth=Auth.Token(self._options.token) if self._options.token else None,
            timeout=self._options.timeout_seconds,
            retry=None,
            seconds_between_requests=None,
            seconds_between_writes=None,
        )

    async def _run(self, call: Callable[[Github], T]) -> T:
        def guarded() -> T:
            client = self._client()
            try:
                return call(client)
            finally:
                client.close()

        try:
            return await to_thread.run_sync(guarded)
        except (GithubException, OSError) as error:  # requests' errors are OSErrors
            raise _translate(error) from error

    async def get_repository(self, full_name: str) -> RepositoryInfo:
        def fetch(client: Github) -> RepositoryInfo:
            repo = client.get_repo(full_name)
            return RepositoryInfo(
                full_name=repo.full_name,
                owner_login=repo.owner.login,
                private=repo.private,
                html_url=repo.html_url,
                default_branch=repo.default_branch,
                owner_id=repo.owner.id,
            )

        return await self._run(fetch)

    async def recent_commits(self, full_name: str, *, limit: int, author: str | None = None) -> Sequence[Commit]:
        def fetch(client: Github) -> list[Commit]:
            repo = client.withLazy(True).get_repo(full_name)
            pages = repo.get_commits(author=author) if author else repo.get_commits()
            try:
                return [_commit(item) for item in itertools.islice(pages, limit)]
            except GithubException as error:
                if error.status == _EMPTY_REPOSITORY:
                    return []
                raise

        return await self._run(fetch)
