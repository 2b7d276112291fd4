"""Roadmap generation time and response sizes, side by side: catalog planning, and GET /roadmaps/my with and
without ?fields= and compression, and the 304 of a revalidation.

Run: .venv/bin/python bench/roadmap_payloads.py
"""

from __future__ import annotations

import asyncio
import statistics
import time

from litestar.testing import AsyncTestClient

from skillbridge.adapters.ai.catalog_generator import CatalogRoadmapGenerator
from skillbridge.domain.roadmaps.request import RoadmapRequest
from skillbridge.main import Settings, create_app

PASSWORD = "kilimanjaro-sunrise-42"  # noqa: S105 - a throwaway in-memory account


def catalog_timing() -> None:
    planner = CatalogRoadmapGenerator()
    requests = [
        RoadmapRequest.create(domain.slug, level, 6, low_bandwidth=bool(n % 2))
        for n, domain in enumerate(planner.domains())
        for level in ("beginner", "intermediate", "advanced")
    ]
    samples = []
    for _ in range(200):
        started = time.perf_counter()
        for request in requests:
            planner.plan(request)
        samples.append((time.perf_counter() - started) / len(requests))
    print(f"catalog plan: median {statistics.median(samples) * 1e6:.1f} us per roadmap ({len(requests)} requests)")


async def payloads() -> None:
    settings = Settings(database_url="memory://", argon2_time_cost=1, argon2_memory_kib=8, log_level="ERROR")
    async with AsyncTestClient(app=create_app(settings)) as client:
        await client.post(
            "/api/v1/auth/register",
            json={
                "email": "b@example.org",
                "password": PASSWORD,
                "role": "learner",
                "accepted_terms_version": settings.terms_version,
            },
        )
        token = (await client.post("/api/v1/auth/login", json={"email": "b@example.org", "password": PASSWORD})).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        started = time.perf_counter()
        for domain in (
            "python",
            "javascript",
            "sql",
            "ui-ux",
            "mobile",
            "cybersecurity",
            "machine-learning",
            "blockchain",
        ):
            body = {"domain": domain, "skill_level": "beginner", "time_availability": 6, "low_bandwidth": True}
            response = await client.post("/api/v1/roadmaps", json=body, headers=headers)
            if response.status_code != 201:
                raise SystemExit(response.text)
        print(
            f"POST /roadmaps (catalog, in-process, memory db): {(time.perf_counter() - started) / 8 * 1000:.1f} ms each"
        )
        rows = []
        for label, path in (
            ("full", "/api/v1/roadmaps/my"),
            ("?fields=domain,progress", "/api/v1/roadmaps/my?fields=domain,progress"),
            (
                "?fields=domain,progress,estimated_weeks,version",
                "/api/v1/roadmaps/my?fields=domain,progress,estimated_weeks,version",
            ),
        ):
            plain = await client.get(path, headers=headers | {"Accept-Encoding": "identity"})
            compressed = await client.get(path, headers=headers | {"Accept-Encoding": "br"})
            wire = int(compressed.headers.get("content-length", len(compressed.content)))
            again = await client.get(path, headers=headers | {"If-None-Match": plain.headers["etag"]})
            rows.append((label, len(plain.content), wire, again.status_code, len(again.content)))
        print(f"{'GET /roadmaps/my (8 roadmaps)':52} {'bytes':>8} {'brotli':>8} {'reval.':>7}")
        for label, raw, wire, status, size in rows:
            print(f"{label:52} {raw:>8} {wire:>8} {status:>4} {size}B")


if __name__ == "__main__":
    catalog_timing()
    asyncio.run(payloads())
