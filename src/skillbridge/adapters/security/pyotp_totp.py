"""TOTP with pyotp."""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

from skillbridge.application.ports.one_time_passwords import TOTP_PERIOD_SECONDS, TotpAlgorithm


class PyotpTotpAlgorithm(TotpAlgorithm):
    """:class:`TotpAlgorithm` on pyotp (SHA-1, six digits, 30 s)."""

    def new_secret(self) -> str:
        return pyotp.random_base32(length=32)

    def provisioning_uri(self, secret: str, account_name: str, issuer: str) -> str:
        return pyotp.TOTP(secret, interval=TOTP_PERIOD_SECONDS).provisioning_uri(name=account_name, issuer_name=issuer)

    def matching_step(self, secret: str, code: str, at: datetime, drift_steps: int) -> int | None:
        code = code.replace(" ", "")
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            return None
        totp = pyotp.TOTP(secret, interval=TOTP_PERIOD_SECONDS)
        step = totp.timecode(at)
        found = None
        # Every candidate is compared, whichever matches, so the time taken says nothing about which did.
        for candidate in range(step - drift_steps, step + drift_steps + 1):
            if hmac.compare_digest(totp.generate_otp(candidate), code):
                found = candidate
        return found
