"""pytest never compiles the matcher-service binary: it takes the one `make matcher-service-dev` built, and
a missing or stale one fails with the command to run (a build inside an xdist worker would load the machine)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.matching import service_binary

BUILT_AT = 1_800_000_000


def _workspace(root: Path) -> tuple[Path, Path]:
    """A matcher-rs tree of the shape the check reads, every file older than a binary built at ``BUILT_AT``."""
    matcher = root / "matcher-rs"
    sources = [
        matcher / "Cargo.toml",
        matcher / "Cargo.lock",
        matcher / "crates" / "core" / "src" / "lib.rs",
        matcher / "crates" / "service" / "src" / "main.rs",
    ]
    for source in sources:
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text("// source\n")
        os.utime(source, (BUILT_AT - 60, BUILT_AT - 60))
    binary = matcher / "target" / "debug" / "matcher-service"
    binary.parent.mkdir(parents=True)
    binary.write_bytes(b"\x7fELF")
    os.utime(binary, (BUILT_AT, BUILT_AT))
    return binary, matcher


def test_a_binary_newer_than_every_source_is_used(tmp_path: Path) -> None:
    binary, matcher = _workspace(tmp_path)
    assert service_binary(binary, matcher) == binary


def test_a_missing_binary_fails_and_names_the_make_target(tmp_path: Path) -> None:
    binary, matcher = _workspace(tmp_path)
    binary.unlink()
    with pytest.raises(RuntimeError, match=r"missing or older than its sources: run `make matcher-service-dev`"):
        service_binary(binary, matcher)


@pytest.mark.parametrize(
    "changed", ["crates/core/src/lib.rs", "crates/service/src/main.rs", "Cargo.lock", "Cargo.toml"]
)
def test_a_source_changed_after_the_build_fails(tmp_path: Path, changed: str) -> None:
    binary, matcher = _workspace(tmp_path)
    os.utime(matcher / changed, (BUILT_AT + 1, BUILT_AT + 1))
    with pytest.raises(RuntimeError, match="make matcher-service-dev"):
        service_binary(binary, matcher)
