"""Linking a public GitHub repository to a roadmap, and unlinking it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.application.ports.vcs_gateway import VcsGateway
from skillbridge.application.progress.commits import record_commits
from skillbridge.application.roadmaps.access import owned_roadmap
from skillbridge.domain.errors import InvalidInput, NotFound, TooManyAttempts
from skillbridge.domain.progress.events import is_repository_name
from skillbridge.domain.roadmaps.model import Roadmap
from skillbridge.domain.texts import N_
from skillbridge.domain.vcs.model import Commit, RepositoryInfo

#: How many of the newest commits are fetched and logged when a repository is linked.
RECENT_COMMITS = 30
_NO_SUCH_REPOSITORY = N_("no public GitHub repository has this name")
_HOUR = 3600


@dataclass(frozen=True, slots=True)
class LinkResult:
    """The roadmap as linked, the repository, and what the first fetch recorded."""

    roadmap: Roadmap
    repository: RepositoryInfo
    commits_logged: int
    modules_completed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LinkBudget:
    """How many link attempts (each up to three GitHub calls on the shared token) one user gets per hour
    (``SKILLBRIDGE_GITHUB_LINKS_PER_USER_PER_HOUR``)."""

    per_hour: int = 10


def _by(github_id: int, commits: Sequence[Commit]) -> bool:
    return any(commit.author_id == github_id for commit in commits)


class LinkRepository:
    """Link a public repository to the caller's roadmap.

    Rules:
    - only the owner links (the active mentor gets Forbidden, anyone else NotFound);
    - the owner must have proven a GitHub account by signing in with GitHub (``github_id``); a declared
      ``profile.github_username`` proves nothing and is never enough;
    - each user gets :class:`LinkBudget` attempts an hour (TooManyAttempts beyond, before GitHub is asked):
      the GitHub token is shared by everyone;
    - the repository must exist and be public, and be owned by that GitHub account or have commits GitHub
      attributes to it, compared by numeric id (a login can be renamed and taken by someone else);
    - GitHub is asked before the transaction opens (a slow GitHub never holds a database connection);
    - the newest :data:`RECENT_COMMITS` commits are logged once (linking again logs only new ones), with
      their done tags applied as a push would (see ``record_commits``), all at the time of the link: their
      own dates do not fill past weeks of a streak; a new roadmap version records the link; pushes to the
      repository then reach the roadmap through the webhook.
    """

    def __init__(
        self, uow: UnitOfWork, vcs: VcsGateway, clock: Clock, store: KeyValueStore, budget: LinkBudget
    ) -> None:
        self._uow = uow
        self._vcs = vcs
        self._clock = clock
        self._store = store
        self._budget = budget

    async def __call__(self, principal: Principal, roadmap_id: UUID, full_name: str) -> LinkResult:
        full_name = full_name.strip()
        if not is_repository_name(full_name):
            raise InvalidInput(N_("full_name is owner/name, as on GitHub"), field="full_name")
        async with self._uow as uow:
            await owned_roadmap(uow, principal, roadmap_id)
            owner = await uow.users.get(principal.user_id)
        if owner.github_id is None:
            raise InvalidInput(
                N_("sign in with GitHub (GET /auth/github/login) to prove your GitHub account before linking"),
                field="github_id",
            )
        github_id = owner.github_id
        await self._spend_budget(principal)
        try:
            info = await self._vcs.get_repository(full_name)
        except NotFound:
            raise InvalidInput(_NO_SUCH_REPOSITORY, field="full_name") from None
        if info.private:
            raise InvalidInput(_NO_SUCH_REPOSITORY, field="full_name")
        commits = await self._vcs.recent_commits(info.full_name, limit=RECENT_COMMITS)
        # The declared name only narrows GitHub's search for older commits; the ids decide.
        hint = owner.profile.github_username
        if not (
            info.owner_id == github_id
            or _by(github_id, commits)
            or (hint and _by(github_id, await self._vcs.recent_commits(info.full_name, limit=1, author=hint)))
        ):
            raise InvalidInput(
                N_("the repository is neither owned by your GitHub account nor has commits by it"), field="full_name"
            )
        now = self._clock.now()
        async with self._uow as uow:
            roadmap = await owned_roadmap(uow, principal, roadmap_id)
            learner = await uow.users.get(principal.user_id)
            if roadmap.repository != info.full_name:
                roadmap = await uow.roadmaps.update(replace(roadmap, repository=info.full_name, updated_at=now))
                await uow.roadmaps.add_version(roadmap.snapshot(f"linked {info.full_name}", principal.user_id))
            recorded = await record_commits(uow, roadmap, learner, info.full_name, commits, now, learned_at=now)
            await uow.commit()
        return LinkResult(recorded.roadmap, info, recorded.commits_logged, recorded.modules_completed)

    async def _spend_budget(self, principal: Principal) -> None:
        count, seconds_left = await self._store.increment(f"github-links:{principal.user_id}", _HOUR)
        if count > self._budget.per_hour:
            raise TooManyAttempts(
                N_("at most {per_hour} repository links an hour; try again later"),
                retry_after=seconds_left,
                params={"per_hour": self._budget.per_hour},
            )


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
