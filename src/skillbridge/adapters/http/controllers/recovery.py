"""/api/v1/auth/password: ask for a reset mail, reset with its token, change while signed in."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from skillbridge.adapters.http.access import CONSENT_EXEMPT, PUBLIC_SENSITIVE, address_of
from skillbridge.adapters.http.auth import SECURITY, Caller
from skillbridge.adapters.http.languages import accepted_languages
from skillbridge.adapters.http.schemas.recovery import (
    ChangePasswordIn,
    ForgotPasswordIn,
    ResetPasswordIn,
    ResetRequestedOut,
)
from skillbridge.application.accounts.password_change import ChangePassword
from skillbridge.application.accounts.password_reset import RequestPasswordReset, ResetPassword


class PasswordController(Controller):
    path = "/auth/password"
    tags = ["auth"]

    @post(
        "/forgot",
        status_code=HTTP_202_ACCEPTED,
        opt=PUBLIC_SENSITIVE,
        summary="Ask for a password-reset mail (202 whether or not the address has an account)",
    )
    async def forgot(
        self, request: Request[Any, Any, Any], data: JSONBody[ForgotPasswordIn], ask: FromDishka[RequestPasswordReset]
    ) -> ResetRequestedOut:
        await ask(data.email, address_of(request), accepted_languages(request.headers.get("accept-language")))
        return ResetRequestedOut()

    @post(
        "/reset",
        status_code=HTTP_204_NO_CONTENT,
        opt=PUBLIC_SENSITIVE,
        summary="Set a new password with a mailed token; every session of the account ends",
    )
    async def reset(self, data: JSONBody[ResetPasswordIn], reset: FromDishka[ResetPassword]) -> None:
        await reset(data.token, data.new_password)

    @post(
        "/change",
        status_code=HTTP_204_NO_CONTENT,
        security=SECURITY,
        opt=CONSENT_EXEMPT,
        summary="Change one's password; every other session ends",
    )
    async def change(
        self,
        request: Request[Any, Any, Any],
        caller: FromDishka[Caller],
        data: JSONBody[ChangePasswordIn],
        change: FromDishka[ChangePassword],
    ) -> None:
        await change(caller.claims, data.current_password, data.new_password, address_of(request))
