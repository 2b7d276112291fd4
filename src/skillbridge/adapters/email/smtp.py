"""Sending mail over SMTP with aiosmtplib.

The server comes from one URL:

- ``smtp://user:password@host:587`` — STARTTLS (the connection is upgraded before anything is sent; a
  server that does not offer it is refused);
- ``smtps://user:password@host:465`` — TLS from the first byte;
- ``smtp://host:25?tls=none`` — no TLS at all, for a relay on the same machine only.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from skillbridge.adapters.email.mime import mime_message
from skillbridge.application.ports.email_sender import EmailSender, OutgoingEmail
from skillbridge.domain.errors import DependencyUnavailable
from skillbridge.domain.texts import N_


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where and how to reach the SMTP server (see the module docs for the URL forms)."""

    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("an SMTP URL is smtp://[user:password@]host[:port] or smtps://...")
        implicit = parts.scheme == "smtps"
        tls = parse_qs(parts.query).get("tls", ["starttls"])[-1]
        if tls not in {"starttls", "none"}:
            raise ValueError("the tls parameter of an SMTP URL is starttls or none")
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit else 587),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            implicit_tls=implicit,
            starttls=not implicit and tls == "starttls",
        )


class SmtpEmailSender(EmailSender):
    """:class:`EmailSender` over SMTP: one connection per message (mail is sent from jobs, a few a minute)."""

    def __init__(
        self,
        server: SmtpServer,
        sender: str,
        *,
        timeout_seconds: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._server = server
        self._sender = sender
        self._timeout = timeout_seconds
        # Certificates are verified against the system's roots unless a context says otherwise (tests).
        self._tls_context = tls_context or ssl.create_default_context()

    async def send(self, message: OutgoingEmail) -> None:
        server = self._server
        try:
            await aiosmtplib.send(
                mime_message(message, self._sender),
                hostname=server.host,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.implicit_tls,
                start_tls=server.starttls,
                tls_context=self._tls_context,
                timeout=self._timeout,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DependencyUnavailable(
                N_("the SMTP server {host}:{port} did not take the mail"),
                params={"host": server.host, "port": server.port},
            ) from exc
