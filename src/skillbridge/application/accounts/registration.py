"""Registering a new account."""

from __future__ import annotations

from dataclasses import dataclass

from skillbridge.application.accounts.plain_text import plain_profile
from skillbridge.application.places import ResolvePlace
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.html_sanitizer import HtmlSanitizer
from skillbridge.application.ports.password_hasher import PasswordHasher
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.passwords import check_password, normalise_password
from skillbridge.domain.accounts.profile import ProfileInput, build_profile
from skillbridge.domain.accounts.roles import SELF_SERVICE_ROLES, Role
from skillbridge.domain.accounts.user import User, normalise_email
from skillbridge.domain.errors import Conflict, InvalidInput

#: Said for a taken address, and nothing more: no hint of the existing account's role or age.
EMAIL_TAKEN = "this email address cannot be registered"


@dataclass(frozen=True, slots=True)
class Registration:
    email: str
    password: str
    role: Role
    profile: ProfileInput


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
      command such as ``create-admin`` or ``seed-demo``, never a self-service sign-up).
    """

    def __init__(
        self, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock, sanitizer: HtmlSanitizer, places: ResolvePlace
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._sanitizer = sanitizer
        self._places = places

    async def __call__(
        self,
        registration: Registration,
        *,
        role_allowed: frozenset[Role] = SELF_SERVICE_ROLES,
        email_verified: bool = False,
    ) -> User:
        self._uow.act_for_system("sign_in:register")
        if registration.role not in role_allowed:
            raise InvalidInput("choose the role learner or mentor", field="role")
        email = normalise_email(registration.email)
        password = normalise_password(registration.password)
        check_password(password, email=email)
        await self._places.ready()
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
        )
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
                    details={"role": user.role.value},
                )
            )
            await uow.commit()
        return user
