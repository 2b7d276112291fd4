"""The in-memory two-factor credentials: the SQL adapter's twin."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from skillbridge.adapters.persistence.memory.database import MemoryState, Staging, private_copy
from skillbridge.application.ports.repositories import TwoFactorRepository
from skillbridge.domain.accounts.two_factor import TwoFactorCredential
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict
from skillbridge.domain.texts import N_


def _stored(credential: TwoFactorCredential) -> TwoFactorCredential:
    enabled_at = None if credential.enabled_at is None else utc(credential.enabled_at)
    return replace(private_copy(credential), created_at=utc(credential.created_at), enabled_at=enabled_at)


class MemoryTwoFactorRepository(TwoFactorRepository):
    """:class:`TwoFactorRepository` in memory. A lost compare-and-set race shows at commit, as Conflict."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def find(self, user_id: UUID) -> TwoFactorCredential | None:
        found = self._staging.view().two_factor.get(user_id)
        return None if found is None else private_copy(found)

    async def add(self, credential: TwoFactorCredential) -> None:
        stored = _stored(credential)

        def insert(state: MemoryState) -> None:
            if stored.user_id in state.two_factor:
                raise Conflict(N_("a unique value is already taken"))
            if stored.user_id not in state.users:
                raise Conflict(N_("a referenced record does not exist or is still referenced"))
            state.two_factor[stored.user_id] = stored

        self._staging.apply(insert)

    async def replace(self, credential: TwoFactorCredential) -> bool:
        stored = _stored(credential)

        def current_is_previous(state: MemoryState) -> bool:
            current = state.two_factor.get(stored.user_id)
            return current is not None and current.version == stored.version - 1

        if not current_is_previous(self._staging.view()):
            return False

        def swap(state: MemoryState) -> None:
            if not current_is_previous(state):
                raise Conflict(N_("the two-factor credential changed meanwhile"))
            state.two_factor[stored.user_id] = stored

        self._staging.apply(swap)
        return True

    async def remove(self, user_id: UUID) -> None:
        if user_id not in self._staging.view().two_factor:
            return

        def delete(state: MemoryState) -> None:
            state.two_factor.pop(user_id, None)

        self._staging.apply(delete)
