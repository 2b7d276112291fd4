"""TOTP codes computed by hand from RFC 6238 (never by the code under test), and turning two-factor on."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from datetime import datetime
from typing import Any


def rfc6238(secret: str, at: datetime, *, steps_off: int = 0) -> str:
    """The six-digit TOTP code (SHA-1, 30 s) of base32 ``secret`` at ``at``: RFC 6238 over RFC 4226."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int(at.timestamp()) // 30 + steps_off
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


async def turn_on_two_factor(client: Any, headers: dict[str, str], at: datetime) -> tuple[str, list[str]]:
    """Set up and enable two-factor for the caller of ``headers`` with a code of ``at`` (the app's time);
    return the secret and the recovery codes. The caller's session keeps working, with admin powers."""
    setup = await client.post("/api/v1/auth/2fa/setup", headers=headers)
    assert setup.status_code == 200, setup.text
    secret: str = setup.json()["secret"]
    enabled = await client.post("/api/v1/auth/2fa/enable", headers=headers, json={"code": rfc6238(secret, at)})
    assert enabled.status_code == 200, enabled.text
    codes: list[str] = enabled.json()["recovery_codes"]
    return secret, codes
