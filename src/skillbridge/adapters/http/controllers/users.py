"""/api/v1/users: one's own account and the mentor directory."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, delete, get, patch
from litestar.openapi.spec import Example
from litestar.params import JSONBody, QueryParameter

from skillbridge.adapters.http.access import CONSENT_EXEMPT, EXPORT, address_of
from skillbridge.adapters.http.auth import SECURITY, Caller
from skillbridge.adapters.http.schemas.accounts import (
    ConsentsOut,
    ConsentsPatch,
    EraseAccountIn,
    MentorOut,
    MentorPage,
    ProfilePatch,
    UserOut,
)
from skillbridge.application.accounts.consents import ChangeMyConsents, GetMyConsents
from skillbridge.application.accounts.erasure import EraseMyAccount
from skillbridge.application.accounts.export import ExportMyData
from skillbridge.application.accounts.mentors import SearchMentors
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.accounts.profiles import GetMyAccount, UpdateMyProfile
from skillbridge.application.places import ResolvePlace
from skillbridge.domain.accounts.mentor_search import MentorQuery, SkillMatch
from skillbridge.domain.accounts.profile import normalise_languages, normalise_skills
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.geo import GeoPoint
from skillbridge.domain.pagination import MAX_LIMIT, PageRequest
from skillbridge.domain.places import MAX_PLACE_NAME_LENGTH
from skillbridge.domain.texts import N_

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="page size")]
#: Bounded so no database overflows on it (SQLite's OFFSET is a signed 64-bit integer).
MAX_OFFSET = 2**31 - 1
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="items to skip")]


class UsersController(Controller):
    path = "/users"
    tags = ["users"]
    security = SECURITY

    @get("/me", summary="The signed-in user's account")
    async def me(self, principal: FromDishka[Principal], get_account: FromDishka[GetMyAccount]) -> UserOut:
        return UserOut.of(await get_account(principal))

    @get(
        "/me/export",
        opt=EXPORT,
        summary="Everything kept about the signed-in user, as one JSON document (rate-limited)",
    )
    async def export_me(self, principal: FromDishka[Principal], export: FromDishka[ExportMyData]) -> Response[Any]:
        document = msgspec.to_builtins(await export(principal))
        return Response(document, headers={"Cache-Control": "no-store"})

    @patch("/me", summary="Change fields of one's own profile (role and email are not changed here)")
    async def update_me(
        self, data: JSONBody[ProfilePatch], principal: FromDishka[Principal], update: FromDishka[UpdateMyProfile]
    ) -> UserOut:
        return UserOut.of(await update(principal, data.changes()))

    @get("/me/consents", summary="One's consents, and whether the terms version in force awaits acceptance")
    async def consents(self, principal: FromDishka[Principal], read: FromDishka[GetMyConsents]) -> ConsentsOut:
        return ConsentsOut.of(await read(principal))

    @patch(
        "/me/consents",
        opt=CONSENT_EXEMPT,
        summary="Accept the terms version in force; give or withdraw optional consents",
    )
    async def change_consents(
        self, data: JSONBody[ConsentsPatch], principal: FromDishka[Principal], change: FromDishka[ChangeMyConsents]
    ) -> ConsentsOut:
        return ConsentsOut.of(await change(principal, data.change()))

    @delete(
        "/me",
        opt=CONSENT_EXEMPT,
        summary="Erase one's account and everything personal it holds (confirmed by the password)",
        description=(
            "The password confirms it; an account made through GitHub (no password) confirms with a GitHub "
            "sign-in of the last minutes instead (`SKILLBRIDGE_ERASURE_FRESH_SIGN_IN_MINUTES`). Open mentorships "
            "are cancelled, forum posts and chat messages keep their place with their content removed, every "
            "session ends, and the email may register again. See docs/data-protection.md."
        ),
    )
    async def erase_me(
        self,
        request: Request[Any, Any, Any],
        caller: FromDishka[Caller],
        data: JSONBody[EraseAccountIn],
        erase: FromDishka[EraseMyAccount],
    ) -> None:
        await erase(caller.claims, data.password, address_of(request))

    @get("/mentors", summary="Search mentors", description="Filters combine with AND; see each parameter.")
    async def mentors(
        self,
        principal: FromDishka[Principal],
        search: FromDishka[SearchMentors],
        places: FromDishka[ResolvePlace],
        skills: Annotated[
            list[str] | None, QueryParameter(description="skill names; repeat or comma-separate", max_items=50)
        ] = None,
        skill_match: Annotated[Literal["any", "all"], QueryParameter(description="any or all of the skills")] = "any",
        country: Annotated[
            str | None,
            QueryParameter(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2"),
        ] = None,
        lat: Annotated[float | None, QueryParameter(ge=-90, le=90)] = None,
        lon: Annotated[float | None, QueryParameter(ge=-180, le=180)] = None,
        near: Annotated[
            str | None,
            QueryParameter(
                min_length=1,
                max_length=MAX_PLACE_NAME_LENGTH,
                description="a city by name instead of lat and lon ('Lagos', 'Nairobi, KE'); not with them. "
                "An unknown or ambiguous name is a 422 (an ambiguous one lists up to 5 candidates)",
                examples=[Example(value="Nairobi, KE")],
            ),
        ] = None,
        # schema_extra repeats the zero bounds: Litestar leaves a bound that is 0 out of the document of an
        # optional parameter (it tests the bound for truth), though it still enforces it.
        within_km: Annotated[
            float | None, QueryParameter(gt=0, le=20_037.6, schema_extra={"exclusive_minimum": 0})
        ] = None,
        min_hours: Annotated[
            int | None,
            QueryParameter(ge=0, le=168, description="minimum hours per week", schema_extra={"minimum": 0}),
        ] = None,
        language: Annotated[str | None, QueryParameter(min_length=2, max_length=3, pattern=r"^[A-Za-z]{2,3}$")] = None,
        has_free_capacity: Annotated[bool, QueryParameter(description="only mentors who can take a learner")] = False,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> MentorPage:
        if (lat is None) != (lon is None):
            raise InvalidInput(N_("lat and lon go together"), field="lat" if lat is None else "lon")
        if near is not None and lat is not None:
            raise InvalidInput(N_("give a place (near) or coordinates (lat and lon), not both"), field="near")
        if near is not None:
            await places.ready()
        point = places(near, "near").point if near is not None else None
        if lat is not None and lon is not None:
            point = GeoPoint(lat, lon)
        names = [part for item in skills or [] for part in item.split(",") if part.strip()]
        query = MentorQuery(
            skills=normalise_skills(names, "skills"),
            skill_match=SkillMatch(skill_match),
            country=country.upper() if country else None,
            near=point,
            within_km=within_km,
            min_hours_per_week=min_hours,
            language=normalise_languages([language], "language")[0] if language else None,
            has_free_capacity=has_free_capacity,
            page=PageRequest(limit=limit, offset=offset),
        )
        page = await search(query)
        return MentorPage(
            items=[MentorOut.of(card) for card in page.items], total=page.total, limit=page.limit, offset=page.offset
        )
