"""Registering a new account."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from skillbridge.application.accounts.consents import TermsPolicy
from skillbridge.application.accounts.plain_text import plain_profile
from skillbridge.application.places import ResolvePlace
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.html_sanitizer import HtmlSanitizer
from skillbridge.application.ports.password_hasher import PasswordHasher
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.consents import OPTIONAL_KINDS, Consent, ConsentKind, check_accepted_version
from skillbridge.domain.accounts.passwords import check_password, normalise_password
from skillbridge.domain.accounts.profile import ProfileInput, build_profile
from skillbridge.domain.accounts.roles import SELF_SERVICE_ROLES, Role
from skillbridge.domain.accounts.user import User, normalise_email
from skillbridge.domain.errors import Conflict, InvalidInput
from skillbridge.domain.texts import N_

#: Said for a taken address, and nothing more: no hint of the existing account's role or age.
EMAIL_TAKEN = N_("this email address cannot be registered")


@dataclass(frozen=True, slots=True)
class Registration:
    email: str
    password: str
    role: Role
    profile: ProfileInput
    #: The terms-and-privacy version the person accepted (must be the one in force).
    accepted_terms_version: str | None = None
    #: Optional consents given at sign-up, by kind (the others stay off).
    consents: Mapping[ConsentKind, bool] = field(default_factory=dict)


class RegisterUser:
    """Create a learner or mentor account.

    Rules:
    - the role is learner or mentor; nobody registers as an admin;
    - the email is normalised (trimmed, lower case) and unique; a taken one is a Conflict that says
      nothing about the existing account;
    - the password meets the policy and is stored only as an argon2id hash;
    - the profile is validated and normalised (skills as slugs, languages as codes, ...); display name,
      bio and city lose any markup (:func:`plain_profile`);
    - a location given by name is resolved to one place (city, country, point), or refused as unknown or
      ambiguous (:class:`ResolvePlace`);
    - the email address is unverified, unless the caller vouches for it (``email_verified``: an operator's
      command such as ``create-admin`` or ``seed-demo``, never a self-service sign-up);
    - the person accepts the terms-and-privacy version in force (``accepted_terms_version``, InvalidInput on
      that field otherwise), unless an operator's command accepts them on the account's behalf
      (``terms_vouched``); the acceptance and each optional consent given (``email_digest``,
      ``product_analytics``) are stored with the time and the version, and named in the registration's
      audit entry.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        clock: Clock,
        sanitizer: HtmlSanitizer,
        places: ResolvePlace,
        terms: TermsPolicy,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._sanitizer = sanitizer
        self._places = places
        self._terms = terms

    async def __call__(
        self,
        registration: Registration,
        *,
        role_allowed: frozenset[Role] = SELF_SERVICE_ROLES,
        email_verified: bool = False,
        terms_vouched: bool = False,
    ) -> User:
        self._uow.act_for_system("sign_in:register")
        if registration.role not in role_allowed:
            raise InvalidInput(N_("choose the role learner or mentor"), field="role")
        if not terms_vouched:
            check_accepted_version(registration.accepted_terms_version, self._terms.version)
        for kind in registration.consents:
            if kind not in OPTIONAL_KINDS:
                raise InvalidInput(
                    N_("{value} is not an optional consent"),
                    field=f"consents.{kind.value}",
                    params={"value": kind.value},
                )
        email = normalise_email(registration.email)
        password = normalise_password(registration.password)
        check_password(password, email=email)
        await self._places.ready_for(registration.profile)
        profile = build_profile(
            plain_profile(self._sanitizer, self._places.location_of(registration.profile)),
            is_mentor=registration.role is Role.MENTOR,
        )
        # Hash before looking the address up, so a taken address answers no faster than a free one.
        password_hash = await self._hasher.hash(password)
        now = self._clock.now()
        user = User(
            email=email,
            role=registration.role,
            profile=profile,
            password_hash=password_hash,
            created_at=now,
            updated_at=now,
            email_verified_at=now if email_verified else None,
            terms_version=self._terms.version,
        )
        given = {ConsentKind.TERMS: True, **registration.consents}
        async with self._uow as uow:
            if await uow.users.find_by_email(email) is not None:
                raise Conflict(EMAIL_TAKEN, field="email")
            await uow.users.add(user)
            await uow.audit.record(
                AuditEntry(
                    action="user.registered",
                    at=now,
                    actor_id=user.id,
                    subject_type="user",
                    subject_id=str(user.id),
                    # The consents given at sign-up are in the registration's entry (no entry of their own).
                    details={"role": user.role.value, "consents": {kind.value: on for kind, on in given.items()}},
                )
            )
            for kind, granted in given.items():
                await uow.consents.put(Consent(user.id, kind, granted, self._terms.version, now))
            await uow.commit()
        return user
