"""Contract tests for the EmailSender port: the outbox and SMTP (against a real aiosmtpd server, over
STARTTLS, TLS from the first byte, and no TLS) deliver the same message; a sender that cannot deliver
raises DependencyUnavailable so its job is retried."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from skillbridge.adapters.email.outbox import OutboxEmailSender
from skillbridge.adapters.email.smtp import SmtpEmailSender, SmtpServer
from skillbridge.application.ports.email_sender import EmailSender, OutgoingEmail
from skillbridge.domain.errors import DependencyUnavailable
from tests.support.mail import html_of, outbox, text_of
from tests.support.smtp_server import PASSWORD, USERNAME, smtp_server

SENDER = "SkillBridge <no-reply@skillbridge.test>"
MESSAGE = OutgoingEmail(
    to="amara@example.org",
    subject="Réinitialisez votre mot de passe",
    text="Bonjour Amara,\nvoici le lien : https://app.example/reset?token=abc\n",
    html="<p>Bonjour <b>Amara</b></p>",
    headers=(
        ("List-Unsubscribe", "<https://app.example/u/1>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    ),
)

Harness = tuple[EmailSender, Callable[[], list[EmailMessage]]]


@pytest.fixture(params=["outbox", "smtp-starttls", "smtp-implicit-tls", "smtp-starttls-login"])
def sender(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    if request.param == "outbox":
        yield OutboxEmailSender(tmp_path / "outbox", SENDER), lambda: outbox(tmp_path / "outbox")
        return
    kind = request.param.removeprefix("smtp-")
    tls = "implicit" if kind == "implicit-tls" else "starttls"
    with smtp_server(tls, login=kind == "starttls-login") as server:
        url = {
            "starttls": f"smtp://127.0.0.1:{server.port}",
            "implicit-tls": f"smtps://127.0.0.1:{server.port}",
            "starttls-login": f"smtp://{USERNAME}:{PASSWORD}@127.0.0.1:{server.port}",
        }[kind]
        yield (
            SmtpEmailSender(SmtpServer.from_url(url), SENDER, timeout_seconds=5, tls_context=server.client_tls),
            lambda: server.received.messages,
        )


async def test_a_sent_message_arrives_whole(sender: Harness) -> None:
    send, received = sender

    await send.send(MESSAGE)

    [message] = received()
    assert message["To"] == "amara@example.org"
    assert message["From"] == SENDER
    assert message["Subject"] == "Réinitialisez votre mot de passe"
    assert message["List-Unsubscribe"] == "<https://app.example/u/1>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] is not None
    assert message["Date"] is not None
    assert text_of(message) == "Bonjour Amara,\nvoici le lien : https://app.example/reset?token=abc\n"
    assert html_of(message).strip() == "<p>Bonjour <b>Amara</b></p>"


async def test_messages_arrive_one_each_in_order(sender: Harness) -> None:
    send, received = sender

    for number in range(3):
        await send.send(OutgoingEmail(to=f"user{number}@example.org", subject=f"n{number}", text="t", html="<p>h</p>"))

    assert [m["Subject"] for m in received()] == ["n0", "n1", "n2"]


def _closed_port() -> int:
    with smtp_server("none") as server:
        return server.port


@pytest.mark.parametrize(
    "make",
    [
        pytest.param("unreachable", id="nothing listening"),
        pytest.param("blocked", id="outbox under a file"),
    ],
)
async def test_a_sender_that_cannot_deliver_raises_dependency_unavailable(make: str, tmp_path: Path) -> None:
    sender: EmailSender
    if make == "unreachable":
        url = f"smtp://127.0.0.1:{_closed_port()}?tls=none"
        sender = SmtpEmailSender(SmtpServer.from_url(url), SENDER, timeout_seconds=2)
    else:
        blocker = tmp_path / "a-file"
        blocker.write_text("not a directory")
        sender = OutboxEmailSender(blocker / "outbox", SENDER)
    with pytest.raises(DependencyUnavailable):
        await sender.send(MESSAGE)


async def test_starttls_is_required_when_asked_for() -> None:
    # A server without STARTTLS: the sender refuses to send in clear rather than falling back.
    with smtp_server("none") as server:
        send = SmtpEmailSender(
            SmtpServer.from_url(f"smtp://127.0.0.1:{server.port}"),
            SENDER,
            timeout_seconds=5,
            tls_context=server.client_tls,
        )
        with pytest.raises(DependencyUnavailable):
            await send.send(MESSAGE)
        assert server.received.messages == []
        # positive control: the same server takes the mail when TLS is not asked for
        plain = SmtpEmailSender(
            SmtpServer.from_url(f"smtp://127.0.0.1:{server.port}?tls=none"), SENDER, timeout_seconds=5
        )
        await plain.send(MESSAGE)
        assert len(server.received.messages) == 1


async def test_a_wrong_login_is_refused() -> None:
    with smtp_server("starttls", login=True) as server:
        url = f"smtp://{USERNAME}:wrong@127.0.0.1:{server.port}"
        send = SmtpEmailSender(SmtpServer.from_url(url), SENDER, timeout_seconds=5, tls_context=server.client_tls)
        with pytest.raises(DependencyUnavailable):
            await send.send(MESSAGE)
        assert server.received.messages == []
        # positive control: the right password logs in and the mail is taken
        good = SmtpServer.from_url(f"smtp://{USERNAME}:{PASSWORD}@127.0.0.1:{server.port}")
        await SmtpEmailSender(good, SENDER, timeout_seconds=5, tls_context=server.client_tls).send(MESSAGE)
        assert server.received.logins == [USERNAME]
        assert len(server.received.messages) == 1


async def test_an_untrusted_certificate_is_refused() -> None:
    with smtp_server("starttls") as server:
        send = SmtpEmailSender(SmtpServer.from_url(f"smtp://127.0.0.1:{server.port}"), SENDER, timeout_seconds=5)
        with pytest.raises(DependencyUnavailable):
            await send.send(MESSAGE)  # the system's roots do not know the test CA
        assert server.received.messages == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://relay.example:2525", SmtpServer("relay.example", 2525, None, None, implicit_tls=False, starttls=True)),
        ("smtp://relay.example", SmtpServer("relay.example", 587, None, None, implicit_tls=False, starttls=True)),
        (
            "smtps://u%40x:p%3Aw@mail.example",
            SmtpServer("mail.example", 465, "u@x", "p:w", implicit_tls=True, starttls=False),
        ),
        ("smtp://localhost:25?tls=none", SmtpServer("localhost", 25, None, None, implicit_tls=False, starttls=False)),
    ],
)
def test_smtp_urls(url: str, expected: SmtpServer) -> None:
    assert SmtpServer.from_url(url) == expected


@pytest.mark.parametrize("url", ["http://relay.example", "smtp://", "smtp://relay.example?tls=maybe"])
def test_bad_smtp_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="SMTP URL"):
        SmtpServer.from_url(url)
