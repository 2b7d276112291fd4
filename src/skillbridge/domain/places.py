"""Places by name: what a gazetteer entry is, how a typed name is read, and when one name is one place.

A person knows their city, not their latitude. A name such as ``"Lagos, Nigeria"`` or ``"Nairobi, KE"`` is
split into the city and an optional country qualifier; the gazetteer (the ``PlaceDirectory`` port) lists
the places bearing that name, and :func:`choose_place` decides whether the name means one of them.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.geo import GeoPoint
from skillbridge.domain.texts import N_, Param

MAX_PLACE_NAME_LENGTH = 100
#: How many candidates an ambiguous name lists.
MAX_CANDIDATES = 5
#: The most populous place bearing a name is meant when it is this many times as populous as the next one:
#: "Lagos" is Lagos, Nigeria (15 million), not Lagos, Portugal (33 thousand); "Springfield" stays ambiguous.
DOMINANCE_RATIO = 10


@dataclass(frozen=True, slots=True)
class Place:
    """A populated place of the gazetteer: its name, ISO 3166-1 alpha-2 country, point and population."""

    id: int
    name: str
    country: str
    point: GeoPoint
    population: int


@dataclass(frozen=True, slots=True)
class PlaceName:
    """A place as a person types it (``"Lagos"``, ``"Lagos, Nigeria"``, ``"Nairobi, KE"``), not yet resolved."""

    text: str


class UnknownPlace(InvalidInput):
    """No place of the gazetteer bears the name (or none in the country named with it)."""

    code = "unknown-place"


class AmbiguousPlace(InvalidInput):
    """Several places bear the name and none of them stands out: ``candidates`` lists the most populous."""

    code = "ambiguous-place"

    def __init__(
        self, message: str, *, field: str, candidates: Sequence[Place], params: Mapping[str, Param] | None = None
    ) -> None:
        super().__init__(message, field=field, params=params)
        self.candidates = tuple(candidates)


@functools.cache
def _combining() -> dict[int, None]:
    """Every combining character (accents and other marks), mapped to nothing for ``str.translate``; found on
    first use (~0.15 s, by C-level iteration over every code point: a comprehension would run a Python line
    per code point), not at import, which every process pays."""
    return dict.fromkeys(itertools.compress(range(0x110000), map(unicodedata.combining, map(chr, range(0x110000)))))


#: A word: a run of letters and digits of any script (``\w`` without the underscore; ``\w`` is ``isalnum`` or ``_``).
_WORD = re.compile(r"[^\W_]+")


def name_key(text: str) -> str:
    """The form under which names are compared: accents dropped, case folded, punctuation and spacing as
    single spaces (``"Addis-Abéba"`` -> ``"addis abeba"``). Letters of every script are kept.

    Written with ``translate`` and a regular expression, not a loop over characters: the gazetteer keys about a
    million alternate names with it when it loads."""
    bare = unicodedata.normalize("NFKD", text).translate(_combining()).casefold()
    return " ".join(_WORD.findall(bare))


@dataclass(frozen=True, slots=True)
class PlaceQuery:
    """A typed place name, read: the city's name and the country qualifier after the last comma, if any."""

    name: str
    qualifier: str | None = None

    @classmethod
    def parse(cls, text: str, field: str) -> PlaceQuery:
        """Read ``text``; raise :class:`InvalidInput` (on ``field``) when it names nothing."""
        stripped = text.strip()
        if len(stripped) > MAX_PLACE_NAME_LENGTH:
            raise InvalidInput(
                N_("a place name is at most {max_place_name_length} characters"),
                field=field,
                params={"max_place_name_length": MAX_PLACE_NAME_LENGTH},
            )
        name, comma, qualifier = stripped.rpartition(",")
        if not comma:
            name, qualifier = stripped, ""
        if not name_key(name):
            raise InvalidInput(N_("name a city, for example 'Lagos' or 'Nairobi, KE'"), field=field)
        return cls(name=name.strip(), qualifier=qualifier.strip() or None)


def choose_place(query: PlaceQuery, matches: Sequence[Place], field: str) -> Place:
    """The place ``query`` means among ``matches`` (the places bearing its name, in its country if named).

    Rules: no match is an :class:`UnknownPlace`; one match, or a most populous match at least
    ``DOMINANCE_RATIO`` times as populous as every other, is the place; otherwise the name is an
    :class:`AmbiguousPlace` listing up to ``MAX_CANDIDATES`` matches, most populous first.
    """
    if not matches:
        if query.qualifier:
            raise UnknownPlace(
                N_("no city called {name} in {country} is known"),
                field=field,
                params={"name": repr(query.name), "country": query.qualifier},
            )
        raise UnknownPlace(N_("no city called {name} is known"), field=field, params={"name": repr(query.name)})
    ranked = sorted(matches, key=lambda place: (-place.population, place.id))
    first = ranked[0]
    runner_up = ranked[1].population if len(ranked) > 1 else -1
    if first.population > runner_up and first.population >= DOMINANCE_RATIO * runner_up:
        return first
    message = (
        N_("several cities are called {name} in {country}; add the country, as in '{example}'")
        if query.qualifier
        else N_("several cities are called {name}; add the country, as in '{example}'")
    )
    raise AmbiguousPlace(
        message,
        field=field,
        candidates=ranked[:MAX_CANDIDATES],
        params={
            "name": repr(query.name),
            "country": query.qualifier or "",
            "example": f"{query.name}, {first.country}",
        },
    )
