"""Reading and changing one's own account and profile."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from skillbridge.application.accounts.plain_text import plain_profile
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.accounts.revocations import AccessRevocations
from skillbridge.application.places import ResolvePlace
from skillbridge.application.ports.clock import Clock
from skillbridge.application.ports.html_sanitizer import HtmlSanitizer
from skillbridge.application.ports.unit_of_work import UnitOfWork
from skillbridge.domain.accounts.profile import ProfileInput, build_profile, profile_input_of
from skillbridge.domain.accounts.user import User
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.texts import N_

PATCHABLE_FIELDS = frozenset(f.name for f in fields(ProfileInput))


class GetMyAccount:
    """Return the caller's own account."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def __call__(self, principal: Principal) -> User:
        async with self._uow.reading() as uow:
            return await uow.users.get(principal.user_id)


class UpdateMyProfile:
    """Change some fields of the caller's own profile.

    Rules:
    - only profile fields change; a role or an email in the changes is rejected, never ignored;
    - fields not named keep their value; a field set to ``None`` is cleared (lists become empty);
    - the whole resulting profile is validated as at registration (a learner cannot give themselves a
      mentor capacity, skills are normalised, ...); display name, bio and city lose any markup;
    - a location given by name is resolved to one place, or refused as unknown or ambiguous;
    - a concurrent change of the same account makes one of the two fail with a Conflict;
    - a change of languages reaches the caller's next request (answers fall back to them), in every process.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        sanitizer: HtmlSanitizer,
        places: ResolvePlace,
        revocations: AccessRevocations,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._sanitizer = sanitizer
        self._places = places
        self._revocations = revocations

    async def __call__(self, principal: Principal, changes: dict[str, Any]) -> User:
        unknown = sorted(set(changes) - PATCHABLE_FIELDS)
        if unknown:
            raise InvalidInput(N_("{field} cannot be changed here"), field=unknown[0], params={"field": unknown[0]})
        if "location" in changes:  # resolved before the transaction: a refused name costs no database work
            located = ProfileInput(location=changes["location"])
            await self._places.ready_for(located)
            changes = {**changes, "location": self._places.location_of(located).location}
        async with self._uow as uow:
            user = await uow.users.get(principal.user_id)
            defaults = ProfileInput()
            cleared = {
                name: getattr(defaults, name) if value is None and name != "mentor_capacity" else value
                for name, value in changes.items()
            }
            raw = plain_profile(self._sanitizer, replace(profile_input_of(user.profile), **cleared))
            profile = build_profile(raw, is_mentor=user.is_mentor)
            updated = await uow.users.update(user.with_profile(profile, self._clock.now()))
            await uow.commit()
        if updated.profile.languages != user.profile.languages:
            await self._revocations.principal_changed(updated.id)  # cached principals carry the old ones
        return updated
