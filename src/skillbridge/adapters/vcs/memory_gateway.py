"""An in-memory VcsGateway: repositories and commits a test (or an offline demo) puts there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from skillbridge.application.ports.vcs_gateway import VcsGateway
from skillbridge.domain.errors import NotFound
from skillbridge.domain.texts import N_
from skillbridge.domain.vcs.model import Commit, RepositoryInfo


@dataclass
class MemoryVcsGateway(VcsGateway):
    """:class:`VcsGateway` over dictionaries. Names are case-insensitive, as on GitHub; private
    repositories are reported as private (a token could see them)."""

    repositories: dict[str, RepositoryInfo] = field(default_factory=dict)
    commits: dict[str, list[Commit]] = field(default_factory=dict)

    def add(self, repository: RepositoryInfo, commits: Sequence[Commit] = ()) -> None:
        self.repositories[repository.full_name.lower()] = repository
        self.commits[repository.full_name.lower()] = sorted(commits, key=lambda c: c.timestamp, reverse=True)

    async def get_repository(self, full_name: str) -> RepositoryInfo:
        found = self.repositories.get(full_name.lower())
        if found is None:
            raise NotFound(N_("repository not found"))
        return found

    async def recent_commits(self, full_name: str, *, limit: int, author: str | None = None) -> Sequence[Commit]:
        await self.get_repository(full_name)
        commits = self.commits.get(full_name.lower(), [])
        if author is not None:
            commits = [c for c in commits if (c.author_login or "").lower() == author.lower()]
        return commits[:limit]
