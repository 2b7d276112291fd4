"""The user aggregate."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID, uuid4

from skillbridge.domain.accounts.profile import Profile
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.texts import N_

MAX_EMAIL_LENGTH = 254
# Deliberately loose: the only real check of an address is a mail that arrives. This rejects what is
# certainly not an address (no @, spaces, no dot in the domain) and nothing that might be one.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(raw: str) -> str:
    """Trimmed, lower-cased email, so that ``Ada@X.org`` and ``ada@x.org`` are one account."""
    email = raw.strip().lower()
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.match(email):
        raise InvalidInput(N_("not a valid email address"), field="email")
    return email


@dataclass(slots=True)
class User:
    """A learner, mentor or admin.

    ``version`` increases with every stored change; repositories refuse a write whose version is stale,
    so two concurrent edits cannot silently overwrite each other.
    """

    email: str
    role: Role
    profile: Profile
    created_at: datetime
    updated_at: datetime
    password_hash: str | None = None
    github_id: int | None = None
    is_active: bool = True
    version: int = 1
    id: UUID = field(default_factory=uuid4)
    #: When the owner proved they read mail at ``email`` (a mailed token, or GitHub's word); ``None``: not yet.
    email_verified_at: datetime | None = None
    #: The terms-and-privacy version the owner last accepted (``None``: none yet, see ``domain.accounts.consents``).
    terms_version: str | None = None

    @property
    def is_mentor(self) -> bool:
        return self.role is Role.MENTOR

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def with_email_verified(self, at: datetime) -> User:
        return replace(self, email_verified_at=at, updated_at=at)

    def with_profile(self, profile: Profile, at: datetime) -> User:
        return replace(self, profile=profile, updated_at=at)

    def with_role(self, role: Role, at: datetime) -> User:
        """A copy with ``role``; a mentor's capacity is dropped or defaulted so the profile stays valid."""
        capacity = (self.profile.mentor_capacity or 1) if role is Role.MENTOR else None
        return replace(self, role=role, profile=replace(self.profile, mentor_capacity=capacity), updated_at=at)

    def with_password_hash(self, password_hash: str, at: datetime) -> User:
        return replace(self, password_hash=password_hash, updated_at=at)
