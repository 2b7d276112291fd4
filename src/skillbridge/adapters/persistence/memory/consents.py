"""Consents in memory: the SQL adapter's twin."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from skillbridge.adapters.persistence.memory.database import MemoryState, Staging
from skillbridge.application.ports.repositories import ConsentRepository
from skillbridge.domain.accounts.consents import Consent, ConsentKind
from skillbridge.domain.clock import utc
from skillbridge.domain.errors import Conflict
from skillbridge.domain.texts import N_

_DANGLING = N_("a referenced record does not exist or is still referenced")


class MemoryConsentRepository(ConsentRepository):
    """:class:`ConsentRepository` in memory."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    async def list_for_user(self, user_id: UUID) -> Sequence[Consent]:
        held = self._staging.view().consents
        return [held[user_id, kind] for kind in ConsentKind if (user_id, kind) in held]

    async def put(self, consent: Consent) -> None:
        stored = Consent(consent.user_id, consent.kind, consent.granted, consent.version, utc(consent.at))

        def store(state: MemoryState) -> None:
            if stored.user_id not in state.users:
                raise Conflict(_DANGLING)
            state.consents[stored.user_id, stored.kind] = stored

        self._staging.apply(store)
