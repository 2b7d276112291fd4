"""/api/v1/badges: the badges one can earn, one's own badges, and admin awards."""

from __future__ import annotations

from dishka.integrations.litestar import FromDishka
from litestar import Controller, get, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED

from skillbridge.adapters.http.access import PUBLIC, only
from skillbridge.adapters.http.auth import SECURITY
from skillbridge.adapters.http.schemas.badges import BadgeAwardIn, BadgeList, BadgeOut, BadgeRuleList, BadgeRuleOut
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.badges.managing import AwardBadge, ListMyBadges
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.badges.rules import BadgeRules


class BadgesController(Controller):
    path = "/badges"
    tags = ["badges"]

    @get("/", opt=PUBLIC, summary="Every badge the rules award, and what earns it (public)")
    async def rules(self, rules: FromDishka[BadgeRules]) -> BadgeRuleList:
        items = [BadgeRuleOut.of(rule) for rule in rules.rules]
        return BadgeRuleList(items=items, total=len(items))

    @get("/my", summary="The signed-in user's badges, oldest first", security=SECURITY)
    async def mine(self, principal: FromDishka[Principal], list_mine: FromDishka[ListMyBadges]) -> BadgeList:
        badges = await list_mine(principal)
        return BadgeList(items=[BadgeOut.of(badge) for badge in badges], total=len(badges))

    @post(
        "/award",
        status_code=HTTP_201_CREATED,
        opt=only(Role.ADMIN),
        summary="Award a badge to a user (admins)",
        description="A rule's type or a custom slug (a community award); 409 if the user holds it already.",
        security=SECURITY,
    )
    async def award(
        self, data: JSONBody[BadgeAwardIn], principal: FromDishka[Principal], award: FromDishka[AwardBadge]
    ) -> BadgeOut:
        return BadgeOut.of(await award(principal, data.recipient(), data.type, data.reason))
