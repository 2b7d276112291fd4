"""The gauges read from their source when /metrics is scraped: nothing is counted on the request path.

- ``skillbridge_circuit_breaker_state{breaker,state}``: 1 for the state each circuit breaker is in.
"""

from __future__ import annotations

from prometheus_client import Gauge

from skillbridge.resilience.circuit_breaker import BreakerState, breaker_states

BREAKER_STATE = Gauge(
    "skillbridge_circuit_breaker_state",
    "1 for the state each circuit breaker of this process is in (closed, open, half-open), 0 for the others",
    ["breaker", "state"],
)


async def export_breaker_states() -> None:
    """Set the breaker gauge from every live breaker."""
    for name, current in breaker_states().items():
        for state in BreakerState:
            BREAKER_STATE.labels(name, state.value).set(1 if state is current else 0)
