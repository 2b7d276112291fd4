"""The right to erasure: what is left of an account once its owner erased it.

The account's row stays as an anonymous placeholder (same id) so that what others hold keeps its shape: a
forum thread keeps its posts, a conversation its messages, a mentor's history its finished mentorships,
the audit trail its entries. The id alone names nobody once the row holds nothing personal: it is the
pseudonym the audit keeps. Everything personal goes: email (replaced by a unique address that can never
receive mail, so the real one may register again), password hash, GitHub id, profile, skills, languages.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from skillbridge.domain.accounts.profile import Profile
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.accounts.user import User

#: The name shown where an erased person's posts and messages keep their place.
ERASED_NAME = "deleted user"
#: The text that replaces a notification that quoted an erased person's message.
ERASED_NOTE = "a message from a deleted user"
#: The domain of placeholder addresses: ``.invalid`` is reserved (RFC 2606) and never resolves.
ERASED_EMAIL_DOMAIN = "erased.invalid"


def placeholder_email(user_id: UUID) -> str:
    """The unique address an erased account keeps in place of its real one."""
    return f"erased-{user_id.hex}@{ERASED_EMAIL_DOMAIN}"


def is_erased(user: User) -> bool:
    """Whether ``user`` is the placeholder of an erased account."""
    return user.email == placeholder_email(user.id)


def erased(user: User, at: datetime) -> User:
    """The placeholder of ``user``: no credentials, no profile, disabled, a learner (an erased mentor or
    admin is nobody's mentor or admin any more, and a learner needs no capacity)."""
    return replace(
        user,
        email=placeholder_email(user.id),
        role=Role.LEARNER,
        profile=Profile(display_name=ERASED_NAME),
        password_hash=None,
        github_id=None,
        is_active=False,
        email_verified_at=None,
        terms_version=None,
        updated_at=at,
    )


@dataclass(frozen=True, slots=True)
class Erasure:
    """One erasure, as the stores carry it out.

    ``traces`` are the strings that identified the person (email, display name, GitHub username): a
    store scrubs them from copies others hold that name the person in free text (a failed job's arguments).
    """

    user_id: UUID
    at: datetime
    traces: tuple[str, ...]

    @classmethod
    def of(cls, user: User, at: datetime) -> Erasure:
        found = (user.email, user.profile.display_name, user.profile.github_username)
        return cls(user_id=user.id, at=at, traces=tuple(trace for trace in found if trace))


@dataclass(frozen=True, slots=True)
class ErasedCounts:
    """How many rows of each kind an erasure removed or emptied (the audit entry's summary)."""

    roadmaps: int = 0
    badges: int = 0
    notifications: int = 0
    chat_messages: int = 0
    forum_posts: int = 0
    sessions: int = 0


def without_traces(details: dict[str, Any], traces: Sequence[str]) -> dict[str, Any]:
    """``details`` without the values that hold one of ``traces`` (compared in lower case, in their JSON
    text): what an audit entry about an erased person keeps. The same rule as PostgreSQL's
    ``skillbridge_pseudonymise_audit`` (migration 0012)."""
    wanted = [trace.lower() for trace in traces if trace]
    return {
        key: value
        for key, value in details.items()
        if not any(trace in json.dumps(value, ensure_ascii=False).lower() for trace in wanted)
    }
