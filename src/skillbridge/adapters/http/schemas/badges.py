"""Schemas of the badge endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, cast
from uuid import UUID

from msgspec import UNSET, Meta, Struct, UnsetType

from skillbridge.domain.badges.rules import MAX_REASON_LENGTH, Badge, BadgeRule
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.texts import N_


class BadgeAwardIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """Who gets which badge: ``user_id``, or ``mentor_id`` as the spec names it (one of the two)."""

    user_id: Annotated[UUID, Meta(description="the user awarded; or send mentor_id")] | UnsetType = UNSET
    mentor_id: (
        Annotated[UUID, Meta(description="alias of user_id (the spec's name); give one or the other")] | UnsetType
    ) = UNSET
    type: Annotated[str, Meta(min_length=1, max_length=60, examples=["bronze-mentor", "community-hero"])]
    reason: Annotated[str, Meta(max_length=MAX_REASON_LENGTH)] | None = None

    def recipient(self) -> UUID:
        """The user awarded; 422 when neither or two different ids are sent."""
        if self.user_id is UNSET and self.mentor_id is UNSET:
            raise InvalidInput(N_("name the user awarded: user_id (or mentor_id)"), field="user_id")
        if self.user_id is not UNSET and self.mentor_id is not UNSET and self.user_id != self.mentor_id:
            raise InvalidInput(N_("mentor_id is another name of user_id: give one of them"), field="mentor_id")
        return self.user_id if self.user_id is not UNSET else cast(UUID, self.mentor_id)


class BadgeOut(Struct, kw_only=True):
    id: UUID
    user_id: UUID
    type: str
    name: str
    criteria: dict[str, Any]
    awarded_at: datetime
    awarded_by: UUID | None

    @classmethod
    def of(cls, badge: Badge) -> BadgeOut:
        return cls(
            id=badge.id,
            user_id=badge.user_id,
            type=badge.type,
            name=str(badge.criteria.get("name", badge.type)),
            criteria=dict(badge.criteria),
            awarded_at=badge.awarded_at,
            awarded_by=badge.awarded_by,
        )


class BadgeList(Struct, kw_only=True):
    items: list[BadgeOut]
    total: int


class BadgeRuleOut(Struct, kw_only=True):
    type: str
    name: str
    audience: str
    description: str
    criteria: dict[str, float]

    @classmethod
    def of(cls, rule: BadgeRule) -> BadgeRuleOut:
        return cls(
            type=rule.type,
            name=rule.name,
            audience=rule.audience.value,
            description=rule.description,
            criteria=dict(rule.criteria),
        )


class BadgeRuleList(Struct, kw_only=True):
    items: list[BadgeRuleOut]
    total: int
