"""A real SMTP server for the tests (aiosmtpd), with STARTTLS, TLS from the first byte, or no TLS, and
optional login. It keeps every message it accepted."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Literal

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from tests.support.mail import parse

USERNAME, PASSWORD = "mailer", "s3cret-relay"
Tls = Literal["starttls", "implicit", "none"]


@dataclass
class Received:
    """What the server accepted: the envelope and the parsed message, in order."""

    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


class _Recorder:
    def __init__(self, received: Received) -> None:
        self._received = received

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's name
        assert isinstance(envelope.content, bytes)
        self._received.messages.append(parse(envelope.content))
        self._received.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@dataclass
class SmtpTestServer:
    port: int
    received: Received
    #: A client context that trusts the server's certificate (issued by a throwaway CA for 127.0.0.1).
    client_tls: ssl.SSLContext


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(tls: Tls = "starttls", *, login: bool = False) -> Iterator[SmtpTestServer]:
    """Run a server on a free loopback port until the block ends."""
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(server_tls)
    client_tls = ssl.create_default_context()
    authority.configure_trust(client_tls)
    received = Received()

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        good = isinstance(data, LoginPassword) and (data.login, data.password) == (USERNAME.encode(), PASSWORD.encode())
        if good:
            received.logins.append(USERNAME)
        return AuthResult(success=good)

    options: dict[str, Any] = {}
    if tls == "starttls":
        options |= {"tls_context": server_tls, "require_starttls": True}
    elif tls == "implicit":
        options |= {"ssl_context": server_tls}
    if login:
        options |= {"authenticator": authenticate, "auth_required": True}
    controller = Controller(_Recorder(received), hostname="127.0.0.1", port=_free_port(), **options)
    controller.start()
    try:
        yield SmtpTestServer(controller.port, received, client_tls)
    finally:
        controller.stop()
