"""Trilateration fails: no caller places a mentor within 2 km, whatever 3 to 20 points they pick.

Each attack is adaptive and uses what the API documents: distance bands of 5 km from
``GET /users/mentors?lat&lon`` (stepping the query point until the band flips, then bisecting),
``within_km`` rounded up to a whole band (moving the query point until the answer flips), and a learner's
recommendations after moving their own profile location (the band *and* the exact ``distance`` component,
``exp(-km / 500)``). An estimator finds the point most consistent with every answer. The positive control
feeds the very same attack and estimator exact distances to the true point: it then places the mentor
within 2 km, so the estimator is not what fails.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from litestar.testing import AsyncTestClient

from skillbridge.adapters.system.clock import MutableClock
from skillbridge.main import Settings
from tests.integration.conftest import ClockProvider
from tests.integration.helpers import Api
from tests.support.apps import build_test_app

pytestmark = pytest.mark.asyncio

MENTORS = "/api/v1/users/mentors"
RECOMMENDATIONS = "/api/v1/matches/recommendations"
BAND = 5.0
DISTANCE_SCALE_KM = 500.0  # the documented default of the distance component
EARTH_KM = 6371.0088

# Three mentors far apart (equator, south, far south where longitude degrees shrink), and where an
# attacker who knows the neighbourhood starts looking (a few km off).
PLACES = [
    ((6.5244, 3.3792), (6.55, 3.40)),
    ((-1.2864, 36.8172), (-1.30, 36.79)),
    ((-33.9249, 18.4241), (-33.90, 18.45)),
]

Point = tuple[float, float]
#: An observation: the query point and the interval the distance lies in, by the answer.
Observation = tuple[Point, float, float]
Oracle = Callable[[Point], Awaitable[tuple[float, float]]]


def km(a: Point, b: Point) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def offset(origin: Point, north_km: float, east_km: float) -> Point:
    lat = origin[0] + math.degrees(north_km / EARTH_KM)
    return lat, origin[1] + math.degrees(east_km / (EARTH_KM * math.cos(math.radians(origin[0]))))


def estimate(observations: list[Observation], around: Point) -> Point:
    """The point most consistent with every interval (least squares of the violations), by a grid search
    around ``around``, coarse then fine; the centroid of the best candidates breaks ties. (The grid is
    evaluated with numpy: the same formulas as ``km`` and ``offset``, over every candidate at once.)"""
    center, span, step = around, 40.0, 1.0
    for _ in range(3):
        n = round(span / step)
        steps = np.arange(-n, n + 1) * step
        north, east = np.meshgrid(steps, steps, indexing="ij")
        lat = center[0] + np.degrees(north / EARTH_KM)
        lon = center[1] + np.degrees(east / (EARTH_KM * math.cos(math.radians(center[0]))))
        cost = np.zeros_like(lat)
        for point, low, high in observations:
            d = _km_to_grid(point, lat, lon)
            cost += np.maximum(0.0, np.maximum(low - d, d - high)) ** 2
        ties = cost <= cost.min() + 1e-9
        center = (float(lat[ties].mean()), float(lon[ties].mean()))
        span, step = 3 * step, step / 5
    return center


def _km_to_grid(a: Point, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``km(a, b)`` for every point b of the grid."""
    p1, p2 = math.radians(a[0]), np.radians(lat)
    h = np.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(np.radians(lon - a[1]) / 2) ** 2
    distance: npt.NDArray[np.float64] = 2 * EARTH_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    return distance


async def attack_distance_bands(oracle: Oracle, start: Point) -> list[Observation]:
    """Three rays toward ``start``: walk each in 1.25 km steps until the band flips, then look once between
    the last two points (at most 18 points)."""
    observations: list[Observation] = []
    for bearing in (0.0, 2.1, 4.2):

        def along(t: float, b: float = bearing) -> Point:
            return offset(start, (15 - t) * math.cos(b), (15 - t) * math.sin(b))

        low, high = await oracle(along(0.0))
        observations.append((along(0.0), low, high))
        before, t = low, 0.0
        for _ in range(4):
            t += 1.25
            low, high = await oracle(along(t))
            observations.append((along(t), low, high))
            if math.floor(low / BAND) != math.floor(before / BAND):
                break
        middle = t - 0.625
        low, high = await oracle(along(middle))
        observations.append((along(middle), low, high))
    return observations


async def attack_within(oracle: Oracle, start: Point, radius: float = 10.0) -> list[Observation]:
    """Three rays: bisect the query point between 20 km out ("no") and ``start`` ("yes") until the answer
    of ``within_km`` flips, five times each (15 points)."""
    observations: list[Observation] = []
    for bearing in (0.5, 2.6, 4.7):
        outer, inner = 20.0, 0.0
        for _ in range(5):
            middle = (outer + inner) / 2
            point = offset(start, middle * math.cos(bearing), middle * math.sin(bearing))
            low, high = await oracle(point)
            observations.append((point, low, high))
            if high <= radius:
                inner = middle
            else:
                outer = middle
    return observations


async def attack_ring(oracle: Oracle, start: Point) -> list[Observation]:
    """Twenty points on rings of 4, 8 and 12 km around ``start``."""
    points = [
        offset(start, r * math.cos(k * 2 * math.pi / 7 + r), r * math.sin(k * 2 * math.pi / 7 + r))
        for r in (4.0, 8.0, 12.0)
        for k in range(7)
    ][:20]
    return [(point, *(await oracle(point))) for point in points]


def exact(true: Point) -> Oracle:
    async def ask(point: Point) -> tuple[float, float]:
        d = km(point, true)
        return d, d

    return ask


def exact_within(true: Point, radius: float = 10.0) -> Oracle:
    async def ask(point: Point) -> tuple[float, float]:
        return (0.0, radius) if km(point, true) < radius else (radius, 1e9)

    return ask


@pytest.fixture
async def api(make_settings: Callable[..., Settings]) -> AsyncIterator[Api]:
    """The API with rate limits out of the way: an attacker with many accounts and addresses has them."""
    clock = MutableClock()
    settings = make_settings(rate_limit_per_minute=100_000, auth_rate_limit_per_minute=100_000)
    async with AsyncTestClient(app=build_test_app(settings, ClockProvider(clock))) as client:
        yield Api(client=client, clock=clock, settings=settings)


@dataclass
class Target:
    true: Point
    start: Point
    skill: str
    mentor_id: str


async def _targets(api: Api) -> list[Target]:
    targets = []
    for index, ((lat, lon), start) in enumerate(PLACES):
        skill = f"target-{index}"
        body = await api.register(
            f"target{index}@example.org",
            role="mentor",
            skills=[skill],
            location={"lat": lat, "lon": lon, "city": "Somewhere", "country": "NG"},
        )
        targets.append(Target((lat, lon), start, skill, str(body["id"])))
    return targets


async def _attacker(api: Api, name: str) -> dict[str, str]:
    return await api.token_for(f"{name}@example.org")


def band_oracle(api: Api, headers: dict[str, str], target: Target) -> Oracle:
    async def ask(point: Point) -> tuple[float, float]:
        params = {"lat": point[0], "lon": point[1], "skills": target.skill}
        response = await api.client.get(MENTORS, params=params, headers=headers)
        assert response.status_code == 200, response.text
        (item,) = response.json()["items"]
        low = float(item["distance_km"])
        assert item["distance_band"] == f"{int(low)}-{int(low + BAND)}"
        return low, low + BAND

    return ask


def within_oracle(api: Api, headers: dict[str, str], target: Target, radius: float = 10.0) -> Oracle:
    async def ask(point: Point) -> tuple[float, float]:
        params = {"lat": point[0], "lon": point[1], "skills": target.skill, "within_km": radius}
        response = await api.client.get(MENTORS, params=params, headers=headers)
        assert response.status_code == 200, response.text
        # Documented: the radius rounds up to a whole band, and a mentor is in when their whole band is.
        return (0.0, radius) if response.json()["total"] == 1 else (radius, 1e9)

    return ask


def recommendation_oracle(api: Api, headers: dict[str, str], target: Target) -> Oracle:
    async def ask(point: Point) -> tuple[float, float]:
        moved = await api.client.patch(
            "/api/v1/users/me", json={"location": {"lat": point[0], "lon": point[1]}}, headers=headers
        )
        assert moved.status_code == 200, moved.text
        response = await api.client.get(RECOMMENDATIONS, params={"k": 50, "skills": target.skill}, headers=headers)
        assert response.status_code == 200, response.text
        (item,) = [item for item in response.json()["items"] if item["mentor_id"] == target.mentor_id]
        components: dict[str, Any] = item["components"]
        assert components["distance_km"] <= -DISTANCE_SCALE_KM * math.log(components["distance"]) + 1e-6
        d = -DISTANCE_SCALE_KM * math.log(components["distance"])  # the finest thing the API gives
        return d, d

    return ask


async def test_no_attack_places_a_mentor_within_2_km_but_exact_distances_would(api: Api) -> None:
    attacks: list[tuple[str, Callable[..., Awaitable[list[Observation]]], Callable[..., Oracle], Callable[..., Oracle]]]
    attacks = [
        ("bands", attack_distance_bands, band_oracle, exact),
        ("within", attack_within, within_oracle, exact_within),
        ("recommendations", attack_ring, recommendation_oracle, exact),
    ]
    targets = await _targets(api)
    for target in targets:
        for name, attack, api_oracle, control_oracle in attacks:
            headers = await _attacker(api, f"{name}-{target.skill}")
            observed = await attack(api_oracle(api, headers, target), target.start)
            assert 3 <= len(observed) <= 20
            guess = estimate(observed, target.start)
            control = estimate(await attack(control_oracle(target.true), target.start), target.start)

            assert km(control, target.true) < 2.0, (name, target.skill, "the estimator itself fails")
            assert km(guess, target.true) > 2.0, (name, target.skill, km(guess, target.true))
