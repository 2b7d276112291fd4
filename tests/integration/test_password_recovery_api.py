"""Password reset by mail and password change, end to end through the outbox and a real SMTP server:
each test reads the mail the app sent and follows its token, then tries to break the rule."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from skillbridge.adapters.system.clock import MutableClock
from skillbridge.main import Settings
from tests.integration.helpers import PASSWORD, Api, admin_headers
from tests.support.apps import build_test_app
from tests.support.mail import mails_to, text_of, token_in
from tests.support.smtp_server import smtp_server

pytestmark = pytest.mark.asyncio
FORGOT, RESET, CHANGE = "/api/v1/auth/password/forgot", "/api/v1/auth/password/reset", "/api/v1/auth/password/change"
NEW_PASSWORD = "baobab-at-dawn-1987"


def _outbox(api: Api) -> Path:
    return Path(api.settings.email_outbox)


def _resets(api: Api, email: str) -> list[EmailMessage]:
    """The password-reset mails to ``email`` in the outbox (the verification mail of sign-up left out)."""
    return [mail for mail in mails_to(_outbox(api), email) if "/reset-password?token=" in text_of(mail)]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _reset_token(api: Api, email: str) -> str:
    response = await api.client.post(FORGOT, json={"email": email})
    assert response.status_code == 202, response.text
    return token_in(_resets(api, email)[-1])


async def test_forgot_answers_202_and_mails_only_an_existing_account(api: Api) -> None:
    await api.register("amara@example.org")

    known = await api.client.post(FORGOT, json={"email": "  Amara@Example.org "})
    unknown = await api.client.post(FORGOT, json={"email": "nobody@example.org"})

    assert (known.status_code, unknown.status_code) == (202, 202)
    assert known.content == unknown.content
    assert known.json() == {"detail": "if an account has this address, a reset mail is on its way"}
    [mail] = _resets(api, "amara@example.org")
    assert mail["Subject"] == "Reset your SkillBridge password"
    assert "List-Unsubscribe" not in mail  # account mail cannot be turned off
    assert mails_to(_outbox(api), "nobody@example.org") == []


async def test_a_malformed_address_is_a_422_naming_the_field(api: Api) -> None:
    response = await api.client.post(FORGOT, json={"email": "not-an-address"})

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == "email"


async def test_reset_sets_the_password_and_ends_every_session(api: Api) -> None:
    await api.register("amara@example.org")
    phone, laptop = await api.login("amara@example.org"), await api.login("amara@example.org")
    token = await _reset_token(api, "amara@example.org")

    response = await api.client.post(RESET, json={"token": token, "new_password": NEW_PASSWORD})

    assert response.status_code == 204
    assert (await api.login_response("amara@example.org", PASSWORD)).status_code == 401
    assert (await api.login_response("amara@example.org", NEW_PASSWORD)).status_code == 200
    for session in (phone, laptop):
        me = await api.client.get("/api/v1/users/me", headers=_bearer(session["access_token"]))
        assert me.status_code == 401
        refreshed = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]})
        assert refreshed.status_code == 401


async def test_a_reset_token_works_once(api: Api) -> None:
    await api.register("amara@example.org")
    token = await _reset_token(api, "amara@example.org")
    assert (await api.client.post(RESET, json={"token": token, "new_password": NEW_PASSWORD})).status_code == 204

    again = await api.client.post(RESET, json={"token": token, "new_password": "another-long-phrase-77"})

    assert again.status_code == 400
    assert again.json()["field"] == "token"
    assert (await api.login_response("amara@example.org", NEW_PASSWORD)).status_code == 200


async def test_an_unknown_token_is_a_400(api: Api) -> None:
    response = await api.client.post(RESET, json={"token": "made-up", "new_password": NEW_PASSWORD})

    assert response.status_code == 400
    assert response.json()["field"] == "token"


async def test_a_token_mailed_before_a_password_change_is_dead_after_it(api: Api) -> None:
    await api.register("amara@example.org")
    first = await _reset_token(api, "amara@example.org")
    second = await _reset_token(api, "amara@example.org")
    assert (await api.client.post(RESET, json={"token": second, "new_password": NEW_PASSWORD})).status_code == 204

    stale = await api.client.post(RESET, json={"token": first, "new_password": "another-long-phrase-77"})

    assert stale.status_code == 400
    assert stale.json()["field"] == "token"


@pytest.mark.parametrize(
    ("new_password", "field"),
    [("short", "new_password"), ("password123", "new_password"), ("amara@example.org", "new_password")],
)
async def test_reset_applies_the_registration_rules_and_keeps_the_token(
    api: Api, new_password: str, field: str
) -> None:
    await api.register("amara@example.org")
    token = await _reset_token(api, "amara@example.org")

    refused = await api.client.post(RESET, json={"token": token, "new_password": new_password})

    assert refused.status_code == 422
    assert refused.json()["field"] == field
    # the refusal did not spend the token
    assert (await api.client.post(RESET, json={"token": token, "new_password": NEW_PASSWORD})).status_code == 204


async def test_forgot_is_limited_per_account(api: Api) -> None:
    await api.register("amara@example.org")

    answers = [(await api.client.post(FORGOT, json={"email": "amara@example.org"})).status_code for _ in range(5)]

    assert answers == [202] * 5
    assert len(_resets(api, "amara@example.org")) == 3  # SKILLBRIDGE_PASSWORD_RESETS_PER_ACCOUNT_PER_HOUR


async def test_forgot_is_limited_per_address(api: Api) -> None:
    for number in range(10):
        assert (await api.client.post(FORGOT, json={"email": f"stranger{number}@example.org"})).status_code == 202
    await api.register("amara@example.org")

    over = await api.client.post(FORGOT, json={"email": "amara@example.org"})

    assert over.status_code == 202
    assert _resets(api, "amara@example.org") == []  # the 11th request from this address mailed nothing


async def test_the_mail_is_in_the_profile_language_else_the_browsers(api: Api) -> None:
    await api.register("awa@example.org", languages=["fr", "wo"])
    await api.register("kofi@example.org", languages=["tw"])
    await api.register("zola@example.org", languages=["zu"])

    await api.client.post(FORGOT, json={"email": "awa@example.org"}, headers={"Accept-Language": "en"})
    await api.client.post(FORGOT, json={"email": "kofi@example.org"}, headers={"Accept-Language": "fr-CI, en;q=0.5"})
    await api.client.post(FORGOT, json={"email": "zola@example.org"}, headers={"Accept-Language": "zu"})

    subjects = {
        email: _resets(api, email)[0]["Subject"]
        for email in ("awa@example.org", "kofi@example.org", "zola@example.org")
    }
    assert subjects == {
        "awa@example.org": "Réinitialisez votre mot de passe SkillBridge",
        "kofi@example.org": "Réinitialisez votre mot de passe SkillBridge",
        "zola@example.org": "Reset your SkillBridge password",
    }


async def test_change_needs_the_current_password_and_ends_the_other_sessions(api: Api) -> None:
    await api.register("amara@example.org")
    here, elsewhere = await api.login("amara@example.org"), await api.login("amara@example.org")

    wrong = await api.client.post(
        CHANGE,
        json={"current_password": "not-my-password", "new_password": NEW_PASSWORD},
        headers=_bearer(here["access_token"]),
    )
    assert wrong.status_code == 422
    assert wrong.json()["field"] == "current_password"
    assert (await api.client.get("/api/v1/users/me", headers=_bearer(elsewhere["access_token"]))).status_code == 200

    changed = await api.client.post(
        CHANGE, json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers=_bearer(here["access_token"])
    )

    assert changed.status_code == 204
    assert (await api.client.get("/api/v1/users/me", headers=_bearer(here["access_token"]))).status_code == 200
    assert (
        await api.client.post("/api/v1/auth/refresh", json={"refresh_token": here["refresh_token"]})
    ).status_code == 200
    assert (await api.client.get("/api/v1/users/me", headers=_bearer(elsewhere["access_token"]))).status_code == 401
    gone = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": elsewhere["refresh_token"]})
    assert gone.status_code == 401
    assert (await api.login_response("amara@example.org", PASSWORD)).status_code == 401
    assert (await api.login_response("amara@example.org", NEW_PASSWORD)).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"current_password": PASSWORD, "new_password": "password123"}, "new_password"),
        ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
        ({"current_password": PASSWORD}, "new_password"),
        ({"new_password": NEW_PASSWORD}, "current_password"),
    ],
)
async def test_bad_changes_name_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    headers = await api.token_for("amara@example.org")

    response = await api.client.post(CHANGE, json=body, headers=headers)

    assert response.status_code == 422
    assert response.json()["field"] == field


async def test_guessing_the_current_password_is_throttled_like_login(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    body = {"current_password": "guess-number-one", "new_password": NEW_PASSWORD}

    answers = [(await api.client.post(CHANGE, json=body, headers=headers)).status_code for _ in range(7)]

    assert answers == [422] * 6 + [429]  # five free attempts, one after the first delay, then a wait


@pytest.fixture
def smtp_api_settings(make_settings: Callable[..., Settings]) -> Callable[..., Settings]:
    return make_settings


async def test_reset_end_to_end_over_smtp(smtp_api_settings: Callable[..., Settings]) -> None:
    with smtp_server("none") as server:
        settings = smtp_api_settings(smtp_url=f"smtp://127.0.0.1:{server.port}?tls=none")
        async with AsyncTestClient(app=build_test_app(settings)) as client:
            api = Api(client=client, clock=MutableClock(), settings=settings)
            await api.register("amara@example.org", verify=False)  # its verification mail went over SMTP too

            assert (await client.post(FORGOT, json={"email": "amara@example.org"})).status_code == 202
            [welcome, mail] = server.received.messages
            assert "/verify-email?token=" in text_of(welcome)
            assert server.received.recipients == [["amara@example.org"]] * 2
            assert "within 30 minutes" in text_of(mail)
            reset = await client.post(RESET, json={"token": token_in(mail), "new_password": NEW_PASSWORD})

            assert reset.status_code == 204
            assert (await api.login_response("amara@example.org", NEW_PASSWORD)).status_code == 200
            assert not _outbox(api).exists()  # SMTP replaced the outbox


async def test_a_mail_that_cannot_be_sent_ends_in_failed_jobs_without_its_token(
    make_settings: Callable[..., Settings],
) -> None:
    with smtp_server("none") as server:
        closed_port = server.port
    settings = make_settings(smtp_url=f"smtp://127.0.0.1:{closed_port}?tls=none", jobs_max_attempts=1)
    async with AsyncTestClient(app=build_test_app(settings)) as client:
        api = Api(client=client, clock=MutableClock(), settings=settings)
        await api.register("amara@example.org", verify=False)

        assert (await client.post(FORGOT, json={"email": "amara@example.org"})).status_code == 202

        failed = (await client.get("/api/v1/admin/jobs/failed", headers=await admin_headers(api))).json()["items"]
        failed = [job for job in failed if job["name"] == "mail_password_reset"]
        assert [job["arguments"] for job in failed] == [{"email": "amara@example.org", "languages": ""}]
        assert "DependencyUnavailable" in failed[0]["error"]
