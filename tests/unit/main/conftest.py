"""The composition root's tests see only the settings they pass: a developer's own SKILLBRIDGE_* variables
must not change what they see."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _only_these_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("SKILLBRIDGE_"):
            monkeypatch.delenv(key)
