"""Places by name over HTTP: profiles located by name, mentor search near a place, and the autocomplete.

Expected places come from GeoNames' raw file (:mod:`tests.support.gazetteer`), never from the API.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from litestar.testing import AsyncTestClient

from skillbridge.main import Settings
from tests.integration.helpers import Api, register_body
from tests.support import gazetteer
from tests.support.apps import build_test_app

pytestmark = pytest.mark.asyncio

PLACES = "/api/v1/places"
MENTORS = "/api/v1/users/mentors"


async def test_registering_with_a_location_by_name_stores_city_country_and_point(api: Api) -> None:
    dakar = gazetteer.named("Dakar")[0]
    headers = await api.token_for("ndakaaru@example.org", location="Ndakaaru")
    location = (await api.client.get("/api/v1/users/me", headers=headers)).json()["profile"]["location"]
    assert location == {"lat": dakar.lat, "lon": dakar.lon, "city": dakar.name, "country": dakar.country}


async def test_patching_the_location_by_name_flat_or_nested(api: Api) -> None:
    headers = await api.token_for("mover@example.org")
    addis = gazetteer.named("Addis Abeba")[0]
    flat = await api.client.patch("/api/v1/users/me", json={"location": "Addis Abeba"}, headers=headers)
    assert flat.status_code == 200, flat.text
    assert flat.json()["profile"]["location"]["city"] == addis.name
    nairobi = next(c for c in gazetteer.named("Nairobi") if c.country == "KE")
    nested = await api.client.patch("/api/v1/users/me", json={"profile": {"location": "Nairobi, KE"}}, headers=headers)
    assert nested.status_code == 200, nested.text
    assert nested.json()["profile"]["location"] == {
        "lat": nairobi.lat,
        "lon": nairobi.lon,
        "city": "Nairobi",
        "country": "KE",
    }


async def test_an_ambiguous_location_is_a_422_listing_candidates_and_nothing_is_stored(api: Api) -> None:
    name = gazetteer.ambiguous_names()[0]
    expected = [{"name": c.name, "country": c.country, "population": c.population} for c in gazetteer.named(name)[:5]]
    refused = await api.client.post("/api/v1/auth/register", json=register_body("amb@example.org", location=name))
    assert refused.status_code == 422
    body = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert body["field"] == "profile.location"
    assert body["type"].endswith("/ambiguous-place")
    assert body["candidates"] == expected
    # Nothing was created: the same address registers once the place is named with its country.
    city = gazetteer.named(name)[0]
    accepted = await api.client.post(
        "/api/v1/auth/register", json=register_body("amb@example.org", location=f"{name}, {city.country}")
    )
    assert accepted.status_code == 201, accepted.text


async def test_an_unknown_location_is_a_422_that_says_so_and_keeps_the_old_one(api: Api) -> None:
    assert gazetteer.is_unknown("Zqxwv Blorptown")
    headers = await api.token_for("unknown@example.org")
    before = (await api.client.get("/api/v1/users/me", headers=headers)).json()["profile"]["location"]
    refused = await api.client.patch("/api/v1/users/me", json={"location": "Zqxwv Blorptown"}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["field"] == "profile.location"
    assert refused.json()["type"].endswith("/unknown-place")
    assert "Zqxwv Blorptown" in refused.json()["detail"]
    after = (await api.client.get("/api/v1/users/me", headers=headers)).json()["profile"]["location"]
    assert after == before is not None


async def test_mentor_search_near_a_place_orders_by_distance_like_the_same_coordinates(api: Api) -> None:
    await api.register("kigali-mentor@example.org", role="mentor", location="Kigali")
    await api.register("dakar-mentor@example.org", role="mentor", location="Dakar")
    headers = await api.token_for("seeker@example.org")
    kigali = gazetteer.named("Kigali")[0]
    by_name = await api.client.get(MENTORS, params={"near": "Kigali"}, headers=headers)
    by_point = await api.client.get(MENTORS, params={"lat": kigali.lat, "lon": kigali.lon}, headers=headers)
    assert by_name.status_code == 200, by_name.text
    assert [m["city"] for m in by_name.json()["items"]] == ["Kigali", "Dakar"]
    assert by_name.json()["items"] == by_point.json()["items"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"near": "Kigali", "lat": "1.0", "lon": "2.0"}, "near"),
        ({"near": "Zqxwv Blorptown"}, "near"),
        ({"near": "Springfield"}, "near"),
    ],
)
async def test_mentor_search_refuses_near_with_coordinates_and_unresolvable_places(
    api: Api, params: dict[str, str], field: str
) -> None:
    assert len(gazetteer.named("Springfield")) > 1
    headers = await api.token_for("near@example.org")
    response = await api.client.get(MENTORS, params=params, headers=headers)
    assert response.status_code == 422
    assert response.json()["field"] == field


async def test_the_autocomplete_is_anonymous_small_and_at_most_ten(api: Api) -> None:
    response = await api.client.get(PLACES, params={"q": "Lag", "country": "NG"})
    assert response.status_code == 200, response.text
    items = response.json()
    lagos = next(c for c in gazetteer.named("Lagos") if c.country == "NG")
    assert items[0] == {
        "name": "Lagos",
        "country": "NG",
        "lat": lagos.lat,
        "lon": lagos.lon,
        "population": lagos.population,
    }
    assert all(item["country"] == "NG" for item in items)
    many = await api.client.get(PLACES, params={"q": "Sa"})
    assert len(many.json()) == 10
    assert len(many.content) < 1500  # small enough for one packet or two on a weak connection


async def test_the_autocomplete_answers_304_to_its_own_etag_and_200_to_another(api: Api) -> None:
    first = await api.client.get(PLACES, params={"q": "Nai"})
    etag = first.headers["etag"]
    again = await api.client.get(PLACES, params={"q": "Nai"}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = await api.client.get(PLACES, params={"q": "Kig"}, headers={"If-None-Match": etag})
    assert other.status_code == 200
    assert other.headers["etag"] != etag


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "L"}, "q"),
        ({"q": "Lag", "country": "Nigeria"}, "country"),
        ({"q": "Lag", "limit": "11"}, "limit"),
    ],
)
async def test_the_autocomplete_refuses_bad_queries_with_the_field(
    api: Api, params: dict[str, str], field: str
) -> None:
    response = await api.client.get(PLACES, params=params)
    assert response.status_code == 422
    assert response.json()["field"] == field


async def test_the_autocomplete_without_q_is_a_malformed_request(api: Api) -> None:
    # As every route answers a missing required query parameter: 400, the request is not one it can take.
    response = await api.client.get(PLACES)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_the_autocomplete_is_counted_per_address_whoever_calls(make_settings: Callable[..., Settings]) -> None:
    async with AsyncTestClient(app=build_test_app(make_settings(rate_limit_per_minute=3))) as client:
        await client.post("/api/v1/auth/register", json=register_body("typist@example.org"))
        login = await client.post(
            "/api/v1/auth/login", json={"email": "typist@example.org", "password": "kilimanjaro-sunrise-42"}
        )
        signed_in = {"Authorization": f"Bearer {login.json()['access_token']}"}
        statuses = [(await client.get(PLACES, params={"q": "Lag"})).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        # A token buys no new budget here: the address has spent its own.
        refused = await client.get(PLACES, params={"q": "Lag"}, headers=signed_in)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        # Positive control: the rest of the API counts on another budget.
        assert (await client.get("/api/v1/domains")).status_code == 200
