"""One :class:`OutgoingEmail` as a MIME message (text and HTML alternatives), shared by both senders."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from skillbridge.application.ports.email_sender import OutgoingEmail


def mime_message(message: OutgoingEmail, sender: str) -> EmailMessage:
    """``message`` from ``sender``, with a date and a message id, text first so plain clients show it."""
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(localtime=False)
    mime["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or "localhost")
    for name, value in message.headers:
        mime[name] = value
    mime.set_content(message.text)
    mime.add_alternative(message.html, subtype="html")
    return mime
