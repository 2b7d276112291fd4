"""Linking a public GitHub repository to a roadmap, and unlinking it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.application.ports.vcs_gateway import VcsGateway
from skillbridge.application.progress.commits import record_commits
from skillbridge.application.roadmaps.access import owned_roadmap
from skillbridge.domain.errors import InvalidInput, NotFound
from skillbridge.domain.progress.events import is_repository_name
from skillbridge.domain.roadmaps.model import Roadmap
from skillbridge.domain.vcs.model import RepositoryInfo

#: How many of the newest commits are fetched and logged when a repository is linked.
RECENT_COMMITS = 30
_NO_SUCH_REPOSITORY = "no public GitHub repository has this name"


@dataclass(frozen=True, slots=True)
class LinkResult:
    """The roadmap as linked, the repository, and what the first fetch recorded."""

    roadmap: Roadmap
    repository: RepositoryInfo
    commits_logged: int
    modules_completed: tuple[str, ...]


def _same(login: str | None, other: str) -> bool:
    return login is not None and login.lower() == other.lower()


class LinkRepository:
    """Link a public repository to the caller's roadmap.

    Rules:
    - only the owner links (the active mentor gets Forbidden, anyone else NotFound);
    - the owner's profile needs a ``github_username``;
    - the repository must exist and be public, and be owned by that username or have commits by it;
    - GitHub is asked before the transaction opens (a slow GitHub never holds a database connection);
    - the newest :data:`RECENT_COMMITS` commits are logged once (linking again logs only new ones), with
      their done tags applied as a push would (see ``record_commits``); a new roadmap version records
      the link; pushes to the repository then reach the roadmap through the webhook.
    """

    def __init__(self, uow: UnitOfWork, vcs: VcsGateway, clock: Clock) -> None:
        self._uow = uow
        self._vcs = vcs
        self._clock = clock

    async def __call__(self, principal: Principal, roadmap_id: UUID, full_name: str) -> LinkResult:
        full_name = full_name.strip()
        if not is_repository_name(full_name):
            raise InvalidInput("full_name is owner/name, as on GitHub", field="full_name")
        async with self._uow as uow:
            await owned_roadmap(uow, principal, roadmap_id)
            login = (await uow.users.get(principal.user_id)).profile.github_username
        if not login:
            raise InvalidInput(
                "set profile.github_username (PATCH /users/me) before linking a repository",
                field="profile.github_username",
            )
        try:
            info = await self._vcs.get_repository(full_name)
        except NotFound:
            raise InvalidInput(_NO_SUCH_REPOSITORY, field="full_name") from None
        if info.private:
            raise InvalidInput(_NO_SUCH_REPOSITORY, field="full_name")
        commits = await self._vcs.recent_commits(info.full_name, limit=RECENT_COMMITS)
        if not (
            _same(login, info.owner_login)
            or any(_same(login, commit.author_login or "") for commit in commits)
            or await self._vcs.recent_commits(info.full_name, limit=1, author=login)
        ):
            raise InvalidInput(
                f"the repository is neither owned by {login} nor has commits by {login}", field="full_name"
            )
        now = self._clock.now()
        async with self._uow as uow:
            roadmap = await owned_roadmap(uow, principal, roadmap_id)
            learner = await uow.users.get(principal.user_id)
            if roadmap.repository != info.full_name:
                roadmap = await uow.roadmaps.update(replace(roadmap, repository=info.full_name, updated_at=now))
                await uow.roadmaps.add_version(roadmap.snapshot(f"linked {info.full_name}", principal.user_id))
            recorded = await record_commits(uow, roadmap, learner, info.full_name, commits, now)
            await uow.commit()
        return LinkResult(recorded.roadmap, info, recorded.commits_logged, recorded.modules_completed)


class UnlinkRepository:
    """Unlink the repository of the caller's roadmap (owner only, like linking). Its events stay in the
    timeline; later pushes no longer reach the roadmap. Unlinking an unlinked roadmap changes nothing."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, principal: Principal, roadmap_id: UUID) -> Roadmap:
        async with self._uow as uow:
            roadmap = await owned_roadmap(uow, principal, roadmap_id)
            if roadmap.repository is None:
                return roadmap
            previous = roadmap.repository
            roadmap = await uow.roadmaps.update(replace(roadmap, repository=None, updated_at=self._clock.now()))
            await uow.roadmaps.add_version(roadmap.snapshot(f"unlinked {previous}", principal.user_id))
            await uow.commit()
        return roadmap
