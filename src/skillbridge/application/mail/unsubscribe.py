"""The tokens of one-click unsubscribe links (RFC 8058): signed, so nothing is stored per mail.

A token names the user and the list (``digest``) and carries an HMAC of both under a key of the server's
own: it cannot be made up, and it works for every digest ever mailed to that user (a mail read late still
unsubscribes). It grants nothing but turning that mail off.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from uuid import UUID

DIGEST_LIST = "digest"


class UnsubscribeTokens:
    """Make and check unsubscribe tokens under ``key``."""

    def __init__(self, key: bytes) -> None:
        self._key = hashlib.sha256(b"skillbridge-unsubscribe\x00" + key).digest()  # a key for this use only

    def token_for(self, user_id: UUID, list_name: str = DIGEST_LIST) -> str:
        return f"{user_id.hex}.{list_name}.{self._signature(user_id.hex, list_name)}"

    def user_of(self, token: str, list_name: str = DIGEST_LIST) -> UUID | None:
        """The user ``token`` was made for on ``list_name``; ``None`` for anything else."""
        user_hex, _, rest = token.partition(".")
        name, _, signature = rest.partition(".")
        if name != list_name or not hmac.compare_digest(signature, self._signature(user_hex, name)):
            return None
        try:
            return UUID(hex=user_hex)
        except ValueError:
            return None

    def _signature(self, user_hex: str, list_name: str) -> str:
        mac = hmac.new(self._key, f"{user_hex}.{list_name}".encode(), hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(mac).decode("ascii")
