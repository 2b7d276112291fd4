"""Schemas of two-factor authentication (``/auth/2fa/*``) and of a login's second step."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta, Struct

from skillbridge.adapters.http.schemas.accounts import Password, Request
from skillbridge.application.accounts.two_factor_codes import Challenge

Code = Annotated[
    str,
    Meta(
        min_length=6,
        max_length=40,
        description="six digits from the authenticator app, or one of the recovery codes",
        examples=["492039", "ABCD-EFGH-IJKL-MNOP"],
    ),
]
TotpCode = Annotated[str, Meta(min_length=6, max_length=8, pattern=r"^[0-9 ]+$", examples=["492039"])]


class TwoFactorSetupOut(Struct, kw_only=True):
    """The new secret, to type in, and the URI an authenticator app reads from a QR code."""

    secret: str
    otpauth_uri: str


class EnableTwoFactorIn(Request):
    code: TotpCode


class RecoveryCodesOut(Struct, kw_only=True):
    """Shown this once: each code signs in once in place of an authenticator's code."""

    recovery_codes: list[str]


class DisableTwoFactorIn(Request):
    code: Code
    #: Required when the account has a password (accounts made through GitHub have none).
    password: Password | None = None


class TwoFactorChallengeOut(Struct, kw_only=True):
    """The answer to a right password when two-factor authentication is on: no tokens yet."""

    two_factor_required: Literal[True]
    challenge_token: str
    challenge_expires_at: datetime

    @classmethod
    def of(cls, challenge: Challenge) -> TwoFactorChallengeOut:
        return cls(
            two_factor_required=True,
            challenge_token=challenge.token,
            challenge_expires_at=challenge.expires_at,
        )


class VerifyTwoFactorIn(Request):
    challenge_token: Annotated[str, Meta(min_length=1, max_length=128)]
    code: Code
