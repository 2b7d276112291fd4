"""The roles a user can hold."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user is on the platform. Only an admin makes admins; nobody registers as one."""

    LEARNER = "learner"
    MENTOR = "mentor"
    ADMIN = "admin"


#: Roles open to self-registration.
SELF_SERVICE_ROLES = frozenset({Role.LEARNER, Role.MENTOR})
