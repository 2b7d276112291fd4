"""Schemas of one's sign-in sessions."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from msgspec import Struct

from skillbridge.application.accounts.session_control import SessionView


class SessionOut(Struct, kw_only=True):
    """A sign-in session: when it began and was last refreshed, from what client, and whether it is this one."""

    id: UUID
    created_at: datetime
    last_used_at: datetime
    user_agent: str | None
    #: The client's network, coarse (``198.51.100.0/24``, an IPv6 /48), never the exact address.
    network: str | None
    current: bool

    @classmethod
    def of(cls, view: SessionView) -> SessionOut:
        return cls(
            id=view.id,
            created_at=view.created_at,
            last_used_at=view.last_used_at,
            user_agent=view.user_agent,
            network=view.network,
            current=view.current,
        )


class SessionsOut(Struct, kw_only=True):
    items: list[SessionOut]
