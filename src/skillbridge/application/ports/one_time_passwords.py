"""TotpAlgorithm port: the arithmetic of time-based one-time passwords (RFC 6238)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

#: The seconds one code lasts (RFC 6238's default, which every authenticator app uses).
TOTP_PERIOD_SECONDS = 30


class TotpAlgorithm(Protocol):
    """Secrets and codes of TOTP with SHA-1, six digits and 30-second steps (what authenticator apps read)."""

    def new_secret(self) -> str:
        """Return a new random secret, base32-encoded (160 bits)."""
        ...

    def provisioning_uri(self, secret: str, account_name: str, issuer: str) -> str:
        """Return the ``otpauth://totp/...`` URI an authenticator app reads (from a QR code)."""
        ...

    def matching_step(self, secret: str, code: str, at: datetime, drift_steps: int) -> int | None:
        """Return the time step whose code is ``code``, among the step of ``at`` and ``drift_steps`` steps
        either side of it, else ``None``. Compares in constant time; never raises on a malformed code."""
        ...
