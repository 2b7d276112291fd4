"""Schemas of the badge endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from msgspec import Meta, Struct

from skillbridge.domain.badges.rules import MAX_REASON_LENGTH, Badge, BadgeRule


class BadgeAwardIn(Struct, forbid_unknown_fields=True, kw_only=True):
    user_id: UUID
    type: Annotated[str, Meta(min_length=1, max_length=60, examples=["bronze-mentor", "community-hero"])]
    reason: Annotated[str, Meta(max_length=MAX_REASON_LENGTH)] | None = None


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
