"""Administration of accounts: listing users, changing roles and status, creating admins."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.accounts.registration import RegisterUser, Registration
from skillbridge.application.accounts.revocations import AccessRevocations
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.erasure import is_erased
from skillbridge.domain.accounts.profile import ProfileInput
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.user import User
from skillbridge.domain.errors import Conflict
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.texts import N_


class ListUsers:
    """List every user, oldest first, optionally of one role. Admins only."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, page: PageRequest, role: Role | None = None) -> Page[User]:
        principal.require(Role.ADMIN)
        self._uow.act_for_system("admin:list_users")
        async with self._uow.reading() as uow:
            return await uow.users.list(page, role)


class ChangeUserAccess:
    """Give a user another role, or disable or re-enable their account. Admins only.

    Rules:
    - an admin cannot change their own role or disable themselves (so the last admin cannot lock
      everyone out by accident);
    - an empty change returns the user as stored;
    - an erased account (its anonymous placeholder) is never re-enabled nor given a role: Conflict;
    - each change is audited, with the admin's reason when given (at most 500 characters), and
      takes effect on the user's very next request, in every process; a disabled account's requests are
      refused, its open streams end at their next session check, and its refresh sessions are revoked
      (a re-enabled user signs in again). A disabled mentor leaves the search and the rounds, which take
      active mentors only.
    """

    def __init__(self, uow: UnitOfWork, revocations: AccessRevocations, clock: Clock) -> None:
        self._uow = uow
        self._revocations = revocations
        self._clock = clock

    async def __call__(
        self,
        principal: Principal,
        user_id: UUID,
        role: Role | None = None,
        *,
        active: bool | None = None,
        reason: str | None = None,
    ) -> User:
        principal.require(Role.ADMIN)
        self._uow.act_for_system("admin:change_user_access")
        if user_id == principal.user_id and (role is not None or active is not None):
            field = "role" if role is not None else "is_active"
            raise Conflict(N_("admins cannot change their own role or status"), field=field)
        now = self._clock.now()
        async with self._uow as uow:
            user = await uow.users.get(user_id)
            if is_erased(user) and (role is not None or active is not None):
                raise Conflict(
                    N_("the account was erased: it has no owner to give a role or access to"), field="is_active"
                )
            updated = user
            if role is not None and role is not user.role:
                updated = updated.with_role(role, now)
            if active is not None and active != user.is_active:
                updated = replace(updated, is_active=active, updated_at=now)
            if updated == user:
                return user
            stored = await uow.users.update(updated)
            revoked = 0
            if user.is_active and not updated.is_active:
                revoked = await uow.refresh_sessions.revoke_all_for_user(user_id, now)
            note = {"reason": reason.strip()} if reason and reason.strip() else {}
            for entry in self._audit_entries(principal, user, updated, now):
                extra = {"sessions_revoked": revoked} if entry.action == "user.disabled" else {}
                await uow.audit.record(replace(entry, details={**entry.details, **note, **extra}))
            await uow.commit()
        await self._revocations.principal_changed(user_id)
        return stored

    @staticmethod
    def _audit_entries(principal: Principal, before: User, after: User, now: datetime) -> list[AuditEntry]:
        changes: list[tuple[str, dict[str, object]]] = []
        if before.role is not after.role:
            changes.append(("user.role_changed", {"from": before.role.value, "to": after.role.value}))
        if before.is_active != after.is_active:
            changes.append(("user.enabled" if after.is_active else "user.disabled", {}))
        return [
            AuditEntry(
                action=action,
                at=now,
                actor_id=principal.user_id,
                subject_type="user",
                subject_id=str(before.id),
                details=details,
            )
            for action, details in changes
        ]


class CreateAdmin:
    """Create an admin account (the command line's ``create-admin``; there is no HTTP route for it)."""

    def __init__(self, register: RegisterUser) -> None:
        self._register = register

    async def __call__(self, email: str, password: str, display_name: str | None = None) -> User:
        registration = Registration(
            email=email, password=password, role=Role.ADMIN, profile=ProfileInput(display_name=display_name)
        )
        # The operator who runs create-admin vouches for the address, and accepts the terms for the admin.
        return await self._register(
            registration, role_allowed=frozenset({Role.ADMIN}), email_verified=True, terms_vouched=True
        )
