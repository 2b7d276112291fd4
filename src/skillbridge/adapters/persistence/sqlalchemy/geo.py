"""Great-circle distance in SQL, so that a search by distance filters, orders and pages in the database.

PostgreSQL computes the Haversine formula inline with its trigonometric functions. SQLite has no reliable
trigonometry, so each SQLite connection gets a ``haversine_km`` function (:func:`register_sqlite_functions`)
that calls the domain's own formula. Both follow :func:`skillbridge.domain.geo.haversine_km`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from skillbridge.domain.geo import EARTH_RADIUS_KM, GeoPoint, haversine_km

SQLITE_FUNCTION = "haversine_km"


class _HaversineKm(GenericFunction[float]):
    """``haversine_km(lat, lon, from_lat, from_lon)``: NULL when the row has no coordinates."""

    type = Float()
    name = SQLITE_FUNCTION
    inherit_cache = True


@compiles(_HaversineKm, "postgresql")
def _haversine_in_postgres(element: _HaversineKm, compiler: SQLCompiler, **kw: Any) -> str:
    lat, lon, from_lat, from_lon = (compiler.process(arg, **kw) for arg in element.clauses)
    h = (
        f"power(sin((radians({lat}) - radians({from_lat})) / 2), 2) + cos(radians({from_lat})) * "
        f"cos(radians({lat})) * power(sin((radians({lon}) - radians({from_lon})) / 2), 2)"
    )
    return f"(2 * {EARTH_RADIUS_KM!r} * asin(least(1.0, sqrt({h}))))"


def distance_km(lat: Any, lon: Any, origin: GeoPoint) -> ColumnElement[float]:
    """The distance in kilometres from ``origin`` to the point in the columns ``lat``, ``lon``."""
    return _HaversineKm(lat, lon, origin.lat, origin.lon)


def _sqlite_haversine(lat: float | None, lon: float | None, from_lat: float, from_lon: float) -> float | None:
    if lat is None or lon is None:
        return None
    return haversine_km(GeoPoint(from_lat, from_lon), GeoPoint(lat, lon))


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """Give one SQLite connection the functions the queries above use."""
    dbapi_connection.create_function(SQLITE_FUNCTION, 4, _sqlite_haversine, deterministic=True)
