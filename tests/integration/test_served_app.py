"""The app a server process serves freezes its start-up objects out of the garbage collector's walks."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from skillbridge.main.app import create_app, create_served_app


@pytest.fixture
def embedded_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SKILLBRIDGE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("SKILLBRIDGE_SECRET_KEY", "k" * 64)
    monkeypatch.setenv("SKILLBRIDGE_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("SKILLBRIDGE_ARGON2_MEMORY_KIB", "8")


@pytest.mark.usefixtures("embedded_env")
async def test_the_served_app_freezes_what_start_up_made_and_a_plain_app_does_not() -> None:
    gc.unfreeze()
    try:
        async with create_app().lifespan():  # control: an app made by a test or a script freezes nothing
            assert gc.get_freeze_count() == 0
        async with create_served_app().lifespan():
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # the test process goes on collecting as before
