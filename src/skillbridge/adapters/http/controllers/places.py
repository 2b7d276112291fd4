"""/api/v1/places: an autocomplete of place names, for forms where a person types their city."""

from __future__ import annotations

from typing import Annotated, Any

from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter

from skillbridge.adapters.http.access import PLACES
from skillbridge.adapters.http.conditional import conditional_response
from skillbridge.adapters.http.schemas.places import PlaceOut
from skillbridge.application.places import MAX_SUGGESTIONS, MIN_PREFIX, SuggestPlaces
from skillbridge.domain.places import MAX_PLACE_NAME_LENGTH


class PlacesController(Controller):
    path = "/places"
    tags = ["places"]

    @get(
        "/",
        opt=PLACES,
        summary="Places whose names start with q (anonymous; counted per client address)",
        description="At most 10 cities of 15,000 people or more, those whose own name starts with q first, "
        "then by population; names in other scripts and spellings match too. The answer carries an ETag: "
        "send it back in If-None-Match for a body-less 304.",
    )
    async def suggest(
        self,
        request: Request[Any, Any, Any],
        suggest: FromDishka[SuggestPlaces],
        q: Annotated[
            str,
            QueryParameter(
                min_length=MIN_PREFIX,
                max_length=MAX_PLACE_NAME_LENGTH,
                description=f"the start of a city's name, at least {MIN_PREFIX} letters or digits",
            ),
        ],
        country: Annotated[
            str | None,
            QueryParameter(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2"),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_SUGGESTIONS)] = MAX_SUGGESTIONS,
    ) -> Response[list[PlaceOut]]:
        await suggest.ready()
        places = suggest(q, country, limit)
        return conditional_response(request, [PlaceOut.of(place) for place in places])
