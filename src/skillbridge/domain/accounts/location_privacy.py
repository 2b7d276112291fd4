"""Where other people see a user: a public point, and distances in bands.

A user's stored point is never used for a distance that someone else sees. Instead each user has a
*public point*: their point moved by a keyed, stable displacement (a bearing and 3.5 to 5.5 km, both from an
HMAC of the user id and the point's grid cell under a server key), then snapped to a grid of
:data:`GRID_DEGREES`. It lies between :data:`MIN_PUBLIC_OFFSET_KM` and :data:`MAX_PUBLIC_OFFSET_KM` from
the true point, in a direction nobody without the key can know, and it stays the same however often it
is asked for, so averaging many answers converges on the public point, never on the true one. Distances
shown to others are then cut into bands of :data:`BAND_KM`: even perfect knowledge of the public point
leaves the true point more than 2 km away.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from uuid import UUID

from skillbridge.domain.geo import EARTH_RADIUS_KM, GeoPoint, haversine_km

#: Width of a distance band: others learn that a distance is 5-10 km, never 7.3 km.
BAND_KM = 5
#: The grid public points are snapped to (0.01 degree: 1.1 km of latitude).
GRID_DEGREES = 0.01
#: The displacement before snapping.
MIN_SHIFT_KM = 3.5
MAX_SHIFT_KM = 5.5
#: Snapping moves a point by at most half a grid cell's diagonal (0.79 km at the equator, less elsewhere).
_HALF_CELL_KM = math.hypot(1.0, 1.0) * (GRID_DEGREES / 2) * math.pi / 180 * EARTH_RADIUS_KM
#: The nearest and farthest a public point lies from the true one.
MIN_PUBLIC_OFFSET_KM = MIN_SHIFT_KM - _HALF_CELL_KM
MAX_PUBLIC_OFFSET_KM = MAX_SHIFT_KM + _HALF_CELL_KM
#: What the key of the public points is derived from the server's secret with.
_KEY_PURPOSE = b"skillbridge/location-privacy/v1"


def snapped(point: GeoPoint) -> GeoPoint:
    """``point`` rounded to the grid (the form in which any point of another user may be shown)."""
    lat = min(90.0, max(-90.0, round(round(point.lat / GRID_DEGREES) * GRID_DEGREES, 2)))
    return GeoPoint(lat, round(round(point.lon / GRID_DEGREES) * GRID_DEGREES, 2))


def destination(origin: GeoPoint, bearing: float, km: float) -> GeoPoint:
    """The point ``km`` from ``origin`` along the great circle leaving it at ``bearing`` (radians from north)."""
    phi1, lam1 = math.radians(origin.lat), math.radians(origin.lon)
    delta = km / EARTH_RADIUS_KM
    sin_phi2 = math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(bearing)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam1 + math.atan2(
        math.sin(bearing) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * sin_phi2
    )
    lon = (math.degrees(lam2) + 540.0) % 360.0 - 180.0
    return GeoPoint(max(-90.0, min(90.0, math.degrees(phi2))), lon)


def band_of(km: float) -> tuple[int, int]:
    """The band ``km`` falls in, as ``(lower, upper)`` kilometres: 7.3 -> (5, 10), 10.0 -> (10, 15)."""
    lower = math.floor(km / BAND_KM) * BAND_KM
    return lower, lower + BAND_KM


def band_floor_km(km: float) -> float:
    """The distance as others see it in a number: its band's lower bound (``7.3`` -> ``5.0``)."""
    return float(band_of(km)[0])


def band_label(km: float) -> str:
    """The band of ``km`` as shown: ``"5-10"``."""
    lower, upper = band_of(km)
    return f"{lower}-{upper}"


def within_band(km: float, radius_km: float) -> bool:
    """Whether ``km`` is "within ``radius_km``" when only bands may be compared: the radius is rounded up to
    a whole band, and a distance is within it when its whole band is (so the answer depends on the band
    alone, and stepping the radius learns nothing finer)."""
    return band_of(km)[1] <= math.ceil(radius_km / BAND_KM) * BAND_KM


@dataclass(frozen=True, slots=True)
class LocationPrivacy:
    """The keyed rule that turns a user's point into their public point.

    Build it with :meth:`from_secret`; the same secret gives the same public points in every process.
    """

    key: bytes

    @classmethod
    def from_secret(cls, secret: str) -> LocationPrivacy:
        """The rule keyed with a sub-key of ``secret`` (the server's secret is never used directly)."""
        return cls(hmac.new(secret.encode(), _KEY_PURPOSE, hashlib.sha256).digest())

    def public_point(self, user_id: UUID, point: GeoPoint) -> GeoPoint:
        """The public point of ``user_id`` standing at ``point``: stable for the same user and grid cell."""
        cell = snapped(point)
        message = f"{user_id}|{cell.lat:.2f}|{cell.lon:.2f}".encode()
        digest = hmac.new(self.key, message, hashlib.sha256).digest()
        bearing = 2 * math.pi * int.from_bytes(digest[:8], "big") / 2**64
        shift = MIN_SHIFT_KM + (MAX_SHIFT_KM - MIN_SHIFT_KM) * int.from_bytes(digest[8:16], "big") / 2**64
        return snapped(destination(point, bearing, shift))

    def public_distance_km(self, origin: GeoPoint, user_id: UUID, point: GeoPoint) -> float:
        """The distance from ``origin`` to the public point of ``user_id`` standing at ``point``."""
        return haversine_km(origin, self.public_point(user_id, point))
