"""/api/v1/auth/sessions and /auth/logout-all: one's own sign-in sessions."""

from __future__ import annotations

from uuid import UUID

from dishka.integrations.litestar import FromDishka
from litestar import Controller, delete, get, post
from litestar.params import FromPath
from litestar.status_codes import HTTP_204_NO_CONTENT

from skillbridge.adapters.http.access import CONSENT_EXEMPT, NO_STORE
from skillbridge.adapters.http.auth import SECURITY, Caller
from skillbridge.adapters.http.schemas.sessions import SessionOut, SessionsOut
from skillbridge.application.accounts.session_control import EndMySession, ListMySessions, LogOutEverywhere


class SessionsController(Controller):
    path = "/auth"
    tags = ["auth"]
    security = SECURITY

    @get("/sessions", cache_control=NO_STORE, summary="One's sign-in sessions, the current one marked")
    async def list_sessions(self, caller: FromDishka[Caller], list_sessions: FromDishka[ListMySessions]) -> SessionsOut:
        return SessionsOut(items=[SessionOut.of(view) for view in await list_sessions(caller.claims)])

    @delete(
        "/sessions/{session_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        opt=CONSENT_EXEMPT,
        summary="End one of one's sessions: its refresh token and access tokens stop working at once",
    )
    async def end_session(
        self, session_id: FromPath[UUID], caller: FromDishka[Caller], end: FromDishka[EndMySession]
    ) -> None:
        await end(caller.claims, session_id)

    @post(
        "/logout-all",
        status_code=HTTP_204_NO_CONTENT,
        opt=CONSENT_EXEMPT,
        summary="End every one of one's sessions, this one too",
    )
    async def logout_all(self, caller: FromDishka[Caller], log_out: FromDishka[LogOutEverywhere]) -> None:
        await log_out(caller.claims)
