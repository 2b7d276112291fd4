"""Tests of optional packages (the ``tracing`` extra): they fail on CI when the package is missing (``make
test`` installs it) and are skipped elsewhere, with how to install it."""

from __future__ import annotations

import importlib.util

import pytest

from tests.support.databases import on_ci


def require_module(name: str, install: str) -> None:
    """Call at the top of a test module, before importing ``name``."""
    try:
        found = importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        found = False
    if found:
        return
    reason = f"{name} is not installed ({install})"
    if on_ci():
        pytest.fail(f"CI needs it: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)
