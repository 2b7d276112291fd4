"""PlaceDirectory port: the gazetteer that names resolve against."""

from __future__ import annotations

from typing import Protocol

from skillbridge.domain.places import Place


class PlaceDirectory(Protocol):
    """A kept list of populated places, searched by name offline.

    Names compare by :func:`~skillbridge.domain.places.name_key` (accents, case and punctuation do not
    count) and match a place's own name or any of its alternate names (other scripts and spellings:
    "Ndakaaru" is Dakar, "Addis Abeba" is Addis Ababa).
    """

    async def load(self) -> None:
        """Have the gazetteer in memory. The first call reads it (seconds) without holding up the event
        loop, and the calls made meanwhile wait for that read; later calls return at once. The lookups
        below work without it, but would read the gazetteer on the loop's thread."""
        ...

    def country_code(self, name: str) -> str | None:
        """The ISO 3166-1 alpha-2 code of the country ``name`` denotes (its code, ISO alpha-3 code or
        English name, in any case), or None when it denotes none."""
        ...

    def named(self, name: str, country: str | None = None) -> list[Place]:
        """Every place bearing ``name`` (in ``country``, an alpha-2 code, when given), each once, in no
        particular order."""
        ...

    def starting_with(self, prefix: str, country: str | None = None, limit: int = 10) -> list[Place]:
        """At most ``limit`` places one of whose names starts with ``prefix`` (in ``country`` when given),
        most populous first, each once."""
        ...
