"""The tokens of one-click unsubscribe links (RFC 8058): signed, so nothing is stored per mail.

A token names the user and the list (``digest``, or ``type-<notification type>`` for the mail sent at once
for one type) and carries an HMAC of both under a key of the server's own: it cannot be made up, and it
works for every mail of that list ever sent to that user (a mail read late still unsubscribes). It grants
nothing but turning that mail off.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from uuid import UUID

from skillbridge.domain.notifications.model import NotificationType

DIGEST_LIST = "digest"
_TYPE_PREFIX = "type-"


def type_list(kind: NotificationType) -> str:
    """The list of the mails sent at once for notifications of ``kind``."""
    return _TYPE_PREFIX + kind.value


def type_of_list(list_name: str) -> NotificationType | None:
    """The notification type whose list ``list_name`` is, else ``None``."""
    if not list_name.startswith(_TYPE_PREFIX):
        return None
    try:
        return NotificationType(list_name.removeprefix(_TYPE_PREFIX))
    except ValueError:
        return None


class UnsubscribeTokens:
    """Make and check unsubscribe tokens under ``key``."""

    def __init__(self, key: bytes) -> None:
        self._key = hashlib.sha256(b"skillbridge-unsubscribe\x00" + key).digest()  # a key for this use only

    def token_for(self, user_id: UUID, list_name: str = DIGEST_LIST) -> str:
        return f"{user_id.hex}.{list_name}.{self._signature(user_id.hex, list_name)}"

    def read(self, token: str) -> tuple[UUID, str] | None:
        """The user and list ``token`` was made for; ``None`` for a token this key did not sign."""
        user_hex, _, rest = token.partition(".")
        name, _, signature = rest.partition(".")
        if not hmac.compare_digest(signature, self._signature(user_hex, name)):
            return None
        try:
            return UUID(hex=user_hex), name
        except ValueError:
            return None

    def _signature(self, user_hex: str, list_name: str) -> str:
        mac = hmac.new(self._key, f"{user_hex}.{list_name}".encode(), hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(mac).decode("ascii")
