"""VcsGateway port: what the platform asks of a code host (GitHub) about a learner's repository."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from skillbridge.domain.vcs.model import Commit, RepositoryInfo


class VcsGateway(Protocol):
    """Reads public repositories and their commits.

    Every method may raise ``UpstreamRateLimited`` (the host's rate limit is spent; ``retry_after`` says
    for how long) or ``DependencyUnavailable`` (the host cannot be reached or answered nonsense). Calls
    never block the event loop.
    """

    async def get_repository(self, full_name: str) -> RepositoryInfo:
        """Return the repository ``owner/name``. Raises NotFound if it does not exist or is not visible."""
        ...

    async def recent_commits(self, full_name: str, *, limit: int, author: str | None = None) -> Sequence[Commit]:
        """Return up to ``limit`` commits of the default branch, newest first, optionally only those
        ``author`` (a login) made. An empty repository has none. Raises NotFound like ``get_repository``."""
        ...
