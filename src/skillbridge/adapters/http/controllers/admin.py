"""/api/v1/admin: user administration, for admins only (the use cases check the role too)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from dishka.integrations.litestar import FromDishka
from litestar import Controller, get, patch
from litestar.params import FromPath, JSONBody, QueryParameter

from skillbridge.adapters.http.access import only
from skillbridge.adapters.http.auth import SECURITY
from skillbridge.adapters.http.controllers.users import MAX_OFFSET
from skillbridge.adapters.http.schemas.accounts import UserAccessIn, UserOut, UserPage
from skillbridge.application.accounts.administration import ChangeUserAccess, ListUsers
from skillbridge.application.accounts.principal import Principal
from skillbridge.domain.accounts.location_privacy import LocationPrivacy
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.pagination import MAX_LIMIT, PageRequest


class AdminUsersController(Controller):
    path = "/admin/users"
    tags = ["admin"]
    opt = only(Role.ADMIN)
    security = SECURITY

    @get("/", summary="List users (admins only)")
    async def list_users(
        self,
        principal: FromDishka[Principal],
        list_users: FromDishka[ListUsers],
        privacy: FromDishka[LocationPrivacy],
        role: Annotated[
            Literal["learner", "mentor", "admin"] | None, QueryParameter(description="only this role")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> UserPage:
        page = await list_users(principal, PageRequest(limit=limit, offset=offset), Role(role) if role else None)
        return UserPage(
            items=[UserOut.of(u, privacy) for u in page.items], total=page.total, limit=page.limit, offset=page.offset
        )

    @patch("/{user_id:uuid}", summary="Change a user's role or disable their account (admins only)")
    async def change_role(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[UserAccessIn],
        principal: FromDishka[Principal],
        change: FromDishka[ChangeUserAccess],
        privacy: FromDishka[LocationPrivacy],
    ) -> UserOut:
        role = Role(data.role) if data.role is not None else None
        return UserOut.of(await change(principal, user_id, role, active=data.is_active), privacy)
