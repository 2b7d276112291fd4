"""Awarding the badges a user has just earned, inside the unit of work of the event that earned them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.badges.rules import Audience, Badge, BadgeRules, Record, earned, mentor_record
from skillbridge.domain.notifications.model import NotificationType
from skillbridge.domain.texts import N_, Text


async def record_of(uow: UnitOfWork, rules: BadgeRules, user_id: UUID, audience: Audience) -> Record:
    """The user's record for ``audience``'s rules: as mentor, distinct learners of completions that lasted
    ``rules.min_mentorship`` (see :func:`~skillbridge.domain.badges.rules.mentor_record`)."""
    if audience is Audience.MENTOR:
        return mentor_record(await uow.mentorships.completions(user_id), rules.min_mentorship)
    return Record(completed_roadmaps=await uow.roadmaps.count_completed(user_id))


async def award_earned(
    uow: UnitOfWork,
    rules: BadgeRules,
    user_id: UUID,
    audience: Audience,
    now: datetime,
    notifier: Notifier | None = None,
) -> list[Badge]:
    """Store every badge of ``audience`` that ``user_id`` now earns and does not hold yet; return them.

    Call it after the event's own writes (a completed or rated mentorship, a finished roadmap), in the same
    unit of work: the badge (and, with ``notifier``, its notification) commits with the event or not at
    all, and the unique (user, type) key keeps a badge from being awarded twice even when two events race.
    """
    if user_id != uow.acting_user_id and uow.system_reason is None:
        await uow.elevate("badges:award_earned")  # a mentor's record counts completions with other learners
    record = await record_of(uow, rules, user_id, audience)
    held = {badge.type for badge in await uow.badges.list_for_user(user_id)}
    new = [
        Badge(user_id=user_id, type=rule.type, criteria={**rule.criteria, "name": rule.name}, awarded_at=now)
        for rule in earned(rules.rules, audience, record)
        if rule.type not in held
    ]
    for badge in new:
        await uow.badges.add(badge)
        if notifier is not None:
            name = badge.criteria.get("name", badge.type)
            await notifier.notify(
                uow,
                user_id,
                NotificationType.BADGE,
                Text(N_("You earned the {name} badge"), {"name": str(name)}),
                {"badge_type": badge.type},
            )
    return new
