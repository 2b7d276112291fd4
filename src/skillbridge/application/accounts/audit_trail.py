"""The admins' view of the audit trail."""

from __future__ import annotations

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry, AuditQuery
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.pagination import Page, PageRequest
from skillbridge.domain.texts import N_


class ListAuditEntries:
    """List audit entries for an admin, newest first, filtered by actor, subject, action and time range.

    Rules: admins only (Forbidden otherwise); a subject id needs its subject type (InvalidInput on
    ``subject_id``); a time range must not end before it starts (InvalidInput on ``until``). Reading the
    trail reaches every row, so it goes through the audited system access.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal, query: AuditQuery, page: PageRequest) -> Page[AuditEntry]:
        principal.require(Role.ADMIN)
        if query.subject_id is not None and query.subject_type is None:
            raise InvalidInput(N_("a subject id needs its subject_type"), field="subject_id")
        if query.since is not None and query.until is not None and query.until < query.since:
            raise InvalidInput(N_("the range ends before it starts"), field="until")
        self._uow.act_for_system("admin:list_audit_entries")
        async with self._uow.reading() as uow:
            return await uow.audit.search(query, page)
