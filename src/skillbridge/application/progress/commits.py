"""Recording commits on a roadmap: one event per commit, and the modules their done tags complete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from skillbridge.application.badges.awarding import award_earned
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.user import User
from skillbridge.domain.badges.rules import Audience, default_rules
from skillbridge.domain.progress.events import EventType, ProgressEvent
from skillbridge.domain.progress.tags import tagged_modules
from skillbridge.domain.roadmaps.changes import RoadmapChanges, apply_changes
from skillbridge.domain.roadmaps.model import Roadmap
from skillbridge.domain.vcs.model import Commit

_MAX_CHANGE_LENGTH = 200


@dataclass(frozen=True, slots=True)
class CommitsRecorded:
    """What recording did: the roadmap as it is now, how many commits were new, which modules completed."""

    roadmap: Roadmap
    commits_logged: int
    modules_completed: tuple[str, ...]


def _is_by(commit: Commit, learner: User) -> bool:
    return learner.github_id is not None and commit.author_id == learner.github_id


async def record_commits(
    uow: UnitOfWork,
    roadmap: Roadmap,
    learner: User,
    repository: str,
    commits: Sequence[Commit],
    now: datetime,
    *,
    learned_at: datetime,
) -> CommitsRecorded:
    """Log the commits ``roadmap`` does not have yet and complete the modules their done tags name.

    Rules:
    - every commit counts as activity, whoever made it: one ``commit`` event each, keyed by its SHA, so a
      commit seen twice (a redelivery, a push to a second branch, the fetch at link time) is logged once;
    - done tags (see :mod:`skillbridge.domain.progress.tags`) count only in commits GitHub attributes to the
      learner's proven GitHub account (the commit's ``author_id`` is the learner's ``github_id``, set by
      GitHub login); a declared ``github_username`` proves nothing, so a collaborator, or someone claiming
      the learner's name, cannot tick off the learner's modules; a module already completed stays as it is;
    - every event happens at ``learned_at``, when the server learned of the commits (a push's delivery, a
      link), never at the commit's own date, which its author sets at will: old or forged dates cannot
      fill past weeks of a streak (the commit's date stays in the event's details);
    - completing modules recomputes progress through the roadmap rules and stores a new roadmap version,
      and logs one ``module_completed`` event per module;
    - the caller commits the unit of work.
    """
    unique = list({commit.sha: commit for commit in commits}.values())
    known = await uow.progress_logs.known_external_ids(roadmap.id, EventType.COMMIT, [c.sha for c in unique])
    new = sorted((commit for commit in unique if commit.sha not in known), key=lambda commit: commit.timestamp)
    for commit in new:
        await uow.progress_logs.add(
            ProgressEvent(
                user_id=roadmap.user_id,
                roadmap_id=roadmap.id,
                event_type=EventType.COMMIT,
                details=commit.details(repository),
                occurred_at=learned_at,
                created_at=now,
                external_id=commit.sha,
            )
        )
    open_modules = {module.id for module in roadmap.modules if not module.completed}
    completed_by: dict[str, Commit] = {}
    for commit in new:
        if _is_by(commit, learner):
            for module_id in tagged_modules(commit.message, roadmap.modules):
                if module_id in open_modules:
                    completed_by.setdefault(module_id, commit)
    if not completed_by:
        return CommitsRecorded(roadmap, len(new), ())
    changed, description = apply_changes(roadmap, RoadmapChanges(completed=dict.fromkeys(completed_by, True)), now)
    stored = await uow.roadmaps.update(changed)
    change = f"{description} from commits in {repository}"[:_MAX_CHANGE_LENGTH]
    await uow.roadmaps.add_version(stored.snapshot(change, roadmap.user_id))
    if stored.progress >= 100 > roadmap.progress:  # finished by a commit: the learner's badges, as by hand
        await award_earned(uow, default_rules(), roadmap.user_id, Audience.LEARNER, now)
    titles = {module.id: module.title for module in roadmap.modules}
    for module_id, commit in completed_by.items():
        await uow.progress_logs.add(
            ProgressEvent(
                user_id=roadmap.user_id,
                roadmap_id=roadmap.id,
                event_type=EventType.MODULE_COMPLETED,
                details={
                    "module_id": module_id,
                    "title": titles[module_id],
                    "repo": repository,
                    "commit_hash": commit.sha,
                },
                occurred_at=learned_at,
                created_at=now,
                external_id=f"{commit.sha}:{module_id}",
            )
        )
    return CommitsRecorded(stored, len(new), tuple(completed_by))
