"""Recovering an account by mail: ask for a reset link, then set a new password with its token.

The request and the mail are split on purpose. :class:`RequestPasswordReset` runs in the HTTP request
and does the same work whether or not the address has an account (count, queue a job); only the job,
:class:`MailPasswordReset`, looks the account up, makes the token and sends the mail. So the answer's
time says nothing, and the token never sits in the job queue or in a failed job.
"""

from __future__ import annotations

import hashlib
import secrets
from uuid import UUID

from skillbridge.application.accounts.new_password import store_new_password
from skillbridge.application.accounts.policy import RecoveryPolicy
from skillbridge.application.accounts.revocations import AccessRevocations
from skillbridge.application.jobs.names import JobName
from skillbridge.application.jobs.submitting import SubmitJob
from skillbridge.application.mail.composing import choose_language, compose
from skillbridge.application.mail.links import MailLinks
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.email_sender import EmailSender
from skillbridge.application.ports.key_value_store import KeyValueStore
from skillbridge.application.ports.password_hasher import PasswordHasher
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.passwords import check_password, normalise_password
from skillbridge.domain.accounts.user import User, normalise_email
from skillbridge.domain.errors import BadRequest, NotFound
from skillbridge.domain.texts import N_

#: The one answer to a token that is used, expired, unknown, or outdated by a password change since.
RESET_TOKEN_INVALID = N_("this reset link is used, expired or unknown; ask for a new one")


def _digest(value: str) -> str:
    # Keys of the shared store hold digests: neither tokens nor addresses sit there in clear text.
    return hashlib.sha256(value.encode()).hexdigest()


def _token_key(token: str) -> str:
    return f"password-reset:{_digest(token)}"


def _password_fingerprint(user: User) -> str:
    """Changes whenever the password does, so a token mailed before a change is dead after it."""
    return _digest(user.password_hash or "no password")[:16]


class RequestPasswordReset:
    """Ask for a password-reset mail (``POST /auth/password/forgot``).

    Rules:
    - the caller learns nothing: whether the address has an account or not, and over a limit or not, the
      call returns normally after the same work (two counters, one queued job);
    - at most ``resets_per_account`` mails per address asked for and ``resets_per_address`` per client
      address in each ``reset_window``; beyond, nothing is queued;
    - the mail is sent by the job :data:`JobName.MAIL_PASSWORD_RESET` (retried, kept in failed jobs in the end).
    """

    def __init__(self, store: KeyValueStore, submit: SubmitJob, policy: RecoveryPolicy) -> None:
        self._store = store
        self._submit = submit
        self._policy = policy

    async def __call__(self, email: str, client_address: str, accept_languages: tuple[str, ...] = ()) -> None:
        account = normalise_email(email)  # a malformed address is bad input (400), not a secret
        window = int(self._policy.reset_window.total_seconds())
        per_account, _ = await self._store.increment(f"reset-requests:account:{_digest(account)}", window)
        per_address, _ = await self._store.increment(f"reset-requests:address:{_digest(client_address)}", window)
        if per_account > self._policy.resets_per_account or per_address > self._policy.resets_per_address:
            return
        await self._submit(JobName.MAIL_PASSWORD_RESET, {"email": account, "languages": ",".join(accept_languages)})


class MailPasswordReset:
    """The job behind :class:`RequestPasswordReset`: mail a single-use reset token to an account.

    Rules:
    - no account, or a disabled one, at that address: nothing is sent;
    - the token is random (256 bits), stored only as a digest, lives ``reset_token_ttl`` and is good for
      one reset, and only while the password is the one it was issued under;
    - the mail is in the profile's language, else the one the browser asked in (``languages``), else English.
    """

    def __init__(
        self, uow: UnitOfWork, store: KeyValueStore, sender: EmailSender, links: MailLinks, policy: RecoveryPolicy
    ) -> None:
        self._uow = uow
        self._store = store
        self._sender = sender
        self._links = links
        self._policy = policy

    async def __call__(self, email: str, languages: str = "") -> None:
        self._uow.act_for_system("job:mail_password_reset")
        async with self._uow.reading() as uow:
            user = await uow.users.find_by_email(email)
        if user is None or not user.is_active:
            return
        token = secrets.token_urlsafe(32)
        ttl = int(self._policy.reset_token_ttl.total_seconds())
        await self._store.put(_token_key(token), f"{user.id}:{_password_fingerprint(user)}", ttl)
        language = choose_language(user.profile.languages, [part for part in languages.split(",") if part])
        values = {
            "name": user.profile.display_name or user.email,
            "link": self._links.password_reset(token),
            "token": token,
        }
        await self._sender.send(compose("password_reset", language, user.email, values))


class ResetPassword:
    """Set a new password with a mailed token (``POST /auth/password/reset``).

    Rules:
    - the token is spent by the first reset that succeeds (a refused new password leaves it usable);
    - a used, expired or unknown token, or one issued before the password last changed, is refused
      (:class:`BadRequest`, field ``token``);
    - the new password meets the rules of registration;
    - every session of the account ends, its access tokens included, from the next request on.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        store: KeyValueStore,
        hasher: PasswordHasher,
        revocations: AccessRevocations,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._store = store
        self._hasher = hasher
        self._revocations = revocations
        self._clock = clock

    async def __call__(self, token: str, new_password: str) -> None:
        self._uow.act_for_system("sign_in:reset_password")
        key = _token_key(token)
        stored = await self._store.get(key)
        if stored is None:
            raise BadRequest(RESET_TOKEN_INVALID, field="token")
        user_id, _, fingerprint = stored.partition(":")
        password = normalise_password(new_password)
        async with self._uow as uow:
            try:
                user = await uow.users.get(UUID(user_id))
            except NotFound:
                raise BadRequest(RESET_TOKEN_INVALID, field="token") from None
            if not user.is_active or _password_fingerprint(user) != fingerprint:
                raise BadRequest(RESET_TOKEN_INVALID, field="token")
            check_password(password, email=user.email, field="new_password")
            # Spent only now, atomically: a refused password keeps the token, and of two resets racing
            # with one token only one gets past here.
            if await self._store.take(key) is None:
                raise BadRequest(RESET_TOKEN_INVALID, field="token")
            await store_new_password(
                uow, self._hasher, self._revocations, user, password, self._clock.now(), action="user.password_reset"
            )
