"""The composition root provides the matching fallback chain: remote (when configured) -> native -> reference."""

from __future__ import annotations

import pytest

from skillbridge.adapters.matching import chain as chain_module
from skillbridge.adapters.matching.fallback import FallbackMatchingEngine
from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.domain.matching.scoring import LearnerProfile, MentorProfile, Weights
from skillbridge.main.container import build_container
from skillbridge.main.settings import Settings


async def _chain(settings: Settings) -> tuple[str, ...]:
    container = build_container(settings)
    try:
        engine = await container.get(MatchingEngine)
        assert isinstance(engine, FallbackMatchingEngine)
        learner = LearnerProfile("l", ("python",), 0.0, 0.0, False, 1.0, (1,), ("en",))
        mentor = MentorProfile("m", ("python",), 0.0, 0.0, (1,), ("en",), 1)
        result = await engine.assign([learner], [mentor], Weights())
        assert result.engine == "native"
        return tuple(e.name for e in engine.engines)
    finally:
        await container.close()


async def test_embedded_chain_is_native_then_reference() -> None:
    assert await _chain(Settings(database_url="memory://")) == ("native", "reference")


async def test_matcher_url_puts_the_remote_engine_first() -> None:
    # Nothing listens on port 9: the remote engine fails and the native one serves (asserted in _chain).
    settings = Settings(database_url="memory://", matcher_url="http://127.0.0.1:9", matcher_timeout_seconds=0.5)
    assert await _chain(settings) == ("remote", "native", "reference")


def test_missing_extension_leaves_it_out_of_the_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> object:
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(chain_module.importlib, "import_module", missing)
    chain, remote = chain_module.build_matching_chain(None)
    assert remote is None
    assert tuple(e.name for e in chain.engines) == ("reference",)
