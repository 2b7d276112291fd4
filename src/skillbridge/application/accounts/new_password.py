"""Storing a new password: what a reset and a change both do once the caller is proven."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from skillbridge.application.accounts.revocations import AccessRevocations
from skillbridge.application.ports.password_hasher import PasswordHasher
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.user import User


async def store_new_password(
    uow: UnitOfWork,
    hasher: PasswordHasher,
    revocations: AccessRevocations,
    user: User,
    password: str,
    now: datetime,
    *,
    action: str,
    keep_session: UUID | None = None,
) -> None:
    """Hash and store ``password`` (already checked), end every session of ``user`` but ``keep_session``,
    audit it as ``action``, and commit; then deny the ended sessions' access tokens."""
    await uow.users.update(user.with_password_hash(await hasher.hash(password), now))
    families = await uow.refresh_sessions.revoke_families_of_user(user.id, now, keep=keep_session)
    await uow.audit.record(
        AuditEntry(
            action=action,
            at=now,
            actor_id=user.id,
            subject_type="user",
            subject_id=str(user.id),
            details={"sessions_ended": len(families)},
        )
    )
    await uow.commit()
    await revocations.revoke_sessions(families)
