"""One's own sign-in sessions: see them, end one, end them all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from skillbridge.application.accounts.revocations import AccessRevocations
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.sessions import AccessClaims
from skillbridge.domain.errors import NotFound
from skillbridge.domain.texts import N_


@dataclass(frozen=True, slots=True)
class SessionView:
    """A sign-in session as its owner sees it."""

    id: UUID
    created_at: datetime
    last_used_at: datetime
    user_agent: str | None
    network: str | None
    current: bool


class ListMySessions:
    """The caller's sessions that can still be refreshed, most recently used first.

    Rules: only the caller's own; "last used" is the last login or refresh; the network is coarse (a /24
    or a /48), never the exact address; ``current`` marks the session of the token in use.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, claims: AccessClaims) -> list[SessionView]:
        async with self._uow.reading() as uow:
            live = await uow.refresh_sessions.list_live(claims.user_id, self._clock.now())
        return [
            SessionView(
                id=session.family_id,
                created_at=session.started_at,
                last_used_at=session.issued_at,
                user_agent=session.user_agent,
                network=session.client_network,
                current=session.family_id == claims.session_id,
            )
            for session in live
        ]


class EndMySession:
    """End one of the caller's sessions: its refresh token and its access tokens stop working at once.

    Rules: a session that is not the caller's, or that has ended already, is :class:`NotFound` (field
    ``session_id``), so nobody learns that another's session exists.
    """

    def __init__(self, uow: UnitOfWork, revocations: AccessRevocations, clock: Clock) -> None:
        self._uow = uow
        self._revocations = revocations
        self._clock = clock

    async def __call__(self, claims: AccessClaims, session_id: UUID) -> None:
        now = self._clock.now()
        async with self._uow as uow:
            live = await uow.refresh_sessions.list_live(claims.user_id, now)
            if all(session.family_id != session_id for session in live):
                raise NotFound(N_("no such session"), field="session_id")
            await uow.refresh_sessions.revoke_family(session_id, now)
            await uow.audit.record(_ended(claims, now, "session.ended", {"family_id": str(session_id)}))
            await uow.commit()
        await self._revocations.revoke_session(session_id)


class LogOutEverywhere:
    """End every session of the caller, the current one included (``POST /auth/logout-all``)."""

    def __init__(self, uow: UnitOfWork, revocations: AccessRevocations, clock: Clock) -> None:
        self._uow = uow
        self._revocations = revocations
        self._clock = clock

    async def __call__(self, claims: AccessClaims) -> None:
        now = self._clock.now()
        await self._revocations.revoke(claims.jti, claims.expires_at, now)
        async with self._uow as uow:
            families = await uow.refresh_sessions.revoke_families_of_user(claims.user_id, now)
            if claims.session_id is not None:
                families.add(claims.session_id)
            await uow.audit.record(_ended(claims, now, "user.logged_out_everywhere", {"sessions": len(families)}))
            await uow.commit()
        await self._revocations.revoke_sessions(families)


def _ended(claims: AccessClaims, now: datetime, action: str, details: dict[str, object]) -> AuditEntry:
    return AuditEntry(
        action=action,
        at=now,
        actor_id=claims.user_id,
        subject_type="user",
        subject_id=str(claims.user_id),
        details=details,
    )
