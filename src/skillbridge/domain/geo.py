"""Points on Earth and the great-circle distance between them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from skillbridge.domain.errors import InvalidInput
from skillbridge.domain.texts import N_

#: Mean Earth radius (IUGG), the same constant the Rust matcher uses, so distances agree to the last digit.
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A WGS84 latitude/longitude pair in degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and -90.0 <= self.lat <= 90.0):
            raise InvalidInput(N_("latitude must be between -90 and 90"), field="lat")
        if not (math.isfinite(self.lon) and -180.0 <= self.lon <= 180.0):
            raise InvalidInput(N_("longitude must be between -180 and 180"), field="lon")


def haversine_km(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance in kilometres (Haversine, clamped so rounding never leaves asin's domain)."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    d_phi = phi2 - phi1
    d_lambda = math.radians(b.lon - a.lon)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(center: GeoPoint, radius_km: float) -> tuple[float, float, float, float]:
    """A lat/lon box that surely contains every point within ``radius_km`` of ``center``.

    Lets a database narrow a distance search with plain indexed comparisons before the exact Haversine
    check. Returns ``(min_lat, max_lat, min_lon, max_lon)``; near a pole or across the antimeridian the
    longitude range widens to the whole circle rather than wrapping.
    """
    d_lat = math.degrees(radius_km / EARTH_RADIUS_KM)
    min_lat, max_lat = center.lat - d_lat, center.lat + d_lat
    if min_lat <= -90 or max_lat >= 90:
        return max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0
    d_lon = math.degrees(radius_km / (EARTH_RADIUS_KM * math.cos(math.radians(center.lat))))
    min_lon, max_lon = center.lon - d_lon, center.lon + d_lon
    if min_lon < -180 or max_lon > 180:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, min_lon, max_lon
