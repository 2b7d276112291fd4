"""The webhook's door: what is refused before a delivery's body is read, and failed signatures per address."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.domain.errors import TooManyAttempts, Unauthenticated
from skillbridge.domain.texts import N_
from skillbridge.domain.vcs.webhooks import is_signature_header

_REFUSED = N_("the webhook signature is missing or does not match")


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    """The webhook's shared secret (``SKILLBRIDGE_GITHUB_WEBHOOK_SECRET``; without it every delivery is refused),
    and how many refused deliveries one client address may send per window before it gets 429."""

    secret: str | None
    max_failures_per_address: int = 10
    failure_window_seconds: int = 900


def _key(address: str) -> str:
    # Hashed, like the login throttle's keys: addresses do not sit in the shared store in clear text.
    return f"webhook-failures:{hashlib.sha256(address.encode()).hexdigest()[:32]}"


class WebhookGuard:
    """Decides from the headers alone whether a delivery's body is worth reading, and counts refusals.

    Rules:
    - an address with ``max_failures_per_address`` refused deliveries in the current window is refused
      (TooManyAttempts, with the seconds left) before anything else, a valid signature included;
    - without a configured secret, or without a well-formed ``X-Hub-Signature-256`` (``sha256=`` and 64 hex
      digits), the delivery is refused (Unauthenticated) and counted against the address;
    - a signature that does not match the body is counted the same way (see :meth:`record_failure`).
    """

    def __init__(self, store: KeyValueStore, config: WebhookConfig) -> None:
        self._store = store
        self._config = config

    async def admit(self, signature: str | None, address: str) -> None:
        """Raise unless a delivery with this signature header, from this address, may be read."""
        key = _key(address)
        if await self._store.count(key) >= self._config.max_failures_per_address:
            retry_after = await self._store.seconds_left(key)
            raise TooManyAttempts(N_("too many refused webhook deliveries from this address"), retry_after=retry_after)
        if not self._config.secret or not is_signature_header(signature):
            await self.record_failure(address)
            raise Unauthenticated(_REFUSED)

    async def record_failure(self, address: str) -> None:
        """Count one refused delivery against ``address``."""
        await self._store.increment(_key(address), self._config.failure_window_seconds)
