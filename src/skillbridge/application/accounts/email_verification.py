"""Proving an email address: a mailed token that lives 24 hours.

As with password reset, the request only queues a job; the job makes the token (stored as a digest) and
sends the mail, so the token is never in the queue or in failed jobs.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from uuid import UUID

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.accounts.revocations import AccessRevocations
from skillbridge.application.jobs.names import JobName
from skillbridge.application.jobs.submitting import SubmitJob
from skillbridge.application.mail.composing import choose_language, compose
from skillbridge.application.mail.links import MailLinks
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.email_sender import EmailSender
from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.errors import BadRequest, Conflict, NotFound, TooManyAttempts
from skillbridge.domain.texts import N_

VERIFICATION_TTL = timedelta(hours=24)
#: Resent mails per account per hour.
RESENDS_PER_HOUR = 3
TOKEN_INVALID = N_("this verification link is used, expired or unknown; ask for a new one")


def _token_key(token: str) -> str:
    return f"email-verification:{hashlib.sha256(token.encode()).hexdigest()}"


class RequestEmailVerification:
    """Queue the verification mail of an account (after registration, or on request)."""

    def __init__(self, submit: SubmitJob) -> None:
        self._submit = submit

    async def __call__(self, user_id: UUID, accept_languages: tuple[str, ...] = ()) -> None:
        await self._submit(
            JobName.MAIL_EMAIL_VERIFICATION, {"user_id": str(user_id), "languages": ",".join(accept_languages)}
        )


class ResendVerification:
    """Send the verification mail again (``POST /auth/email/resend``).

    Rules: an address verified already is a Conflict; at most :data:`RESENDS_PER_HOUR` per account per hour
    (TooManyAttempts beyond).
    """

    def __init__(self, uow: UnitOfWork, store: KeyValueStore, request: RequestEmailVerification) -> None:
        self._uow = uow
        self._store = store
        self._request = request

    async def __call__(self, principal: Principal, accept_languages: tuple[str, ...] = ()) -> None:
        async with self._uow.reading() as uow:
            user = await uow.users.get(principal.user_id)
        if user.email_verified:
            raise Conflict(N_("the email address is verified already"), field="email")
        count, seconds_left = await self._store.increment(f"verification-resends:{user.id}", 3600)
        if count > RESENDS_PER_HOUR:
            raise TooManyAttempts(N_("verification mails are limited; try again later"), retry_after=seconds_left)
        await self._request(user.id, accept_languages)


class MailEmailVerification:
    """The job: mail a fresh 24-hour token to an account whose address is not verified yet.

    Rules: nothing is sent to a verified, disabled or deleted account; the token is bound to the address
    it was mailed to (an address changed since makes it void).
    """

    def __init__(self, uow: UnitOfWork, store: KeyValueStore, sender: EmailSender, links: MailLinks) -> None:
        self._uow = uow
        self._store = store
        self._sender = sender
        self._links = links

    async def __call__(self, user_id: str, languages: str = "") -> None:
        self._uow.act_for_system("job:mail_email_verification")
        try:
            async with self._uow.reading() as uow:
                user = await uow.users.get(UUID(user_id))
        except NotFound:
            return
        if user.email_verified or not user.is_active:
            return
        token = secrets.token_urlsafe(32)
        await self._store.put(_token_key(token), f"{user.id}:{user.email}", int(VERIFICATION_TTL.total_seconds()))
        language = choose_language(user.profile.languages, [part for part in languages.split(",") if part])
        values = {
            "name": user.profile.display_name or user.email,
            "link": self._links.email_verification(token),
            "token": token,
        }
        await self._sender.send(compose("email_verification", language, user.email, values))


class VerifyEmail:
    """Mark an address verified with its mailed token (``POST /auth/email/verify``), from any device.

    Rules: the token is spent on use; a used, expired or unknown one, or one mailed to an address the
    account no longer has, is BadRequest (field ``token``); the change applies to the owner's very next
    request (their cached principal is stamped stale).
    """

    def __init__(self, uow: UnitOfWork, store: KeyValueStore, revocations: AccessRevocations, clock: Clock) -> None:
        self._uow = uow
        self._store = store
        self._revocations = revocations
        self._clock = clock

    async def __call__(self, token: str) -> None:
        self._uow.act_for_system("sign_in:verify_email")
        stored = await self._store.take(_token_key(token))
        if stored is None:
            raise BadRequest(TOKEN_INVALID, field="token")
        user_id, _, email = stored.partition(":")
        now = self._clock.now()
        async with self._uow as uow:
            try:
                user = await uow.users.get(UUID(user_id))
            except NotFound:
                raise BadRequest(TOKEN_INVALID, field="token") from None
            if user.email != email:
                raise BadRequest(TOKEN_INVALID, field="token")
            if user.email_verified:
                return
            await uow.users.update(user.with_email_verified(now))
            await uow.audit.record(
                AuditEntry(
                    action="user.email_verified", at=now, actor_id=user.id, subject_type="user", subject_id=user_id
                )
            )
            await uow.commit()
        await self._revocations.principal_changed(user.id)
