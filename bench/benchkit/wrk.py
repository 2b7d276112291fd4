"""Running wrk and reading its report (``--latency``), alone or in the output of the twin's load.sh."""

from __future__ import annotations

import re
import subprocess
from dataclasses import asdict, dataclass, field
from typing import Any

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_DURATION = re.compile(r"^([\d.]+)(us|ms|s|m)$")
_SOCKET_ERRORS = re.compile(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def to_ms(value: str) -> float | None:
    """``"1.23ms"`` -> 1.23, ``"850.00us"`` -> 0.85, ``"1.02s"`` -> 1020.0; None when unreadable."""
    match = _DURATION.match(value.strip())
    return float(match[1]) * _UNITS_MS[match[2]] if match else None


@dataclass(slots=True)
class WrkResult:
    """What one wrk run measured; latencies in milliseconds."""

    name: str
    url: str
    rps: float = 0.0
    p50_ms: float | None = None
    p75_ms: float | None = None
    p90_ms: float | None = None
    p99_ms: float | None = None
    requests: int = 0
    non_2xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        """Some requests completed, none with a non-2xx answer or a socket error."""
        return self.requests > 0 and self.non_2xx == 0 and not any(self.socket_errors.values())

    def problems(self) -> str:
        if self.requests == 0:
            return "no request completed within the run (each took longer than the duration)"
        errors = ", ".join(f"{kind} {count}" for kind, count in self.socket_errors.items() if count)
        return f"non-2xx {self.non_2xx}" + (f", socket errors: {errors}" if errors else "")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _socket_errors(text: str) -> dict[str, int]:
    match = _SOCKET_ERRORS.search(text)
    if not match:
        return {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    return dict(zip(("connect", "read", "write", "timeout"), map(int, match.groups()), strict=True))


def parse_wrk(name: str, url: str, output: str) -> WrkResult:
    """A :class:`WrkResult` from wrk's ``--latency`` report."""
    result = WrkResult(name=name, url=url, socket_errors=_socket_errors(output))
    for line in output.splitlines():
        stripped = line.strip()
        if stripped.startswith("Requests/sec:"):
            result.rps = float(stripped.split()[1])
        elif stripped.startswith("Non-2xx or 3xx responses:"):
            result.non_2xx = int(stripped.split()[-1])
        elif re.match(r"^\d+ requests in", stripped):
            result.requests = int(stripped.split()[0])
        else:
            percentile = re.match(r"^(50|75|90|99)%\s+(\S+)$", stripped)
            if percentile:
                setattr(result, f"p{percentile[1]}_ms", to_ms(percentile[2]))
    return result


def run_wrk(
    name: str,
    url: str,
    *,
    token: str,
    duration: str,
    connections: int,
    threads: int = 2,
    timeout: str = "10s",
    wrk: str = "wrk",
) -> WrkResult:
    """One wrk run against ``url`` with a bearer token, as the twin's load.sh runs it."""
    argv = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}", "--timeout", timeout, "--latency"]
    argv += ["-H", f"Authorization: Bearer {token}", url]
    output = subprocess.run(argv, check=True, capture_output=True, text=True).stdout  # noqa: S603
    return parse_wrk(name, url, output)


def parse_load_output(output: str) -> dict[str, WrkResult]:
    """The wrk report of every endpoint the twin's ``load.sh`` ran (each follows a ``=== name: url`` line),
    by endpoint name."""
    results: dict[str, WrkResult] = {}
    blocks = re.split(r"^=== ", output, flags=re.MULTILINE)[1:]
    for block in blocks:
        header, _, body = block.partition("\n")
        match = re.match(r"^(\S+): (\S+)", header)
        if match and match[1] != "summary":
            results[match[1]] = parse_wrk(match[1], match[2], body)
    return results
