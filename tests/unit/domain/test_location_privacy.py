"""Public points: a keyed, stable displacement of a user's point, and distances in 5 km bands."""

from __future__ import annotations

import math
from uuid import UUID, uuid4

from hypothesis import given
from hypothesis import strategies as st

from skillbridge.domain.accounts.location_privacy import LocationPrivacy, band_label, band_of, within_band
from skillbridge.domain.geo import GeoPoint

PRIVACY = LocationPrivacy.from_secret("a-test-secret-of-at-least-32-bytes-long")
USER = UUID("018f0000-0000-7000-8000-000000000001")


def _km(a: GeoPoint, b: GeoPoint) -> float:
    """Haversine written out here, independently of the code under test."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@given(
    lat=st.floats(min_value=-85, max_value=85),
    lon=st.floats(min_value=-180, max_value=180),
    user=st.uuids(),
)
def test_a_public_point_lies_between_2_and_6_5_km_from_the_true_one_on_the_grid(
    lat: float, lon: float, user: UUID
) -> None:
    true = GeoPoint(lat, lon)
    public = PRIVACY.public_point(user, true)
    assert 2.0 < _km(true, public) < 6.5
    assert (round(public.lat, 2), round(public.lon, 2)) == (public.lat, public.lon)


def test_the_public_point_is_stable_and_depends_on_user_and_key() -> None:
    lagos = GeoPoint(6.5244, 3.3792)
    first = PRIVACY.public_point(USER, lagos)
    assert PRIVACY.public_point(USER, lagos) == first  # asking again never averages out
    assert PRIVACY.public_point(uuid4(), lagos) != first
    assert LocationPrivacy.from_secret("another-secret-of-at-least-32-bytes!!").public_point(USER, lagos) != first


def test_directions_spread_around_the_compass() -> None:
    """Positive control of the key's effect: many users at one point end up in every quadrant."""
    origin = GeoPoint(0.0, 0.0)
    quadrants = set()
    for _ in range(64):
        public = PRIVACY.public_point(uuid4(), origin)
        quadrants.add((public.lat > 0, public.lon > 0))
    assert len(quadrants) == 4


def test_bands_are_5_km_wide_and_within_compares_whole_bands() -> None:
    assert band_of(0.0) == (0, 5)
    assert band_of(7.3) == (5, 10)
    assert band_of(10.0) == (10, 15)
    assert band_label(12.9) == "10-15"
    # within_km=3 means "within the 0-5 band": the radius rounds up to a whole band.
    assert within_band(4.9, 3) is True
    assert within_band(5.0, 3) is False
    assert within_band(9.99, 6) is True
    assert within_band(10.0, 10) is False
