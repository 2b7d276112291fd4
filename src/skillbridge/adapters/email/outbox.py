"""The embedded mail sender: each message becomes an ``.eml`` file a developer can open in any mail client."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

from skillbridge.adapters.email.mime import mime_message
from skillbridge.application.ports.email_sender import EmailSender, OutgoingEmail
from skillbridge.domain.errors import DependencyUnavailable
from skillbridge.domain.texts import N_


class OutboxEmailSender(EmailSender):
    """:class:`EmailSender` into a directory: ``<UTC time>-<random>.eml``, one file per message.

    A file is written under a temporary name and renamed, so a reader (a test, a developer's watcher)
    never sees half a message.
    """

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory = directory
        self._sender = sender

    async def send(self, message: OutgoingEmail) -> None:
        data = mime_message(message, self._sender).as_bytes()
        try:
            await asyncio.to_thread(self._write, data)
        except OSError as exc:
            raise DependencyUnavailable(
                N_("the outbox {directory} cannot be written"), params={"directory": str(self.directory)}
            ) from exc

    def _write(self, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid4().hex[:8]}.eml"
        partial = self.directory / f".{name}.part"
        partial.write_bytes(data)
        os.replace(partial, self.directory / name)
