"""The profile fields other people read, made plain text before a profile is built.

``display_name``, ``bio`` and the city reach other users (mentor search, forum authors, notifications,
match views), so markup in them is removed at input (:meth:`HtmlSanitizer.plain`), as forum titles lose
theirs: what is stored is what anyone is shown.
"""

from __future__ import annotations

from dataclasses import replace

from skillbridge.application.ports.html_sanitizer import HtmlSanitizer
from skillbridge.domain.accounts.profile import LocationInput, ProfileInput


def plain_profile(sanitizer: HtmlSanitizer, raw: ProfileInput) -> ProfileInput:
    """``raw`` with its free-text fields (display name, bio, city) as plain text."""

    def plain(value: str | None) -> str | None:
        return None if value is None else sanitizer.plain(value)

    location = raw.location
    if isinstance(location, LocationInput):
        location = replace(location, city=plain(location.city))
    return replace(raw, display_name=plain(raw.display_name), bio=plain(raw.bio), location=location)
