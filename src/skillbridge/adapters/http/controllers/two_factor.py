"""/api/v1/auth/2fa: turning two-factor authentication on and off, and a login's second step."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from skillbridge.adapters.http.access import CONSENT_EXEMPT, NO_STORE, PUBLIC_SENSITIVE, address_of
from skillbridge.adapters.http.auth import SECURITY, Caller
from skillbridge.adapters.http.schemas.accounts import TokensOut
from skillbridge.adapters.http.schemas.two_factor import (
    DisableTwoFactorIn,
    EnableTwoFactorIn,
    RecoveryCodesOut,
    TwoFactorSetupOut,
    VerifyTwoFactorIn,
)
from skillbridge.application.accounts.two_factor_login import CompleteTwoFactorLogin
from skillbridge.application.accounts.two_factor_setup import DisableTwoFactor, EnableTwoFactor, SetUpTwoFactor
from skillbridge.application.ports.clock import Clock
from skillbridge.domain.accounts.sessions import Client


class TwoFactorController(Controller):
    path = "/auth/2fa"
    tags = ["auth"]

    @post(
        "/setup",
        opt=CONSENT_EXEMPT,  # securing one's account never waits on new terms
        status_code=HTTP_200_OK,
        security=SECURITY,
        cache_control=NO_STORE,
        summary="Start two-factor authentication: a new TOTP secret and its otpauth URI",
        description="409 when it is on already. Nothing changes at login until POST /auth/2fa/enable.",
    )
    async def setup(self, caller: FromDishka[Caller], set_up: FromDishka[SetUpTwoFactor]) -> TwoFactorSetupOut:
        setup = await set_up(caller.claims)
        return TwoFactorSetupOut(secret=setup.secret, otpauth_uri=setup.otpauth_uri)

    @post(
        "/enable",
        opt=CONSENT_EXEMPT,  # securing one's account never waits on new terms
        status_code=HTTP_200_OK,
        security=SECURITY,
        cache_control=NO_STORE,
        summary="Confirm the secret with a code and turn two-factor on; returns 10 recovery codes, once",
        description="401 (field `code`) for a wrong code; 429 after too many; 409 without a pending setup.",
    )
    async def enable(
        self, data: JSONBody[EnableTwoFactorIn], caller: FromDishka[Caller], enable: FromDishka[EnableTwoFactor]
    ) -> RecoveryCodesOut:
        return RecoveryCodesOut(recovery_codes=await enable(caller.claims, data.code))

    @post(
        "/disable",
        opt=CONSENT_EXEMPT,  # securing one's account never waits on new terms
        status_code=HTTP_204_NO_CONTENT,
        security=SECURITY,
        summary="Turn two-factor off: the password (if the account has one) and a code or recovery code",
        description="422 (field `password`) for a missing or wrong password; 401 (field `code`) for a wrong code; "
        "409 when it is off.",
    )
    async def disable(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[DisableTwoFactorIn],
        caller: FromDishka[Caller],
        disable: FromDishka[DisableTwoFactor],
    ) -> None:
        await disable(caller.claims, data.password, data.code, address_of(request))

    @post(
        "/verify",
        status_code=HTTP_200_OK,
        opt=PUBLIC_SENSITIVE,
        cache_control=NO_STORE,
        summary="A login's second step: the challenge of POST /auth/login and a code give tokens",
        description="401 with field `challenge_token` (unknown, expired, used, or too many wrong codes) or "
        "`code` (wrong, or already used); 429 after too many wrong codes for the account.",
    )
    async def verify(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[VerifyTwoFactorIn],
        complete: FromDishka[CompleteTwoFactorLogin],
        clock: FromDishka[Clock],
    ) -> TokensOut:
        client = Client(address_of(request), request.headers.get("user-agent"))
        pair = await complete(data.challenge_token, data.code, client)
        return TokensOut.of(pair, clock.now())
