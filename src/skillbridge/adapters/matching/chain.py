"""The production chain of matching engines: remote (when configured) -> native -> reference.

An operator who sets the service's URL has chosen to score there (the API's processes keep their CPU for
requests; compose and the Helm chart deploy it so): the service comes first, and the in-process extension
serves while it is down. Were the service after the extension, it would never be called, since the extension
does not fail for lack of a dependency.
"""

from __future__ import annotations

import importlib

import structlog

from skillbridge.adapters.matching.fallback import FallbackMatchingEngine
from skillbridge.adapters.matching.reference import ReferenceMatchingEngine
from skillbridge.adapters.matching.remote import RemoteMatchingEngine
from skillbridge.application.ports.matching_engine import MatchingEngine

logger = structlog.get_logger("skillbridge.matching")


def load_native_engine() -> MatchingEngine | None:
    """The Rust-backed engine, or None (logged) when the extension cannot be imported."""
    try:
        module = importlib.import_module("skillbridge.adapters.matching.native")
    except ImportError as exc:
        logger.warning("matching_native_engine_missing", error=str(exc))
        return None
    engine: MatchingEngine = module.NativeMatchingEngine()
    return engine


def build_matching_chain(
    matcher_url: str | None, *, timeout_seconds: float = 2.0, token: str | None = None
) -> tuple[FallbackMatchingEngine, RemoteMatchingEngine | None]:
    """The fallback chain and the remote engine in it (its HTTP client must be closed at shutdown)."""
    engines: list[MatchingEngine] = []
    remote = (
        RemoteMatchingEngine.connect(matcher_url, timeout_seconds=timeout_seconds, token=token) if matcher_url else None
    )
    if remote is not None:
        engines.append(remote)
    native = load_native_engine()
    if native is not None:
        engines.append(native)
    engines.append(ReferenceMatchingEngine())
    return FallbackMatchingEngine(engines), remote
