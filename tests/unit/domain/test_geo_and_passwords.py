"""Distances, bounding boxes and the password policy."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillbridge.domain.accounts.passwords import check_password, common_passwords
from skillbridge.domain.accounts.user import normalise_email
from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.geo import EARTH_RADIUS_KM, GeoPoint, bounding_box, haversine_km

points = st.builds(GeoPoint, st.floats(-90, 90), st.floats(-180, 180))


def test_known_distances() -> None:
    assert haversine_km(GeoPoint(0, 0), GeoPoint(0, 0)) == 0
    assert haversine_km(GeoPoint(0, 0), GeoPoint(0, 1)) == pytest.approx(2 * math.pi * EARTH_RADIUS_KM / 360)
    lagos, nairobi = GeoPoint(6.5244, 3.3792), GeoPoint(-1.2921, 36.8219)
    assert haversine_km(lagos, nairobi) == pytest.approx(3823, rel=0.01)
    assert haversine_km(GeoPoint(0, 0), GeoPoint(0, 180)) == pytest.approx(math.pi * EARTH_RADIUS_KM)


@given(points, points)
def test_distance_is_symmetric_and_bounded(a: GeoPoint, b: GeoPoint) -> None:
    d = haversine_km(a, b)
    assert d == pytest.approx(haversine_km(b, a), abs=1e-6)
    assert 0 <= d <= math.pi * EARTH_RADIUS_KM + 1e-6


@given(points, points, st.floats(1, 5000))
def test_bounding_box_contains_every_point_within_the_radius(center: GeoPoint, other: GeoPoint, radius: float) -> None:
    if haversine_km(center, other) <= radius:
        min_lat, max_lat, min_lon, max_lon = bounding_box(center, radius)
        assert min_lat - 1e-9 <= other.lat <= max_lat + 1e-9
        assert min_lon - 1e-9 <= other.lon <= max_lon + 1e-9


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (-91, 0), (0, 181), (float("nan"), 0), (0, float("inf"))])
def test_points_out_of_range_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(InvalidInput):
        GeoPoint(lat, lon)


def test_password_policy() -> None:
    check_password("kilimanjaro-sunrise-42")
    check_password("x" * 1024)
    for bad in ("short", "password123", "PASSWORD123", "Qwerty123", "x" * 1025):
        with pytest.raises(InvalidInput) as caught:
            check_password(bad)
        assert caught.value.field == "password"
    with pytest.raises(InvalidInput):
        check_password("amara.okafor@example.org", email="amara.okafor@example.org")
    assert len(common_passwords()) >= 10_000


@pytest.mark.parametrize("common", ["italiano", "Stinger1", "monkey11", "danielit", "sunshine", "iloveyou"])
def test_passwords_deep_in_the_common_lists_are_refused(common: str) -> None:
    # Entries around ranks 6,000 to 10,000 of the leaked-password lists, not only the top few hundred.
    with pytest.raises(InvalidInput) as caught:
        check_password(common, field="new_password")
    assert caught.value.field == "new_password"
    check_password(common + "-kilimanjaro")  # positive control: the same word made longer passes


def test_emails_are_normalised() -> None:
    assert normalise_email("  Ada@Example.ORG ") == "ada@example.org"
    for bad in ("no-at-sign", "a@b", "two@@signs.org", "sp ace@x.org", "a" * 250 + "@x.org"):
        with pytest.raises(InvalidInput):
            normalise_email(bad)
