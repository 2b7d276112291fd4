"""Changing a roadmap: completion, order, module edits and additions, each change kept as a version."""

from __future__ import annotations

from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.badges.awarding import award_earned
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.application.roadmaps.access import owned_roadmap
from skillbridge.domain.badges.rules import Audience, BadgeRules
from skillbridge.domain.errors import Conflict
from skillbridge.domain.roadmaps.changes import RoadmapChanges, apply_changes
from skillbridge.domain.roadmaps.model import Roadmap
from skillbridge.domain.texts import N_


class UpdateRoadmap:
    """Apply a learner's changes to their own roadmap.

    Rules:
    - only the owner changes a roadmap (its active mentor gets Forbidden, anyone else NotFound);
    - ``expected_version``, when given (from ``If-Match`` or the body), must be the stored version, else
      Conflict: the caller edited a stale copy. Without it, a concurrent change still makes one of two
      simultaneous writers fail with Conflict (optimistic locking in the repository);
    - progress is recomputed and the modules rescheduled on every change (see ``apply_changes``);
    - every change is stored as a new version in the history, with who made it and what it did;
    - finishing the roadmap (progress reaching 100) awards the learner the badges they now earn.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, badge_rules: BadgeRules, notifier: Notifier) -> None:
        self._notifier = notifier
        self._uow = uow
        self._clock = clock
        self._badge_rules = badge_rules

    async def __call__(
        self, principal: Principal, roadmap_id: UUID, changes: RoadmapChanges, expected_version: int | None = None
    ) -> Roadmap:
        async with self._uow as uow:
            roadmap = await owned_roadmap(uow, principal, roadmap_id)
            if expected_version is not None and expected_version != roadmap.version:
                raise Conflict(
                    N_("the roadmap is at version {version}, not {expected_version}; reload and try again"),
                    field="version",
                    params={"version": roadmap.version, "expected_version": expected_version},
                )
            changed, description = apply_changes(roadmap, changes, self._clock.now())
            stored = await uow.roadmaps.update(changed)
            await uow.roadmaps.add_version(stored.snapshot(description, principal.user_id))
            if stored.progress >= 100 > roadmap.progress:
                rules, now = self._badge_rules, stored.updated_at
                await award_earned(uow, rules, roadmap.user_id, Audience.LEARNER, now, self._notifier)
            await uow.commit()
        return stored
