"""/api/v1/admin: user administration, for admins only (the use cases check the role too)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from dishka.integrations.litestar import FromDishka
from litestar import Controller, get, patch
from litestar.params import FromPath, JSONBody, QueryParameter

from skillbridge.adapters.http.access import only
from skillbridge.adapters.http.auth import SECURITY
from skillbridge.adapters.http.controllers.users import MAX_OFFSET
from skillbridge.adapters.http.schemas.accounts import AuditEntryOut, AuditPage, UserAccessIn, UserOut, UserPage
from skillbridge.application.accounts.administration import ChangeUserAccess, ListUsers
from skillbridge.application.accounts.audit_trail import ListAuditEntries
from skillbridge.application.accounts.principal import Principal
from skillbridge.domain.accounts.audit import AuditQuery
from skillbridge.domain.accounts.location_privacy import LocationPrivacy
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.pagination import MAX_LIMIT, PageRequest
from skillbridge.domain.texts import N_


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
        return UserOut.of(await change(principal, user_id, role, active=data.is_active, reason=data.reason), privacy)


_INSTANT = {"format": "date-time"}


class AdminAuditController(Controller):
    path = "/admin/audit"
    tags = ["admin"]
    opt = only(Role.ADMIN)
    security = SECURITY

    @get("/", summary="The audit trail, newest first (admins only)")
    async def list_entries(
        self,
        principal: FromDishka[Principal],
        list_entries: FromDishka[ListAuditEntries],
        actor_id: Annotated[UUID | None, QueryParameter(description="who acted")] = None,
        subject_type: Annotated[str | None, QueryParameter(max_length=40, description="e.g. user, match")] = None,
        subject_id: Annotated[str | None, QueryParameter(max_length=64, description="needs subject_type")] = None,
        action: Annotated[str | None, QueryParameter(max_length=60, description="e.g. user.disabled")] = None,
        since: Annotated[
            str | None, QueryParameter(max_length=40, schema_extra=_INSTANT, description="from (inclusive)")
        ] = None,
        until: Annotated[str | None, QueryParameter(max_length=40, schema_extra=_INSTANT, description="before")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> AuditPage:
        query = AuditQuery(
            actor_id, subject_type, subject_id, action, _instant("since", since), _instant("until", until)
        )
        page = await list_entries(principal, query, PageRequest(limit=limit, offset=offset))
        return AuditPage(
            items=[AuditEntryOut.of(entry) for entry in page.items],
            total=page.total,
            limit=page.limit,
            offset=page.offset,
        )


def _instant(name: str, value: str | None) -> datetime | None:
    """An ISO 8601 instant with its UTC offset (Litestar's own datetime parameters also take bare numbers)."""
    if value is None:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise InvalidInput(N_("give an ISO 8601 instant with its UTC offset, e.g. 2026-12-01T09:00:00Z"), field=name)
    return instant
