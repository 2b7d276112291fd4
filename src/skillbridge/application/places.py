"""Places by name: resolving what a person types to one place, and suggesting places as they type."""

from __future__ import annotations

from dataclasses import replace

from skillbridge.application.ports.place_directory import PlaceDirectory
from skillbridge.domain.accounts.profile import LocationInput, ProfileInput
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.places import Place, PlaceName, PlaceQuery, UnknownPlace, choose_place, name_key
from skillbridge.domain.texts import N_

#: The most suggestions one call returns: enough for a picker on a small screen, a small payload.
MAX_SUGGESTIONS = 10
#: One letter matches a tenth of the world's cities: suggestions start at the second.
MIN_PREFIX = 2


class ResolvePlace:
    """Turn a typed place name into one place of the gazetteer.

    Rules:
    - the text is a city, optionally followed by a comma and its country, given as an ISO alpha-2 or
      alpha-3 code or its English name ("Lagos, Nigeria", "Nairobi, KE");
    - a country that is none of these is an unknown place (422 on ``field``), never ignored;
    - names match in any script or spelling the gazetteer knows, without regard to accents or case;
    - no match: :class:`~skillbridge.domain.places.UnknownPlace`; several, none far more populous than the
      rest: :class:`~skillbridge.domain.places.AmbiguousPlace` listing up to 5 candidates.
    """

    def __init__(self, places: PlaceDirectory) -> None:
        self._places = places

    async def ready(self) -> None:
        """Load the gazetteer if it is not yet (see :meth:`PlaceDirectory.load`); call before resolving."""
        await self._places.load()

    async def ready_for(self, raw: ProfileInput) -> None:
        """:meth:`ready`, when ``raw`` names its place: a profile located by coordinates, or not at all,
        never waits for the gazetteer (seconds of CPU and tens of megabytes, the first time in a process)."""
        if isinstance(raw.location, PlaceName):
            await self.ready()

    def __call__(self, text: str, field: str = "near") -> Place:
        query = PlaceQuery.parse(text, field)
        country = None
        if query.qualifier is not None:
            country = self._places.country_code(query.qualifier)
            if country is None:
                raise UnknownPlace(
                    N_("no country called {qualifier} is known"),
                    field=field,
                    params={"qualifier": repr(query.qualifier)},
                )
        return choose_place(query, self._places.named(query.name, country), field)

    def location_of(self, raw: ProfileInput, field: str = "profile.location") -> ProfileInput:
        """``raw`` with a location given by name replaced by the place's point, city and country."""
        if not isinstance(raw.location, PlaceName):
            return raw
        place = self(raw.location.text, field)
        located = LocationInput(lat=place.point.lat, lon=place.point.lon, city=place.name, country=place.country)
        return replace(raw, location=located)


class SuggestPlaces:
    """Places whose names start with what a person has typed so far (an autocomplete).

    Rules: at most ``MAX_SUGGESTIONS``, most populous first; a ``country`` must be an ISO alpha-2 code the
    gazetteer knows (422 on ``country`` otherwise); a prefix of fewer than ``MIN_PREFIX`` letters or digits
    is refused (422 on ``q``).
    """

    def __init__(self, places: PlaceDirectory) -> None:
        self._places = places

    async def ready(self) -> None:
        """Load the gazetteer if it is not yet (see :meth:`PlaceDirectory.load`); call before suggesting."""
        await self._places.load()

    def __call__(self, prefix: str, country: str | None = None, limit: int = MAX_SUGGESTIONS) -> list[Place]:
        if len(name_key(prefix)) < MIN_PREFIX:
            raise InvalidInput(
                N_("type at least {min_prefix} letters or digits of the place"),
                field="q",
                params={"min_prefix": MIN_PREFIX},
            )
        code = None
        if country is not None:
            code = self._places.country_code(country)
            if code is None or code != country.strip().upper():
                raise InvalidInput(N_("a country is an ISO 3166-1 alpha-2 code such as 'NG' or 'KE'"), field="country")
        return self._places.starting_with(prefix, code, min(max(1, limit), MAX_SUGGESTIONS))
