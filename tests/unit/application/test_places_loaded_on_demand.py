"""The gazetteer is loaded only for a profile that names its place: one located by coordinates, or not at all,
never pays for it (seconds of CPU and tens of megabytes the first time in a process)."""

from __future__ import annotations

from skillbridge.application.places import ResolvePlace
from skillbridge.domain.accounts.profile import LocationInput, ProfileInput
from skillbridge.domain.geo import GeoPoint
from skillbridge.domain.places import Place, PlaceName

LAGOS = Place(id=2332459, name="Lagos", country="NG", point=GeoPoint(6.45, 3.39), population=9_000_000)


class CountingDirectory:
    """A one-city directory that records each load."""

    def __init__(self) -> None:
        self.loads = 0

    async def load(self) -> None:
        self.loads += 1

    def country_code(self, name: str) -> str | None:
        return "NG" if name.strip().upper() in {"NG", "NIGERIA"} else None

    def named(self, name: str, country: str | None = None) -> list[Place]:
        return [LAGOS] if name.strip().casefold() == "lagos" and country in (None, "NG") else []

    def starting_with(self, prefix: str, country: str | None = None, limit: int = 10) -> list[Place]:
        return []


async def test_only_a_place_given_by_name_loads_the_gazetteer() -> None:
    directory = CountingDirectory()
    resolve = ResolvePlace(directory)
    await resolve.ready_for(ProfileInput(location=None))
    await resolve.ready_for(ProfileInput(location=LocationInput(lat=6.5, lon=3.4)))
    assert directory.loads == 0
    named = ProfileInput(location=PlaceName("Lagos, NG"))
    await resolve.ready_for(named)  # positive control
    assert directory.loads == 1
    located = resolve.location_of(named).location
    assert located == LocationInput(lat=6.45, lon=3.39, city="Lagos", country="NG")
