"""Account recovery and two-factor sign-in through the real server (``skillbridge serve`` in its own process):
the mail read from the outbox directory and from a real SMTP server, its token followed over HTTP, and a
second sign-in step with the codes a person would type."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_server_process import REQUEST_TIMEOUT_SECONDS, running_server
from tests.integration.helpers import PASSWORD, register_body
from tests.support.mail import mails_to, text_of, token_in, verify_from_outbox
from tests.support.smtp_server import smtp_server
from tests.support.two_factor import rfc6238

pytestmark = pytest.mark.asyncio

NEW_PASSWORD = "Another-Long-Passphrase-77"
MAIL_WAIT_SECONDS = 30.0


async def _sign_up(client: httpx.AsyncClient, email: str) -> None:
    response = await client.post("/api/v1/auth/register", json=register_body(email))
    assert response.status_code == 201, response.text


async def _login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/login", json={"email": email, "password": password})


async def _reset_mail(read: object, email: str) -> EmailMessage:
    """Wait (bounded) for the password-reset mail to ``email``; ``read`` lists the mail received so far."""
    deadline = asyncio.get_running_loop().time() + MAIL_WAIT_SECONDS
    while True:
        found = [mail for mail in read() if "/reset-password?token=" in text_of(mail)]  # type: ignore[operator]
        if found:
            return found[-1]
        assert asyncio.get_running_loop().time() < deadline, f"no reset mail to {email}"
        await asyncio.sleep(0.1)


async def _recover(client: httpx.AsyncClient, email: str, read: object) -> None:
    """Forget the password, follow the mailed token, and check which passwords open the account then."""
    assert (await client.post("/api/v1/auth/password/forgot", json={"email": email})).status_code == 202
    token = token_in(await _reset_mail(read, email))
    reset = await client.post("/api/v1/auth/password/reset", json={"token": token, "new_password": NEW_PASSWORD})
    assert reset.status_code == 204, reset.text
    again = await client.post("/api/v1/auth/password/reset", json={"token": token, "new_password": PASSWORD})
    assert again.status_code == 400  # single use
    assert (await _login(client, email, PASSWORD)).status_code == 401
    assert (await _login(client, email, NEW_PASSWORD)).status_code == 200


async def test_a_forgotten_password_is_reset_from_the_outbox_mail(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    async with (
        running_server(tmp_path) as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client,
    ):
        await _sign_up(client, "amara@example.org")
        await verify_from_outbox(client, outbox, "amara@example.org")
        await _recover(client, "amara@example.org", lambda: mails_to(outbox, "amara@example.org"))


async def test_a_forgotten_password_is_reset_from_the_mail_an_smtp_server_received(tmp_path: Path) -> None:
    with smtp_server("none") as relay:
        async with (
            running_server(tmp_path, smtp_url=f"smtp://127.0.0.1:{relay.port}?tls=none") as server,
            httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client,
        ):
            await _sign_up(client, "bayo@example.org")
            await _recover(client, "bayo@example.org", lambda: list(relay.received.messages))
        assert all(recipients == ["bayo@example.org"] for recipients in relay.received.recipients)
        assert len(relay.received.messages) == 2  # the welcome (verification) mail and the reset mail
    assert not (tmp_path / "outbox").exists()  # SMTP replaced the outbox


async def test_two_factor_sign_in_takes_a_second_step_with_a_code_or_a_recovery_code(tmp_path: Path) -> None:
    async with (
        running_server(tmp_path) as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client,
    ):
        await _sign_up(client, "chidi@example.org")
        first = await _login(client, "chidi@example.org", PASSWORD)
        headers = {"Authorization": f"Bearer {first.json()['access_token']}"}
        setup = await client.post("/api/v1/auth/2fa/setup", headers=headers)
        assert setup.status_code == 200, setup.text
        secret = setup.json()["secret"]
        code = rfc6238(secret, datetime.now(UTC))  # the server's clock is the machine's
        enabled = await client.post("/api/v1/auth/2fa/enable", headers=headers, json={"code": code})
        assert enabled.status_code == 200, enabled.text
        recovery_codes = enabled.json()["recovery_codes"]
        assert len(recovery_codes) == 10

        challenged = await _login(client, "chidi@example.org", PASSWORD)
        assert challenged.status_code == 200
        assert challenged.json()["two_factor_required"] is True
        assert "access_token" not in challenged.json()  # the password alone opens nothing now
        challenge = challenged.json()["challenge_token"]
        near_miss = f"{(int(rfc6238(secret, datetime.now(UTC))) + 1) % 1_000_000:06d}"
        wrong = await client.post("/api/v1/auth/2fa/verify", json={"challenge_token": challenge, "code": near_miss})
        assert wrong.status_code == 401
        # A recovery code stands in for the authenticator (a new time step need not be waited for).
        second = {"challenge_token": challenge, "code": recovery_codes[0]}
        signed_in = await client.post("/api/v1/auth/2fa/verify", json=second)
        assert signed_in.status_code == 200, signed_in.text
        me = await client.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        )
        assert me.status_code == 200 and me.json()["email"] == "chidi@example.org"

        again = await _login(client, "chidi@example.org", PASSWORD)
        reused = {"challenge_token": again.json()["challenge_token"], "code": recovery_codes[0]}
        assert (await client.post("/api/v1/auth/2fa/verify", json=reused)).status_code == 401  # spent


async def _bearer(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await _login(client, email, PASSWORD)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_a_notification_chosen_for_email_is_mailed_and_its_one_click_link_turns_it_off(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    preferences = "/api/v1/users/me/notification-preferences"
    async with (
        running_server(tmp_path) as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client,
    ):
        for email in ("amara@example.org", "bayo@example.org"):
            await _sign_up(client, email)
            await verify_from_outbox(client, outbox, email)
        amara, bayo = await _bearer(client, "amara@example.org"), await _bearer(client, "bayo@example.org")
        chosen = await client.patch(preferences, headers=amara, json={"types": {"forum_reply": "email"}})
        assert chosen.status_code == 200 and chosen.json()["types"]["forum_reply"] == "email"
        thread = {"category": "python", "title": "Reading CSV files", "content": "How do I read a CSV?"}
        created = await client.post("/api/v1/forum/posts", headers=amara, json=thread)
        assert created.status_code == 201, created.text
        reply = {"parent_id": created.json()["id"], "content": "With the csv module."}
        assert (await client.post("/api/v1/forum/posts", headers=bayo, json=reply)).status_code == 201

        deadline = asyncio.get_running_loop().time() + MAIL_WAIT_SECONDS
        while not (mailed := [m for m in mails_to(outbox, "amara@example.org") if m["List-Unsubscribe"]]):
            assert asyncio.get_running_loop().time() < deadline, "the reply was never mailed"
            await asyncio.sleep(0.1)
        [mail] = mailed
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = httpx.URL(str(mail["List-Unsubscribe"]).strip("<>"))
        assert link.path == "/api/v1/notifications/unsubscribe"
        # What a mail client does with the header: POST to it, without the reader's token.
        one_click = await client.post(link.path, params=link.params, content=b"List-Unsubscribe=One-Click")
        assert one_click.status_code == 204, one_click.text
        after = await client.get(preferences, headers=amara)
        assert after.json()["types"]["forum_reply"] == "in_app"
        assert mails_to(outbox, "bayo@example.org")  # control: bayo's own (verification) mail is there
        assert not [m for m in mails_to(outbox, "bayo@example.org") if m["List-Unsubscribe"]]  # and no reply mail
