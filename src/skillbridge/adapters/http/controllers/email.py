"""/api/v1/auth/email: prove one's email address with the mailed token, or have it mailed again."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from skillbridge.adapters.http.access import PUBLIC_SENSITIVE
from skillbridge.adapters.http.auth import SECURITY
from skillbridge.adapters.http.languages import accepted_languages
from skillbridge.adapters.http.schemas.recovery import VerifyEmailIn
from skillbridge.application.accounts.email_verification import ResendVerification, VerifyEmail
from skillbridge.application.accounts.principal import Principal


class EmailController(Controller):
    path = "/auth/email"
    tags = ["auth"]

    @post(
        "/verify",
        status_code=HTTP_204_NO_CONTENT,
        opt=PUBLIC_SENSITIVE,
        summary="Prove one's email address with the mailed token (from any device, signed in or not)",
    )
    async def verify(self, data: JSONBody[VerifyEmailIn], verify: FromDishka[VerifyEmail]) -> None:
        await verify(data.token)

    @post(
        "/resend",
        status_code=HTTP_202_ACCEPTED,
        security=SECURITY,
        summary="Mail the verification link again (409 when verified already, a few an hour)",
    )
    async def resend(
        self, request: Request[Any, Any, Any], principal: FromDishka[Principal], resend: FromDishka[ResendVerification]
    ) -> None:
        await resend(principal, accepted_languages(request.headers.get("accept-language")))
