"""Reading typed place names and deciding when a name means one place."""

from __future__ import annotations

import unicodedata

import pytest

from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.geo import GeoPoint
from skillbridge.domain.places import AmbiguousPlace, Place, PlaceQuery, UnknownPlace, choose_place, name_key


def place(id: int, population: int, country: str = "NG", name: str = "Town") -> Place:
    return Place(id=id, name=name, country=country, point=GeoPoint(1.0, 2.0), population=population)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Addis-Abéba", "addis abeba"),
        ("  SÃO   Paulo ", "sao paulo"),
        ("Ndakaaru", "ndakaaru"),
        ("Лагос", "лагос"),
        ("St. Louis", "st louis"),
    ],
)
def test_name_keys_ignore_accents_case_and_punctuation_but_keep_scripts(text: str, key: str) -> None:
    assert name_key(text) == key


def _key_char_by_char(text: str) -> str:
    """The rule read literally, one character at a time: decompose, drop every combining mark, fold the case,
    and keep the runs of letters and digits, one space apart."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join("".join(char if char.isalnum() else " " for char in bare).split())


@pytest.mark.parametrize(
    "text",
    [
        # Every code point but the surrogates, in one text: each one's decomposition, marks, case and class.
        "".join(chr(point) for point in range(0x110000) if not 0xD800 <= point <= 0xDFFF),
        "İstanbul",  # decomposed first: its dot is a mark, dropped before the case is folded
        "snake_case__and  spaces",  # the underscore is no letter
        "x\u0301\u0302y ǅemal ﬁnal ١٢٣",
    ],
    ids=["every-code-point", "dotted-capital-i", "underscores", "marks-ligatures-digits"],
)
def test_the_name_key_is_the_rule_applied_character_by_character(text: str) -> None:
    assert name_key(text) == _key_char_by_char(text)


@pytest.mark.parametrize(
    ("text", "name", "qualifier"),
    [
        ("Lagos", "Lagos", None),
        ("Lagos, Nigeria", "Lagos", "Nigeria"),
        (" Nairobi ,KE ", "Nairobi", "KE"),
        ("Washington, D.C., US", "Washington, D.C.", "US"),
        ("Kigali,", "Kigali", None),
    ],
)
def test_a_typed_name_splits_at_its_last_comma(text: str, name: str, qualifier: str | None) -> None:
    assert PlaceQuery.parse(text, "near") == PlaceQuery(name, qualifier)


@pytest.mark.parametrize("text", ["", "   ", ", NG", "--", "x" * 101])
def test_a_name_without_letters_or_too_long_is_refused_on_its_field(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        PlaceQuery.parse(text, "profile.location")
    assert caught.value.field == "profile.location"


def test_no_match_is_an_unknown_place() -> None:
    with pytest.raises(UnknownPlace) as caught:
        choose_place(PlaceQuery("Atlantis"), [], "near")
    assert caught.value.field == "near"
    assert "Atlantis" in caught.value.message


def test_one_match_is_the_place() -> None:
    only = place(1, 500)
    assert choose_place(PlaceQuery("Town"), [only], "near") is only


def test_a_far_more_populous_match_is_the_place_at_exactly_ten_times() -> None:
    big, small = place(1, 10_000), place(2, 1_000)
    assert choose_place(PlaceQuery("Town"), [small, big], "near") is big


def test_just_under_ten_times_is_ambiguous() -> None:
    with pytest.raises(AmbiguousPlace) as caught:
        choose_place(PlaceQuery("Town"), [place(1, 9_999), place(2, 1_000)], "near")
    assert [candidate.id for candidate in caught.value.candidates] == [1, 2]


def test_an_ambiguous_name_lists_the_five_most_populous_in_order() -> None:
    matches = [place(id, population) for id, population in enumerate([5, 60, 20, 70, 10, 40, 30], start=1)]
    with pytest.raises(AmbiguousPlace) as caught:
        choose_place(PlaceQuery("Town", "NG"), matches, "profile.location")
    assert [c.population for c in caught.value.candidates] == [70, 60, 40, 30, 20]
    assert caught.value.field == "profile.location"


def test_places_without_population_never_win_by_default() -> None:
    with pytest.raises(AmbiguousPlace):
        choose_place(PlaceQuery("Town"), [place(1, 0), place(2, 0)], "near")
