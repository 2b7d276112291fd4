"""Schemas of the place autocomplete."""

from __future__ import annotations

from msgspec import Struct

from skillbridge.domain.places import Place


class PlaceOut(Struct, kw_only=True):
    """A place of the gazetteer, as a suggestion or a candidate: small, for slow connections."""

    name: str
    country: str
    lat: float
    lon: float
    population: int

    @classmethod
    def of(cls, place: Place) -> PlaceOut:
        return cls(
            name=place.name,
            country=place.country,
            lat=place.point.lat,
            lon=place.point.lon,
            population=place.population,
        )
