"""Reading the mail the app sent: from the outbox directory, or as an SMTP server received it."""

from __future__ import annotations

import asyncio
import email.errors
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote

_TOKEN_IN_LINK = re.compile(r"\?token=([A-Za-z0-9_%\-]+)")


def parse(data: bytes) -> EmailMessage:
    return cast(EmailMessage, message_from_bytes(data, policy=policy.default))


#: Each outbox file parsed once: a module that shares one outbox across hundreds of registrations (the fuzzing
#: tests) would otherwise parse every earlier mail again for each new one. A file is written once and never
#: changed, so its path, size and time name its content.
_PARSED: dict[tuple[str, int, int], EmailMessage] = {}


def _parsed(file: Path) -> EmailMessage:
    status = file.stat()
    key = (str(file), status.st_size, status.st_mtime_ns)
    message = _PARSED.get(key)
    if message is None:
        message = _PARSED[key] = parse(file.read_bytes())
    return message


def outbox(directory: Path | str) -> list[EmailMessage]:
    """Every message in the outbox, oldest first (the file names start with the time they were written)."""
    path = Path(directory)
    if not path.exists():
        return []
    return [_parsed(file) for file in sorted(path.glob("*.eml"))]


def mails_to(directory: Path | str, address: str) -> list[EmailMessage]:
    return [message for message in outbox(directory) if _recipient(message) == address]


def _recipient(message: EmailMessage) -> str | None:
    """The To header, or None when it does not parse (a fuzzer registers with any address it draws)."""
    try:
        return str(message["To"])
    except (IndexError, ValueError, email.errors.HeaderParseError):
        return None


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no text part"
    # SMTP carries lines ending in CRLF; the outbox keeps them as written.
    return cast(str, cast(EmailMessage, part).get_content()).replace("\r\n", "\n")


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "the message has no HTML part"
    return cast(str, cast(EmailMessage, part).get_content()).replace("\r\n", "\n")


def token_in(message: EmailMessage) -> str:
    """The token of the link in the message's text, as a reader's browser would send it."""
    found = _TOKEN_IN_LINK.search(text_of(message))
    assert found is not None, "the message carries no link with a token"
    return unquote(found.group(1))


async def verify_from_outbox(client: Any, directory: Path | str, email: str, wait_seconds: float = 30.0) -> None:
    """Wait for the verification mail to ``email`` (a worker may send it), then follow its token with
    ``client`` (an ``httpx.AsyncClient`` on the API)."""
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while True:
        mails = [m for m in mails_to(directory, email) if "/verify-email?token=" in text_of(m)]
        if mails:
            break
        assert asyncio.get_running_loop().time() < deadline, f"no verification mail to {email}"
        await asyncio.sleep(0.1)
    response = await client.post("/api/v1/auth/email/verify", json={"token": token_in(mails[-1])})
    assert response.status_code == 204, response.text
