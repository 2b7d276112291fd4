"""Consent: the terms and privacy notice an account accepted, and its optional choices.

The terms (with the privacy notice) are accepted as a whole, by version: registration requires the version
in force, and when the version changes every account must accept the new one before it writes again. The
optional consents (a weekly email digest, product analytics) are off until granted and may be withdrawn at
any time; each is stored with when it was given or withdrawn and the terms version then in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from skillbridge.domain.errors import Forbidden, InvalidInput
from skillbridge.domain.texts import N_

#: The longest terms version (a date, a tag): what ``consents.version`` holds.
MAX_VERSION_LENGTH = 40
#: Where a refused write points the client.
CONSENT_CALL = "PATCH /api/v1/users/me/consents with the current accepted_terms_version"


class ConsentKind(StrEnum):
    TERMS = "terms"
    EMAIL_DIGEST = "email_digest"
    PRODUCT_ANALYTICS = "product_analytics"


#: The consents an account may give or withdraw as it likes.
OPTIONAL_KINDS = (ConsentKind.EMAIL_DIGEST, ConsentKind.PRODUCT_ANALYTICS)


@dataclass(frozen=True, slots=True)
class Consent:
    """One account's choice of one kind: granted or not, under which terms version, when."""

    user_id: UUID
    kind: ConsentKind
    granted: bool
    version: str
    at: datetime


class ConsentRequired(Forbidden):
    """The account has not accepted the terms version in force: it may read, and must accept before writing."""

    code = "consent-required"


def check_accepted_version(given: str | None, current: str, *, field: str = "accepted_terms_version") -> None:
    """Raise InvalidInput on ``field`` unless ``given`` is the terms version in force (``current``)."""
    if given is None:
        raise InvalidInput(
            N_("accept the terms and privacy notice: send {field} = {current}"),
            field=field,
            params={"field": field, "current": repr(current)},
        )
    if given != current:
        raise InvalidInput(
            N_("the terms version in force is {current}, not {given}; read it and accept it"),
            field=field,
            params={"current": repr(current), "given": repr(given)},
        )
