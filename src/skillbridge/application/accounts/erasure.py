"""The right to erasure: ``DELETE /users/me``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from skillbridge.application.accounts.revocations import AccessRevocations
from skillbridge.application.accounts.throttle import LoginThrottle
from skillbridge.application.matching.auditing import audit_transition
from skillbridge.application.matching.news import tell_of_change
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.password_hasher import PasswordHasher
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.erasure import Erasure, erased
from skillbridge.domain.accounts.passwords import normalise_password
from skillbridge.domain.accounts.sessions import AccessClaims
from skillbridge.domain.accounts.user import User
from skillbridge.domain.errors import Forbidden, InvalidInput
from skillbridge.domain.matching.mentorship import LEARNER_OPEN_STATUSES, Actor, withdrawn
from skillbridge.domain.pagination import MAX_LIMIT, PageRequest
from skillbridge.domain.texts import N_

#: The audit action of an erasure.
ERASED = "user.erased"
#: Why the erasure reaches beyond the caller's own rows (the blocks a mentor made of them, the previews of
#: their messages in the other party's notifications): the reason of its audited bypass.
ERASURE_REASON = "accounts:erase"
WRONG_PASSWORD = N_("the password is wrong")


@dataclass(frozen=True, slots=True)
class ErasurePolicy:
    """How fresh a GitHub sign-in confirms the erasure of an account that has no password."""

    fresh_sign_in: timedelta = timedelta(minutes=10)


class EraseMyAccount:
    """Erase the caller's account and everything personal it holds (``DELETE /users/me``).

    Rules:
    - the account's password confirms it (missing or wrong: InvalidInput on ``password``, counted as a
      failed login against the account and the address, so a stolen access token cannot guess it faster
      than the login form allows); an account without a password (made through GitHub) is confirmed by a
      fresh GitHub sign-in instead: the caller's session must have begun at most
      :attr:`ErasurePolicy.fresh_sign_in` ago, else Forbidden (field ``password``) saying to sign in again;
    - every open mentorship of theirs (waiting, pending, active) is cancelled, whatever their part, each
      transition audited (``match.cancelled``) and the other party notified;
    - the account becomes an anonymous placeholder (:func:`~skillbridge.domain.accounts.erasure.erased`):
      its email may register again at once; then the stores erase the rest
      (:class:`~skillbridge.application.ports.erasure.PersonalDataEraser`);
    - every session ends: refresh sessions are deleted, and access tokens are refused from the next
      request on (the principal changed, its sessions are revoked);
    - the audit keeps its entries about them, pseudonymous: the account's id names nobody once the row is a
      placeholder, and any value naming them (an admin's reason, say) is dropped from their details
      (:meth:`~skillbridge.application.ports.repositories.AuditLog.pseudonymise`); one more entry
      (``user.erased``) says what was removed, never the email or the name.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        revocations: AccessRevocations,
        notifier: Notifier,
        clock: Clock,
        policy: ErasurePolicy,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._throttle = throttle
        self._revocations = revocations
        self._notifier = notifier
        self._clock = clock
        self._policy = policy

    async def __call__(self, claims: AccessClaims, password: str | None, client_address: str) -> None:
        me = claims.user_id
        now = self._clock.now()
        async with self._uow as uow:
            user = await uow.users.get(me)
            await self._confirm(uow, user, claims, password, client_address, now)
            open_ones = await uow.mentorships.list_for_participant(
                me, PageRequest(limit=MAX_LIMIT), LEARNER_OPEN_STATUSES
            )
            for mentorship in open_ones.items:
                stored = await uow.mentorships.update(withdrawn(mentorship, now))
                await audit_transition(uow, mentorship, stored, me, now)
                actor = Actor.LEARNER if mentorship.learner_id == me else Actor.MENTOR
                await tell_of_change(self._notifier, uow, mentorship, stored, actor)
            families = await uow.refresh_sessions.revoke_families_of_user(me, now)
            await uow.users.update(erased(user, now))
            await uow.elevate(ERASURE_REASON)
            erasure = Erasure.of(user, now)
            counts = await uow.erasure.erase(erasure)
            pseudonymised = await uow.audit.pseudonymise(me, erasure.traces)
            details: dict[str, object] = {
                **asdict(counts),
                "mentorships_cancelled": len(open_ones.items),
                "audit_entries_pseudonymised": pseudonymised,
            }
            await uow.audit.record(
                AuditEntry(action=ERASED, at=now, actor_id=me, subject_type="user", subject_id=str(me), details=details)
            )
            await uow.commit()
        if claims.session_id is not None:
            families.add(claims.session_id)
        await self._revocations.revoke_sessions(families)
        await self._revocations.principal_changed(me)

    async def _confirm(
        self,
        uow: UnitOfWork,
        user: User,
        claims: AccessClaims,
        password: str | None,
        client_address: str,
        now: datetime,
    ) -> None:
        if user.password_hash is None:
            live = await uow.refresh_sessions.list_live(user.id, now)
            started = [session.started_at for session in live if session.family_id == claims.session_id]
            if not started or now - started[0] > self._policy.fresh_sign_in:
                minutes = int(self._policy.fresh_sign_in.total_seconds() // 60)
                raise Forbidden(
                    N_("sign in with GitHub again and erase the account within {minutes} minutes"),
                    field="password",
                    params={"minutes": minutes},
                )
            return
        await self._throttle.admit(user.email, client_address)
        if not password or not await self._hasher.verify(user.password_hash, normalise_password(password)):
            raise InvalidInput(
                WRONG_PASSWORD if password else N_("the password confirms the erasure"), field="password"
            )
