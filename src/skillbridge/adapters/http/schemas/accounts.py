"""Schemas of the accounts endpoints and their conversion to and from the application's types."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from skillbridge.application.accounts.consents import ConsentChange, ConsentsView
from skillbridge.application.accounts.token_pair import TokenPair
from skillbridge.domain.accounts.audit import AuditEntry
from skillbridge.domain.accounts.consents import ConsentKind
from skillbridge.domain.accounts.location_privacy import LocationPrivacy, band_floor_km, band_label
from skillbridge.domain.accounts.mentor_search import MentorCard
from skillbridge.domain.accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from skillbridge.domain.accounts.profile import MAX_SKILL_LENGTH, LocationInput, Profile, ProfileInput
from skillbridge.domain.accounts.user import User
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.geo import GeoPoint
from skillbridge.domain.places import MAX_PLACE_NAME_LENGTH, PlaceName
from skillbridge.domain.texts import N_

# The patterns state in the OpenAPI document (and enforce, msgspec checks them) the rules of the domain that a
# pattern can state, so that a client reading the document does not send what the domain then refuses.
# Python's whitespace (str.isspace), spelled out: ``\s`` means less in the document's regex dialect (ECMA 262).
_SPACE = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
Email = Annotated[
    str,
    Meta(
        min_length=3,
        max_length=254,
        pattern=f"^[{_SPACE}]*[^@{_SPACE}]+@[^@{_SPACE}]+\\.[^@{_SPACE}]+[{_SPACE}]*$",
        examples=["amara@example.org"],
    ),
]
Password = Annotated[str, Meta(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
NewPassword = Annotated[
    str,
    Meta(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=MAX_PASSWORD_LENGTH,
        description="at least 8 characters, not a commonly used password, not the email address",
    ),
]
Latitude = Annotated[float, Meta(ge=-90, le=90)]
Longitude = Annotated[float, Meta(ge=-180, le=180)]
SkillName = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_SKILL_LENGTH,
        pattern=r"[A-Za-z0-9+#]",
        description="a skill name with at least one letter or digit; stored as a slug ('C++' -> 'cpp')",
    ),
]
LanguageCode = Annotated[str, Meta(min_length=2, max_length=3, pattern=r"^[A-Za-z]{2,3}$", examples=["en", "sw"])]
HourOfWeek = Annotated[int, Meta(ge=0, le=167, description="0 = Monday 00:00 UTC ... 167 = Sunday 23:00 UTC")]
HoursPerWeek = Annotated[int, Meta(ge=0, le=168)]
#: The spec's name of ``hours_per_week``.
Availability = Annotated[
    int, Meta(ge=0, le=168, description="alias of hours_per_week (the spec's name); give one or the other")
]
PlaceText = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_PLACE_NAME_LENGTH,
        description="a city by name, optionally with its country (code or English name): resolved against "
        "GeoNames' cities of 15,000 or more, to its point, city and country; an unknown or ambiguous name is a 422 "
        "(an ambiguous one lists up to 5 candidates)",
        examples=["Lagos", "Nairobi, KE", "Addis Abeba, Ethiopia"],
    ),
]
Capacity = Annotated[int, Meta(ge=1, le=50, description="mentors only: how many learners they take")]
ShortText = Annotated[str, Meta(max_length=100)]
Bio = Annotated[str, Meta(max_length=2000)]
GithubName = Annotated[str, Meta(min_length=1, max_length=39, pattern=r"^[A-Za-z0-9](?:-?[A-Za-z0-9])*$")]
Timezone = Annotated[str, Meta(min_length=1, max_length=64, description="an IANA name", examples=["Africa/Lagos"])]
Country = Annotated[str, Meta(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$", examples=["NG"])]
# Up to 200 names on the wire; the domain then allows at most 50 distinct skills (duplicates collapse).
Skills = Annotated[list[SkillName], Meta(max_length=200)]
Languages = Annotated[list[LanguageCode], Meta(max_length=20)]
Slots = Annotated[list[HourOfWeek], Meta(max_length=168)]


class Request(Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of request bodies: a field outside the schema is an error."""


class LocationIn(Request):
    lat: Latitude
    lon: Longitude
    city: ShortText | None = None
    country: Country | None = None

    def to_input(self) -> LocationInput:
        return LocationInput(lat=self.lat, lon=self.lon, city=self.city, country=self.country)


def _location_input(location: LocationIn | str) -> LocationInput | PlaceName:
    return PlaceName(location) if isinstance(location, str) else location.to_input()


def _hours(
    hours_per_week: int | UnsetType | None, availability: int | UnsetType | None, field: str
) -> int | UnsetType | None:
    """One value of ``hours_per_week`` and its alias ``availability``; both given and unequal is a 422."""
    if hours_per_week is UNSET:
        return availability
    if availability is not UNSET and availability != hours_per_week:
        raise InvalidInput(N_("availability is another name of hours_per_week: give one of them"), field=field)
    return hours_per_week


class ProfileIn(Request):
    display_name: ShortText | None = None
    skills: Skills = msgspec.field(default_factory=list)
    #: Coordinates, or a place by name (the spec's form).
    location: LocationIn | PlaceText | None = None
    timezone: Timezone | None = None
    hours_per_week: HoursPerWeek | UnsetType = UNSET
    availability: Availability | UnsetType = UNSET
    weekly_slots: Slots = msgspec.field(default_factory=list)
    languages: Languages = msgspec.field(default_factory=list)
    github_username: GithubName | None = None
    bio: Bio | None = None
    mentor_capacity: Capacity | None = None

    def to_input(self) -> ProfileInput:
        hours = _hours(self.hours_per_week, self.availability, "profile.availability")
        return ProfileInput(
            display_name=self.display_name,
            skills=tuple(self.skills),
            location=None if self.location is None else _location_input(self.location),
            timezone=self.timezone,
            hours_per_week=hours if isinstance(hours, int) else 0,
            weekly_slots=tuple(self.weekly_slots),
            languages=tuple(self.languages),
            github_username=self.github_username,
            bio=self.bio,
            mentor_capacity=self.mentor_capacity,
        )


class ProfileFieldsPatch(Request):
    """Only the fields sent change; ``null`` clears a field."""

    display_name: ShortText | UnsetType | None = UNSET
    skills: Skills | UnsetType | None = UNSET
    #: Coordinates, or a place by name (the spec's form).
    location: LocationIn | PlaceText | UnsetType | None = UNSET
    timezone: Timezone | UnsetType | None = UNSET
    hours_per_week: HoursPerWeek | UnsetType | None = UNSET
    availability: Availability | UnsetType | None = UNSET
    weekly_slots: Slots | UnsetType | None = UNSET
    languages: Languages | UnsetType | None = UNSET
    github_username: GithubName | UnsetType | None = UNSET
    bio: Bio | UnsetType | None = UNSET
    mentor_capacity: Capacity | UnsetType | None = UNSET

    def changes(self) -> dict[str, Any]:
        """The sent fields as profile-input values (lists as tuples, the location as its input type,
        ``availability`` as ``hours_per_week``)."""
        result: dict[str, Any] = {}
        for name in ProfileFieldsPatch.__struct_fields__:
            value = getattr(self, name)
            if value is UNSET or name == "availability":
                continue
            if isinstance(value, list):
                value = tuple(value)
            elif isinstance(value, LocationIn | str) and name == "location":
                value = _location_input(value)
            result[name] = value
        hours = _hours(self.hours_per_week, self.availability, "availability")
        if hours is not UNSET:
            result["hours_per_week"] = hours
        return result


class ProfilePatch(ProfileFieldsPatch):
    """Only the fields sent change; ``null`` clears a field. The fields come flat, or nested under
    ``profile`` as the spec sends them (``{"profile": {"skills": [...]}}``), not both."""

    profile: ProfileFieldsPatch | UnsetType = UNSET

    def changes(self) -> dict[str, Any]:
        flat = super().changes()
        if self.profile is UNSET:
            return flat
        if flat:
            raise InvalidInput(N_("send the profile's fields flat or under profile, not both"), field="profile")
        return self.profile.changes()


TermsVersion = Annotated[str, Meta(min_length=1, max_length=40, description="the terms version in force")]


class OptionalConsentsIn(Request):
    """Optional consents; a field left out (or null) leaves that consent as it is (off for a new account)."""

    email_digest: bool | None = None
    product_analytics: bool | None = None

    def chosen(self) -> dict[ConsentKind, bool]:
        values = {ConsentKind.EMAIL_DIGEST: self.email_digest, ConsentKind.PRODUCT_ANALYTICS: self.product_analytics}
        return {kind: value for kind, value in values.items() if value is not None}


class RegisterIn(Request):
    email: Email
    password: NewPassword
    role: Literal["learner", "mentor"]
    #: The terms-and-privacy version the person accepted: required, and must be the one in force.
    accepted_terms_version: TermsVersion
    profile: ProfileIn = msgspec.field(default_factory=ProfileIn)
    consents: OptionalConsentsIn = msgspec.field(default_factory=OptionalConsentsIn)


class LoginIn(Request):
    email: Annotated[str, Meta(max_length=254)]
    password: Password


class RefreshIn(Request):
    refresh_token: Annotated[str, Meta(min_length=1, max_length=512)]


class LogoutIn(Request):
    refresh_token: Annotated[str, Meta(min_length=1, max_length=512)] | None = None


class UserAccessIn(Request):
    """An admin's change to a user: a new role, or ``is_active: false`` to disable the account (``true``
    re-enables it). Either may be left out; an empty change answers the user as stored."""

    role: Literal["learner", "mentor", "admin"] | None = None
    is_active: bool | None = None
    #: Why (kept in the audit entry of the change).
    reason: Annotated[str, Meta(max_length=500)] | None = None


class TokensOut(Struct, kw_only=True):
    access_token: str
    token_type: str
    expires_in: int
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    user_id: UUID

    @classmethod
    def of(cls, pair: TokenPair, now: datetime) -> TokensOut:
        return cls(
            access_token=pair.access_token,
            token_type=pair.token_type,
            expires_in=max(0, int((pair.access_expires_at - now).total_seconds())),
            access_expires_at=pair.access_expires_at,
            refresh_token=pair.refresh_token,
            refresh_expires_at=pair.refresh_expires_at,
            user_id=UUID(pair.user_id),
        )


class LocationOut(Struct, kw_only=True):
    lat: float
    lon: float
    city: str | None
    country: str | None


class ProfileOut(Struct, kw_only=True):
    display_name: str | None
    skills: list[str]
    location: LocationOut | None
    timezone: str | None
    hours_per_week: int
    weekly_slots: list[int]
    languages: list[str]
    github_username: str | None
    bio: str | None
    mentor_capacity: int | None

    @classmethod
    def of(cls, profile: Profile, point: GeoPoint | None = None) -> ProfileOut:
        """``profile`` with its location at ``point`` (the stored point unless given)."""
        loc = profile.location
        shown = point or (loc.point if loc else None)
        return cls(
            display_name=profile.display_name,
            skills=list(profile.skills),
            location=LocationOut(lat=shown.lat, lon=shown.lon, city=loc.city, country=loc.country)
            if loc and shown
            else None,
            timezone=profile.timezone,
            hours_per_week=profile.hours_per_week,
            weekly_slots=list(profile.weekly_slots),
            languages=list(profile.languages),
            github_username=profile.github_username,
            bio=profile.bio,
            mentor_capacity=profile.mentor_capacity,
        )


class UserOut(Struct, kw_only=True):
    """A user as they themselves (or an admin) see it. Never carries a secret; only its owner sees the
    stored point, an admin sees the public one."""

    id: UUID
    email: str
    role: str
    profile: ProfileOut
    github_linked: bool
    is_active: bool
    #: Whether the address is proved; finding a mentor, the forum and chat wait for it.
    email_verified: bool
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, user: User, privacy: LocationPrivacy | None = None) -> UserOut:
        """``user`` as its owner sees it, or, with ``privacy``, as anyone else (at the public point)."""
        loc = user.profile.location
        point = privacy.public_point(user.id, loc.point) if privacy is not None and loc is not None else None
        return cls(
            id=user.id,
            email=user.email,
            role=user.role.value,
            profile=ProfileOut.of(user.profile, point),
            github_linked=user.github_id is not None,
            is_active=user.is_active,
            email_verified=user.email_verified,
            created_at=user.created_at,
            updated_at=user.updated_at,
            version=user.version,
        )


class MentorOut(Struct, kw_only=True):
    """A mentor as any signed-in user sees them: no email, no coordinates (city, country, and the distance
    band from the query point to the mentor's public point: ``distance_km`` is the band's lower bound)."""

    id: UUID
    display_name: str | None
    skills: list[str]
    city: str | None
    country: str | None
    timezone: str | None
    hours_per_week: int
    weekly_slots: list[int]
    languages: list[str]
    github_username: str | None
    bio: str | None
    capacity: int
    free_capacity: int
    distance_km: float | None
    distance_band: str | None

    @classmethod
    def of(cls, card: MentorCard) -> MentorOut:
        profile = card.mentor.profile
        loc = profile.location
        return cls(
            id=card.mentor.id,
            display_name=profile.display_name,
            skills=list(profile.skills),
            city=loc.city if loc else None,
            country=loc.country if loc else None,
            timezone=profile.timezone,
            hours_per_week=profile.hours_per_week,
            weekly_slots=list(profile.weekly_slots),
            languages=list(profile.languages),
            github_username=profile.github_username,
            bio=profile.bio,
            capacity=profile.mentor_capacity or 0,
            free_capacity=card.free_capacity,
            distance_km=None if card.distance_km is None else band_floor_km(card.distance_km),
            distance_band=None if card.distance_km is None else band_label(card.distance_km),
        )


class MentorPage(Struct, kw_only=True):
    items: list[MentorOut]
    total: int
    limit: int
    offset: int


class UserPage(Struct, kw_only=True):
    items: list[UserOut]
    total: int
    limit: int
    offset: int


class AuditEntryOut(Struct, kw_only=True):
    """One audit entry: who (``actor_id``; null for the system or a person since erased) did what to whom."""

    id: UUID
    at: datetime
    action: str
    actor_id: UUID | None
    subject_type: str | None
    subject_id: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            id=entry.id,
            at=entry.at,
            action=entry.action,
            actor_id=entry.actor_id,
            subject_type=entry.subject_type,
            subject_id=entry.subject_id,
            details=entry.details,
        )


class AuditPage(Struct, kw_only=True):
    items: list[AuditEntryOut]
    total: int
    limit: int
    offset: int


class EraseAccountIn(Request):
    """The confirmation of an erasure: the account's password (left out for an account made through GitHub,
    which confirms with a fresh GitHub sign-in instead)."""

    password: Password | None = None


class ConsentsPatch(OptionalConsentsIn):
    """``PATCH /users/me/consents``: accept the terms version in force, give or withdraw optional consents."""

    accepted_terms_version: TermsVersion | None = None

    def change(self) -> ConsentChange:
        return ConsentChange(accepted_terms_version=self.accepted_terms_version, optional=self.chosen())


class ConsentOut(Struct, kw_only=True):
    kind: str
    granted: bool
    version: str
    at: datetime


class ConsentsOut(Struct, kw_only=True):
    terms_version: str
    accepted_terms_version: str | None
    consent_required: bool
    consents: list[ConsentOut]

    @classmethod
    def of(cls, view: ConsentsView) -> ConsentsOut:
        return cls(
            terms_version=view.terms_version,
            accepted_terms_version=view.accepted_terms_version,
            consent_required=view.consent_required,
            consents=[
                ConsentOut(kind=c.kind.value, granted=c.granted, version=c.version, at=c.at) for c in view.consents
            ],
        )
