"""The audit entry of a mentorship's change of status (every transition is audited)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.matching.mentorship import Mentorship


async def audit_transition(
    uow: UnitOfWork, before: Mentorship, after: Mentorship, actor_id: UUID | None, now: datetime
) -> None:
    """Record ``match.<new status>`` when ``after``'s status differs from ``before``'s (``actor_id`` None: the
    system, as for an expiry); nothing otherwise. The summary names both statuses and both parties."""
    if after.status is before.status:
        return
    await uow.audit.record(
        AuditEntry(
            action=f"match.{after.status.value}",
            at=now,
            actor_id=actor_id,
            subject_type="match",
            subject_id=str(after.id),
            details={
                "from": before.status.value,
                "to": after.status.value,
                "learner_id": str(after.learner_id),
                "mentor_id": None if after.mentor_id is None else str(after.mentor_id),
            },
        )
    )
