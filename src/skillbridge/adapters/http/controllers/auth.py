"""/api/v1/auth: registration, login, token refresh and logout."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from skillbridge.adapters.http.access import CONSENT_EXEMPT, NO_STORE, PUBLIC_SENSITIVE, address_of
from skillbridge.adapters.http.auth import SECURITY, Caller
from skillbridge.adapters.http.languages import accepted_languages
from skillbridge.adapters.http.schemas.accounts import LoginIn, LogoutIn, RefreshIn, RegisterIn, TokensOut, UserOut
from skillbridge.adapters.http.schemas.two_factor import TwoFactorChallengeOut
from skillbridge.application.accounts.email_verification import RequestEmailVerification
from skillbridge.application.accounts.registration import RegisterUser, Registration
from skillbridge.application.accounts.sessions import LogIn, LogOut, RefreshTokens
from skillbridge.application.accounts.token_pair import TokenPair
from skillbridge.application.ports.clock import Clock
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.sessions import Client


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/register", status_code=HTTP_201_CREATED, opt=PUBLIC_SENSITIVE, summary="Create a learner or mentor account")
    async def register(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RegisterIn],
        register: FromDishka[RegisterUser],
        request_verification: FromDishka[RequestEmailVerification],
    ) -> UserOut:
        user = await register(
            Registration(
                email=data.email,
                password=data.password,
                role=Role(data.role),
                profile=data.profile.to_input(),
                accepted_terms_version=data.accepted_terms_version,
                consents=data.consents.chosen(),
            )
        )
        await request_verification(user.id, accepted_languages(request.headers.get("accept-language")))
        return UserOut.of(user)

    @post(
        "/login",
        status_code=HTTP_200_OK,
        opt=PUBLIC_SENSITIVE,
        cache_control=NO_STORE,
        summary="Exchange email and password for tokens",
        description="With two-factor authentication on, a right password answers a challenge instead "
        "(`two_factor_required: true`, no tokens): send it with a code to POST /auth/2fa/verify.",
    )
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginIn],
        log_in: FromDishka[LogIn],
        clock: FromDishka[Clock],
    ) -> TokensOut | TwoFactorChallengeOut:
        outcome = await log_in(data.email, data.password, address_of(request), request.headers.get("user-agent"))
        if isinstance(outcome, TokenPair):
            return TokensOut.of(outcome, clock.now())
        return TwoFactorChallengeOut.of(outcome)

    @post(
        "/refresh",
        status_code=HTTP_200_OK,
        opt=PUBLIC_SENSITIVE,
        cache_control=NO_STORE,
        summary="Rotate a refresh token into a new token pair",
    )
    async def refresh(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RefreshIn],
        refresh: FromDishka[RefreshTokens],
        clock: FromDishka[Clock],
    ) -> TokensOut:
        client = Client(address_of(request), request.headers.get("user-agent"))
        return TokensOut.of(await refresh(data.refresh_token, client), clock.now())

    @post(
        "/logout",
        status_code=HTTP_204_NO_CONTENT,
        security=SECURITY,
        opt=CONSENT_EXEMPT,
        summary="Revoke the access token in use and the refresh token's family",
    )
    async def logout(
        self, caller: FromDishka[Caller], log_out: FromDishka[LogOut], data: JSONBody[LogoutIn | None] = None
    ) -> None:
        await log_out(caller.claims, data.refresh_token if data else None)
