"""The GeoNames place directory and the place use cases over it, checked against the raw data file.

Expectations come from :mod:`tests.support.gazetteer`, which reads GeoNames' file itself.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from tests.support import gazetteer

from skillbridge.adapters.places import geonames
from skillbridge.adapters.places.geonames import _GEONAMES, GeonamesPlaceDirectory, PlaceIndex, _LazyIndex
from skillbridge.application.places import MAX_SUGGESTIONS, ResolvePlace, SuggestPlaces
from skillbridge.domain.accounts.profile import LocationInput, ProfileInput
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.places import AmbiguousPlace, PlaceName, UnknownPlace

resolve = ResolvePlace(GeonamesPlaceDirectory())
suggest = SuggestPlaces(GeonamesPlaceDirectory())


@pytest.mark.parametrize(
    ("typed", "meant", "country"),
    [
        ("Lagos", "Lagos", "NG"),
        ("Lagos, Nigeria", "Lagos", "NG"),
        ("lagos, nga", "Lagos", "NG"),
        ("Lagos, PT", "Lagos", "PT"),
        ("Nairobi, KE", "Nairobi", "KE"),
        ("Kigali", "Kigali", "RW"),
        ("Dakar", "Dakar", "SN"),
        ("Ndakaaru", "Dakar", "SN"),
        ("Addis Ababa", "Addis Ababa", "ET"),
        ("Addis Abeba", "Addis Ababa", "ET"),
    ],
)
def test_names_in_other_spellings_and_with_a_country_resolve(typed: str, meant: str, country: str) -> None:
    expected = next(city for city in gazetteer.named(meant) if city.country == country)
    place = resolve(typed)
    assert (place.id, place.name, place.country) == (expected.id, expected.name, expected.country)
    assert (place.point.lat, place.point.lon, place.population) == (expected.lat, expected.lon, expected.population)


def test_other_scripts_resolve() -> None:
    dakar = gazetteer.named("Dakar")[0]
    arabic = next(name for name in dakar.names if any("\u0600" <= char <= "\u06ff" for char in name))
    assert resolve(arabic).id == dakar.id
    assert resolve(arabic.upper() + " ").id == dakar.id


def test_a_bare_name_means_the_far_more_populous_city() -> None:
    lagos = gazetteer.named("Lagos")
    assert len(lagos) >= 2 and lagos[0].population >= 10 * lagos[1].population  # the premise, from the data
    assert resolve("Lagos").id == lagos[0].id


@pytest.mark.parametrize("name", gazetteer.ambiguous_names()[:3] + gazetteer.ambiguous_names()[-2:])
def test_ambiguous_names_list_the_five_most_populous_candidates(name: str) -> None:
    expected = [(c.name, c.country, c.population) for c in gazetteer.named(name)[:5]]
    with pytest.raises(AmbiguousPlace) as caught:
        resolve(name, "profile.location")
    assert [(p.name, p.country, p.population) for p in caught.value.candidates] == expected
    assert caught.value.field == "profile.location"


def test_an_ambiguous_name_with_its_country_may_resolve() -> None:
    name = next(
        n
        for n in gazetteer.ambiguous_names()
        if len({c.country for c in gazetteer.named(n)}) == len(gazetteer.named(n))  # one city per country
    )
    city = gazetteer.named(name)[1]
    assert resolve(f"{name}, {city.country}").id == city.id


@pytest.mark.parametrize("typed", ["Zqxwv Blorptown", "Zqxwv Blorptown, NG"])
def test_unknown_names_are_refused(typed: str) -> None:
    assert gazetteer.is_unknown("Zqxwv Blorptown")
    with pytest.raises(UnknownPlace) as caught:
        resolve(typed, "near")
    assert caught.value.field == "near"


def test_a_city_in_another_country_is_unknown_there() -> None:
    assert {city.country for city in gazetteer.named("Kigali")} == {"RW"}
    with pytest.raises(UnknownPlace):
        resolve("Kigali, Kenya")


def test_an_unknown_country_is_refused_not_ignored() -> None:
    with pytest.raises(UnknownPlace) as caught:
        resolve("Lagos, Narnia")
    assert "Narnia" in caught.value.message


def test_a_profile_location_by_name_becomes_the_places_point_city_and_country() -> None:
    dakar = gazetteer.named("Dakar")[0]
    located = resolve.location_of(ProfileInput(location=PlaceName("Ndakaaru")))
    assert located.location == LocationInput(lat=dakar.lat, lon=dakar.lon, city=dakar.name, country=dakar.country)
    coordinates = ProfileInput(location=LocationInput(lat=1.0, lon=2.0))
    assert resolve.location_of(coordinates) is coordinates


def test_suggestions_start_with_the_prefix_own_names_first_then_by_population() -> None:
    found = suggest("Lag", "NG")
    expected = sorted(
        (c for c in gazetteer.cities() if c.country == "NG" and any(n.casefold().startswith("lag") for n in c.names)),
        key=lambda c: (not c.name.casefold().startswith("lag"), -c.population, c.id),
    )[:MAX_SUGGESTIONS]
    assert [p.id for p in found] == [c.id for c in expected]
    assert found[0].name == "Lagos"


def test_suggestions_are_at_most_ten_and_respect_the_limit() -> None:
    assert len([c for c in gazetteer.cities() if c.name.casefold().startswith("sa")]) > MAX_SUGGESTIONS
    assert len(suggest("Sa")) == MAX_SUGGESTIONS
    assert len(suggest("Sa", limit=3)) == 3
    assert len(suggest("Sa", limit=500)) == MAX_SUGGESTIONS


def test_suggestions_for_an_unknown_prefix_are_empty_and_a_control_is_not() -> None:
    assert suggest("Zqxwv") == []
    assert suggest("Kiga")[0].name == "Kigali"


@pytest.mark.parametrize(
    ("prefix", "country", "field"), [("L", None, "q"), ("--", None, "q"), ("Lag", "XX", "country")]
)
def test_suggestions_refuse_short_prefixes_and_unknown_countries(prefix: str, country: str | None, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        suggest(prefix, country)
    assert caught.value.field == field


def test_a_country_name_is_no_country_code_for_suggestions() -> None:
    with pytest.raises(InvalidInput):
        suggest("Lag", "Nigeria")
    assert suggest("Lag", "ng")[0].country == "NG"


def test_the_index_is_built_once_on_first_use_however_many_ask_at_once() -> None:
    built: list[int] = []
    release = threading.Event()

    def build() -> PlaceIndex:
        release.wait(timeout=10)  # hold every caller at the door until all have asked
        built.append(1)
        return PlaceIndex.build([], [])

    lazy = _LazyIndex(build)
    assert built == []  # nothing before the first use
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(lazy.get) for _ in range(8)]
        release.set()
        indexes = {id(future.result(timeout=10)) for future in futures}
    assert built == [1]
    assert len(indexes) == 1
    directory = GeonamesPlaceDirectory(lazy.get)
    assert directory.named("Lagos") == []  # that (empty) index, not GeoNames'
    assert ResolvePlace(GeonamesPlaceDirectory())("Lagos").country == "NG"  # control: the shared GeoNames index


async def test_loading_the_gazetteer_leaves_the_event_loop_free_and_happens_once() -> None:
    gate, builds = threading.Event(), []

    def slow_build() -> PlaceIndex:
        assert gate.wait(10), "the test never opened the gate"
        builds.append(threading.current_thread().name)
        return PlaceIndex.build([], [])

    directory = GeonamesPlaceDirectory(_LazyIndex(slow_build).get)
    loading = asyncio.create_task(directory.load())
    turns = 0
    for _ in range(20):  # the loop keeps serving while the index is being built
        await asyncio.sleep(0)
        turns += 1
    assert (turns, loading.done(), builds) == (20, False, [])
    gate.set()
    await loading
    assert len(builds) == 1 and builds[0] != threading.main_thread().name  # built once, off the loop's thread
    await directory.load()  # loaded: at once, no second build
    assert len(builds) == 1


async def test_once_the_shared_index_is_read_a_new_directory_loads_without_a_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[object] = []

    async def counted(function: object, *args: object) -> object:
        threads.append(function)
        return None

    monkeypatch.setattr(geonames.asyncio, "to_thread", counted)
    await GeonamesPlaceDirectory(_LazyIndex(lambda: PlaceIndex.build([], [])).get).load()
    assert len(threads) == 1  # control: an index not read yet is read in a thread
    _GEONAMES.get()
    await GeonamesPlaceDirectory().load()
    assert len(threads) == 1  # the shared one, already read: no thread
