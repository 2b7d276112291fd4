"""The gauges read when /metrics is scraped: circuit breakers' states, ..."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from skillbridge.resilience.circuit_breaker import CircuitBreaker
from tests.integration.helpers import Api

pytestmark = pytest.mark.asyncio


def samples(exposition: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """Every sample of ``name`` in a Prometheus text exposition, by its sorted labels."""
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == name
    }


async def scrape(api: Api, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    response = await api.client.get("/metrics")
    assert response.status_code == 200, response.text
    return samples(response.text, name)


def breaker(name: str, state: str) -> tuple[tuple[str, str], ...]:
    return (("breaker", name), ("state", state))


async def test_each_breakers_state_is_one_hot_and_follows_the_breaker(api: Api) -> None:
    now = [0.0]
    guard = CircuitBreaker("metrics-test", failure_threshold=1, reset_seconds=10, clock=lambda: now[0])

    closed = await scrape(api, "skillbridge_circuit_breaker_state")
    assert [closed[breaker("metrics-test", s)] for s in ("closed", "open", "half-open")] == [1.0, 0.0, 0.0]

    guard.record_failure()
    opened = await scrape(api, "skillbridge_circuit_breaker_state")
    assert [opened[breaker("metrics-test", s)] for s in ("closed", "open", "half-open")] == [0.0, 1.0, 0.0]

    now[0] = 10.0
    trial = await scrape(api, "skillbridge_circuit_breaker_state")
    assert [trial[breaker("metrics-test", s)] for s in ("closed", "open", "half-open")] == [0.0, 0.0, 1.0]
