"""The password policy (NIST SP 800-63B style: long enough, not a known-common password, no other rules)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources

from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.texts import N_

MIN_PASSWORD_LENGTH = 8
# Long passphrases are welcome. The cap exists only so a megabyte "password" cannot tie up the hasher;
# argon2 hashes every byte, nothing is truncated.
MAX_PASSWORD_LENGTH = 1024


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The packaged list of passwords that attackers try first (compared case-insensitively)."""
    text = resources.files("skillbridge.domain.data").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def check_password(password: str, *, email: str | None = None, field: str = "password") -> None:
    """Raise :class:`InvalidInput` (naming ``field``) unless ``password`` meets the policy."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            N_("a password has at least {min_password_length} characters"),
            field=field,
            params={"min_password_length": MIN_PASSWORD_LENGTH},
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            N_("a password has at most {max_password_length} characters"),
            field=field,
            params={"max_password_length": MAX_PASSWORD_LENGTH},
        )
    lowered = password.lower()
    if lowered in common_passwords():
        raise InvalidInput(N_("this password is too common; choose another"), field=field)
    if email is not None and lowered in {email.lower(), email.split("@", 1)[0].lower()}:
        raise InvalidInput(N_("a password must not be the email address"), field=field)


def normalise_password(password: str) -> str:
    """NFKC form of ``password`` (NIST SP 800-63B 5.1.1.2).

    An "e" with a combining accent and a precomposed "é" look the same on every keyboard and must unlock
    the same account, so both hashing and verification see the normalised form.
    """
    return unicodedata.normalize("NFKC", password)
