"""Consent: reading and changing one's own (``GET/PATCH /users/me/consents``), and when a write must wait."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from skillbridge.application.accounts.principal import Principal
from skillbridge.application.accounts.revocations import AccessRevocations
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.consents import (
    CONSENT_CALL,
    OPTIONAL_KINDS,
    Consent,
    ConsentKind,
    ConsentRequired,
    check_accepted_version,
)
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.texts import N_

#: The audit action of a consent given or withdrawn.
CONSENT_CHANGED = "consent.changed"


@dataclass(frozen=True, slots=True)
class TermsPolicy:
    """The terms-and-privacy version in force (``SKILLBRIDGE_TERMS_VERSION``)."""

    version: str

    def requires_consent(self, principal: Principal) -> bool:
        """Whether ``principal`` has yet to accept the version in force (then every write waits for it)."""
        return principal.terms_version != self.version

    def require_consent(self, principal: Principal) -> None:
        """Raise :class:`ConsentRequired` (403) when :meth:`requires_consent`."""
        if self.requires_consent(principal):
            raise ConsentRequired(
                N_("accept the terms version {version} first: {call}"),
                field="accepted_terms_version",
                params={"version": repr(self.version), "call": CONSENT_CALL},
            )


@dataclass(frozen=True, slots=True)
class ConsentsView:
    """One's consents as the API shows them."""

    terms_version: str
    accepted_terms_version: str | None
    consent_required: bool
    consents: list[Consent]


@dataclass(frozen=True, slots=True)
class ConsentChange:
    """What a caller changes: acceptance of the terms version in force, and optional consents by kind."""

    accepted_terms_version: str | None = None
    optional: Mapping[ConsentKind, bool] = field(default_factory=dict)


def consent_entry(consent: Consent) -> AuditEntry:
    """The audit entry of ``consent`` given or withdrawn (by its own account)."""
    return AuditEntry(
        action=CONSENT_CHANGED,
        at=consent.at,
        actor_id=consent.user_id,
        subject_type="user",
        subject_id=str(consent.user_id),
        details={"kind": consent.kind.value, "granted": consent.granted, "version": consent.version},
    )


class GetMyConsents:
    """Return the caller's consents and whether the terms version in force still waits for their acceptance."""

    def __init__(self, uow: UnitOfWork, terms: TermsPolicy) -> None:
        self._uow = uow
        self._terms = terms

    async def __call__(self, principal: Principal) -> ConsentsView:
        async with self._uow.reading() as uow:
            user = await uow.users.get(principal.user_id)
            consents = list(await uow.consents.list_for_user(principal.user_id))
        return ConsentsView(
            self._terms.version, user.terms_version, user.terms_version != self._terms.version, consents
        )


class ChangeMyConsents:
    """Accept the terms version in force and give or withdraw optional consents (``PATCH /users/me/consents``).

    Rules:
    - ``accepted_terms_version``, when sent, must be the version in force (InvalidInput on that field
      otherwise: accepting an old or unknown text means nothing); the terms cannot be withdrawn here (an
      account that no longer accepts them erases itself);
    - the optional kinds are ``email_digest`` and ``product_analytics``; each is stored with the time and the
      terms version in force; an empty change changes nothing and returns the consents as stored;
    - a change that repeats the stored choice stores and audits nothing; every other is audited
      (``consent.changed``);
    - accepting the terms lifts the write block from the caller's very next request, in every process.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, terms: TermsPolicy, revocations: AccessRevocations) -> None:
        self._uow = uow
        self._clock = clock
        self._terms = terms
        self._revocations = revocations

    async def __call__(self, principal: Principal, change: ConsentChange) -> ConsentsView:
        if change.accepted_terms_version is not None:
            check_accepted_version(change.accepted_terms_version, self._terms.version)
        for kind in change.optional:
            if kind not in OPTIONAL_KINDS:
                raise InvalidInput(
                    N_("{value} is not an optional consent"), field=kind.value, params={"value": kind.value}
                )
        me, now = principal.user_id, self._clock.now()
        async with self._uow as uow:
            user = await uow.users.get(me)
            held = {consent.kind: consent for consent in await uow.consents.list_for_user(me)}
            wanted: dict[ConsentKind, bool] = dict(change.optional)
            accepts = change.accepted_terms_version is not None and user.terms_version != self._terms.version
            if accepts:
                user = await uow.users.update(replace(user, terms_version=self._terms.version, updated_at=now))
                wanted[ConsentKind.TERMS] = True
            for kind, granted in wanted.items():
                before = held.get(kind)
                if kind is not ConsentKind.TERMS and before is not None and before.granted == granted:
                    continue
                consent = Consent(me, kind, granted, self._terms.version, now)
                await uow.consents.put(consent)
                await uow.audit.record(consent_entry(consent))
                held[kind] = consent
            await uow.commit()
        if accepts:
            await self._revocations.principal_changed(me)
        ordered = [held[kind] for kind in ConsentKind if kind in held]
        return ConsentsView(self._terms.version, user.terms_version, user.terms_version != self._terms.version, ordered)
