"""EmailSender port: hand one composed message to the mail system (SMTP in production, an outbox embedded)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class OutgoingEmail:
    """One message, ready to send: both bodies are already rendered in the reader's language."""

    to: str
    subject: str
    text: str
    html: str
    #: Extra headers, such as ``List-Unsubscribe`` (RFC 8058) on mail the reader may turn off.
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)


class EmailSender(Protocol):
    """Send mail.

    ``send`` returns when the mail system has accepted the message (the SMTP server answered 250, or the
    outbox file is written). It raises :class:`~skillbridge.domain.errors.DependencyUnavailable` when it
    cannot, so the job that called it is retried.
    """

    async def send(self, message: OutgoingEmail) -> None: ...
