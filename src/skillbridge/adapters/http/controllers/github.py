"""/api/v1/integrations/github/webhook and /api/v1/auth/github: GitHub's signed webhooks and GitHub login."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from dishka import AsyncContainer
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import Cookie
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_302_FOUND, HTTP_503_SERVICE_UNAVAILABLE

from skillbridge.adapters.http.access import NO_STORE, PUBLIC, PUBLIC_SENSITIVE, PUBLIC_UNMETERED, address_of
from skillbridge.adapters.http.problems import problem_responses
from skillbridge.adapters.http.schemas.accounts import TokensOut
from skillbridge.adapters.http.schemas.progress import GithubLoginOut, WebhookAck
from skillbridge.adapters.http.schemas.two_factor import TwoFactorChallengeOut
from skillbridge.application.accounts.github_login import (
    CompleteGithubLogin,
    GithubLoginConfig,
    GithubLoginStart,
    StartGithubLogin,
)
from skillbridge.application.accounts.token_pair import TokenPair
from skillbridge.application.jobs.names import JobName
from skillbridge.application.jobs.submitting import SubmitJob
from skillbridge.application.ports.clock import Clock
from skillbridge.application.progress.webhook_guard import WebhookGuard
from skillbridge.application.progress.webhooks import Outcome, ReceiveGithubDelivery

#: GitHub caps webhook payloads at 25 MB; the rest of the API keeps the smaller global limit. Only a delivery
#: with a well-formed signature header from an address that has not failed too often gets its body read.
WEBHOOK_MAX_BODY_BYTES = 25 * 1024 * 1024

logger = structlog.get_logger("skillbridge.github")

#: The cookie that binds a GitHub login to the browser that started it (sent to the login routes only).
LOGIN_COOKIE = "skillbridge_github_login"
_LOGIN_COOKIE_PATH = "/api/v1/auth/github"


def _login_cookie(start: GithubLoginStart, config: GithubLoginConfig) -> Cookie:
    # Lax, not Strict: the callback is a top-level navigation from github.com, which Strict would strip.
    return Cookie(
        key=LOGIN_COOKIE,
        value=start.browser_nonce,
        path=_LOGIN_COOKIE_PATH,
        max_age=config.state_ttl_seconds,
        httponly=True,
        secure=config.secure_cookie,
        samesite="lax",
    )


async def queue_processing(container: AsyncContainer, delivery_id: str) -> None:
    """Queue the delivery's processing job, after the response went out (GitHub wants an answer within
    10 s). Embedded, the job runs right here; with Redis, a worker runs it. A queue that is down leaves
    the job recorded as failed, for an admin to retry."""
    try:
        async with container() as scope:
            submit = await scope.get(SubmitJob)
            await submit(JobName.PROCESS_GITHUB_DELIVERY, {"delivery_id": delivery_id})
    except Exception:
        logger.exception("webhook_job_not_submitted", delivery_id=delivery_id)


class GithubWebhookController(Controller):
    path = "/integrations/github"
    tags = ["integrations"]

    @post(
        "/webhook",
        status_code=HTTP_202_ACCEPTED,
        opt=PUBLIC_UNMETERED,  # signed deliveries from GitHub's few addresses, in bursts
        request_max_body_size=WEBHOOK_MAX_BODY_BYTES,
        responses={HTTP_200_OK: ResponseSpec(WebhookAck, description="a ping, answered", generate_examples=False)},
        summary="GitHub webhook deliveries (signed with X-Hub-Signature-256)",
        description="401 without a valid signature (nothing stored; without the header the body is not even "
        "read). 429 with Retry-After once an address sent too many refused deliveries. ping: 200. push: stored "
        "and 202, processed after the answer; a redelivery (same X-GitHub-Delivery) is 202 `duplicate` and not "
        "processed again. Other events and actions: 202 `ignored`. Signed bodies up to 25 MB.",
    )
    async def webhook(
        self,
        request: Request[Any, Any, Any],
        guard: FromDishka[WebhookGuard],
        receive: FromDishka[ReceiveGithubDelivery],
    ) -> Response[WebhookAck]:
        headers = request.headers
        signature = headers.get("x-hub-signature-256")
        address = address_of(request)
        await guard.admit(signature, address)  # before the body: an unsigned 25 MB is refused unread
        body = await request.body()
        receipt = await receive(
            headers.get("x-github-delivery"), headers.get("x-github-event"), signature, body, address
        )
        background = None
        if receipt.outcome is Outcome.QUEUED:
            background = BackgroundTask(queue_processing, request.app.state.dishka_container, receipt.delivery_id)
        return Response(
            WebhookAck(delivery_id=receipt.delivery_id, event=receipt.event, status=receipt.outcome.value),
            status_code=HTTP_200_OK if receipt.outcome is Outcome.PONG else HTTP_202_ACCEPTED,
            background=background,
        )


class GithubAuthController(Controller):
    path = "/auth/github"
    tags = ["auth"]

    @get(
        "/login",
        opt=PUBLIC_SENSITIVE,
        responses={
            HTTP_302_FOUND: ResponseSpec(None, description="to GitHub's authorization page (?redirect=true)"),
            **problem_responses(HTTP_503_SERVICE_UNAVAILABLE),
        },
        summary="Start signing in with GitHub",
        description="Returns the GitHub authorization URL (state and PKCE S256; scopes read:user and "
        "user:email), or redirects to it (302) with `?redirect=true`, and sets the HttpOnly cookie "
        f"`{LOGIN_COOKIE}` that the callback needs: finish the login in the browser that started it. "
        "503 when GitHub login is not configured.",
    )
    async def login(
        self,
        start: FromDishka[StartGithubLogin],
        config: FromDishka[GithubLoginConfig],
        redirect: Annotated[bool, QueryParameter(description="answer 302 to GitHub instead of JSON")] = False,
        accepted_terms_version: Annotated[
            str | None,
            QueryParameter(
                max_length=40, description="the terms version in force, accepted (a new account starts with it)"
            ),
        ] = None,
    ) -> Response[GithubLoginOut] | Redirect:
        started = await start(accepted_terms_version)
        cookie = _login_cookie(started, config)
        if redirect:
            return Redirect(started.authorization_url, cookies=[cookie])
        return Response(GithubLoginOut(authorization_url=started.authorization_url), cookies=[cookie])

    @get(
        "/callback",
        opt=PUBLIC,
        cache_control=NO_STORE,
        summary="GitHub's redirect back: sign in (or sign up as a learner) and get tokens",
        description="400 (field `state`) when `state` is missing, unknown, expired or used, or when the "
        f"browser lacks the `{LOGIN_COOKIE}` cookie its login started with; 401 when GitHub refuses the code, "
        "and 401 of type `github-login-refused` when GitHub answered `?error=` (never repeated back). The state "
        "is spent by the first callback either way. Accounts are matched by GitHub's numeric user id only. "
        "Answers like POST /auth/login (a challenge for POST /auth/2fa/verify when two-factor is on), and "
        "clears the cookie.",
    )
    async def callback(
        self,
        request: Request[Any, Any, Any],
        complete: FromDishka[CompleteGithubLogin],
        clock: FromDishka[Clock],
        oauth_state: Annotated[str | None, QueryParameter(name="state", max_length=256)] = None,
        code: Annotated[str | None, QueryParameter(max_length=256)] = None,
        error: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Response[TokensOut | TwoFactorChallengeOut]:
        nonce = request.cookies.get(LOGIN_COOKIE)
        outcome, _ = await complete(oauth_state, code, nonce, refused=error is not None)
        body = (
            TokensOut.of(outcome, clock.now()) if isinstance(outcome, TokenPair) else TwoFactorChallengeOut.of(outcome)
        )
        response: Response[TokensOut | TwoFactorChallengeOut] = Response(body)
        response.delete_cookie(LOGIN_COOKIE, path=_LOGIN_COOKIE_PATH)
        return response
