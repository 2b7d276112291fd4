"""/api/v1/integrations/github/webhook and /api/v1/auth/github: GitHub's signed webhooks and GitHub login."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

import structlog
from dishka import AsyncContainer
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_302_FOUND, HTTP_503_SERVICE_UNAVAILABLE

from skillbridge.adapters.http.access import NO_STORE, PUBLIC, PUBLIC_SENSITIVE, PUBLIC_UNMETERED, address_of
from skillbridge.adapters.http.problems import problem_responses
from skillbridge.adapters.http.schemas.accounts import TokensOut
from skillbridge.adapters.http.schemas.progress import GithubLoginOut, WebhookAck
from skillbridge.application.accounts.github_login import CompleteGithubLogin, StartGithubLogin
from skillbridge.application.jobs.names import JobName
from skillbridge.application.jobs.submitting import SubmitJob
from skillbridge.application.ports.clock import Clock
from skillbridge.application.progress.webhook_guard import WebhookGuard
from skillbridge.application.progress.webhooks import Outcome, ReceiveGithubDelivery
from skillbridge.domain.errors import DomainError, Unauthenticated

#: GitHub caps webhook payloads at 25 MB; the rest of the API keeps the smaller global limit. Only a delivery
#: with a well-formed signature header from an address that has not failed too often gets its body read.
WEBHOOK_MAX_BODY_BYTES = 25 * 1024 * 1024

logger = structlog.get_logger("skillbridge.github")


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
        "user:email), or redirects to it (302) with `?redirect=true`. 503 when GitHub login is not configured.",
    )
    async def login(
        self,
        start: FromDishka[StartGithubLogin],
        redirect: Annotated[bool, QueryParameter(description="answer 302 to GitHub instead of JSON")] = False,
        accepted_terms_version: Annotated[
            str | None,
            QueryParameter(
                max_length=40, description="the terms version in force, accepted (a new account starts with it)"
            ),
        ] = None,
    ) -> Response[GithubLoginOut] | Redirect:
        url = await start(accepted_terms_version)
        if redirect:
            return Redirect(url)
        return Response(GithubLoginOut(authorization_url=url))

    @get(
        "/callback",
        opt=PUBLIC,
        cache_control=NO_STORE,
        summary="GitHub's redirect back: sign in (or sign up as a learner) and get tokens",
        description="400 when `state` is missing, unknown, expired or used; 401 when GitHub refuses the code. "
        "Accounts are matched by GitHub's numeric user id only. Answers like POST /auth/login.",
    )
    async def callback(
        self,
        complete: FromDishka[CompleteGithubLogin],
        clock: FromDishka[Clock],
        oauth_state: Annotated[str | None, QueryParameter(name="state", max_length=256)] = None,
        code: Annotated[str | None, QueryParameter(max_length=256)] = None,
        error: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> TokensOut:
        if error is not None:
            # Still spend the state: a refused login must not leave a usable one behind.
            with contextlib.suppress(DomainError):  # the refusal below is the answer either way
                await complete(oauth_state, None)
            raise Unauthenticated(f"GitHub login was not granted ({error})")
        pair, _ = await complete(oauth_state, code)
        return TokensOut.of(pair, clock.now())
