"""Reading one's badges, and admins awarding a badge by hand."""

from __future__ import annotations

import re
from collections.abc import Sequence
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.badges.rules import MAX_REASON_LENGTH, Badge, BadgeRules
from skillbridge.domain.errors import Conflict, ErrorCollector, NotFound
from skillbridge.domain.texts import N_

_BADGE_TYPE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TYPE_LENGTH = 60


class ListMyBadges:
    """The signed-in user's badges, oldest first."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal) -> Sequence[Badge]:
        async with self._uow.reading() as uow:
            return await uow.badges.list_for_user(principal.user_id)


class AwardBadge:
    """An admin gives a user a badge: one of the rules' types or a custom slug (a community award).

    Rules: admins only (Forbidden otherwise); the user must exist (NotFound); a user holds each type once
    (Conflict); the reason, if any, is kept with the badge; the award is audited. A type may be given by its
    name, as the spec writes it: words become a slug ("Bronze Mentor" is ``bronze-mentor``).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, rules: BadgeRules) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules

    async def __call__(self, principal: Principal, user_id: UUID, badge_type: str, reason: str | None) -> Badge:
        principal.require(Role.ADMIN)
        self._uow.act_for_system("admin:award_badge")
        kind = "-".join(badge_type.lower().split())
        text = reason.strip() if reason else None
        errors = ErrorCollector()
        if not _BADGE_TYPE.match(kind) or len(kind) > MAX_TYPE_LENGTH:
            errors.add(
                "type",
                N_("a badge type is a slug of at most {max_type_length} characters, e.g. community-hero"),
                {"max_type_length": MAX_TYPE_LENGTH},
            )
        if text is not None and len(text) > MAX_REASON_LENGTH:
            errors.add("reason", N_("at most {max_reason_length} characters"), {"max_reason_length": MAX_REASON_LENGTH})
        errors.raise_if_any()
        now = self._clock.now()
        rule = self._rules.find(kind)
        criteria = {"name": rule.name if rule else kind.replace("-", " ").title(), "awarded_by_admin": True}
        if text:
            criteria["reason"] = text
        badge = Badge(user_id=user_id, type=kind, criteria=criteria, awarded_at=now, awarded_by=principal.user_id)
        async with self._uow as uow:
            if not await uow.users.get_many([user_id]):
                raise NotFound(N_("user not found"))
            if any(held.type == kind for held in await uow.badges.list_for_user(user_id)):
                raise Conflict(N_("the user already holds this badge"), field="type")
            await uow.badges.add(badge)
            await uow.audit.record(
                AuditEntry(
                    action="badge.awarded",
                    at=now,
                    actor_id=principal.user_id,
                    subject_type="user",
                    subject_id=str(user_id),
                    details={"type": kind},
                )
            )
            await uow.commit()
        return badge
