"""Administration of accounts: listing users, changing roles, creating admins."""

from __future__ import annotations

from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.accounts.registration import RegisterUser, Registration
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.profile import ProfileInput
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.user import User
from skillbridge.domain.errors import Conflict
from skillbridge.domain.pagination import Page, PageRequest


class ListUsers:
    """List every user, oldest first, optionally of one role. Admins only."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, page: PageRequest, role: Role | None = None) -> Page[User]:
        principal.require(Role.ADMIN)
        async with self._uow as uow:
            return await uow.users.list(page, role)


class ChangeUserRole:
    """Give a user another role. Admins only.

    Rules: an admin cannot change their own role (so the last admin cannot lock everyone out by
    accident); the change is audited; sessions stay valid because every request reads the current role.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, principal: Principal, user_id: UUID, role: Role) -> User:
        principal.require(Role.ADMIN)
        if user_id == principal.user_id:
            raise Conflict("admins cannot change their own role", field="role")
        now = self._clock.now()
        async with self._uow as uow:
            user = await uow.users.get(user_id)
            if user.role is role:
                return user
            updated = await uow.users.update(user.with_role(role, now))
            await uow.audit.record(
                AuditEntry(
                    action="user.role_changed",
                    at=now,
                    actor_id=principal.user_id,
                    subject_type="user",
                    subject_id=str(user_id),
                    details={"from": user.role.value, "to": role.value},
                )
            )
            await uow.commit()
        return updated


class CreateAdmin:
    """Create an admin account (the command line's ``create-admin``; there is no HTTP route for it)."""

    def __init__(self, register: RegisterUser) -> None:
        self._register = register

    async def __call__(self, email: str, password: str, display_name: str | None = None) -> User:
        registration = Registration(
            email=email, password=password, role=Role.ADMIN, profile=ProfileInput(display_name=display_name)
        )
        return await self._register(registration, role_allowed=frozenset({Role.ADMIN}))
