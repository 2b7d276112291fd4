"""Schemas of password recovery and change, and of email verification."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta, Struct

from skillbridge.adapters.http.schemas.accounts import Email, NewPassword, Password, Request

ResetToken = Annotated[str, Meta(min_length=1, max_length=512)]


class ForgotPasswordIn(Request):
    email: Email


class ResetPasswordIn(Request):
    token: ResetToken
    new_password: NewPassword


class VerifyEmailIn(Request):
    token: ResetToken


class ChangePasswordIn(Request):
    current_password: Password
    new_password: NewPassword


class ResetRequestedOut(Struct, kw_only=True):
    """The one answer to a reset request, whatever happened behind it."""

    detail: str = "if an account has this address, a reset mail is on its way"
