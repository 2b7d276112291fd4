"""Building another app reuses the handlers' injecting wrappers instead of wrapping every handler once more
per app already built (dishka's router did: a process's n-th app cost n times the handlers' inspection)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.testing import TestClient

from skillbridge.adapters.http import injection
from skillbridge.main import Settings, create_app


def _handler_functions(app: Litestar) -> dict[str, Any]:
    """Each GET route's handler function under /api/v1 (unbound from its controller instance), by path."""
    found = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if (
                isinstance(handler, HTTPRouteHandler)
                and "GET" in handler.http_methods
                and route.path.startswith("/api/v1/")
            ):
                found[route.path] = getattr(handler.fn, "__func__", handler.fn)
    return found


def test_each_new_app_reuses_the_wrappers_and_still_injects(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'api.db'}", secret_key_file=str(tmp_path / "key")
    )
    first = create_app(settings)
    wrappers = dict(injection._WRAPPERS)
    assert wrappers  # positive control: the controllers' handlers were wrapped
    apps = [create_app(settings) for _ in range(3)]
    assert wrappers == injection._WRAPPERS  # nothing wrapped again, no layer added
    assert _handler_functions(apps[-1]) == _handler_functions(first)
    me = "/api/v1/users/me"
    assert _handler_functions(first)[me] in wrappers.values()  # the route calls the injecting wrapper
    with TestClient(app=apps[-1]) as client:  # and the last app's handlers are given their dependencies
        assert client.get("/api/v1/domains").status_code == 200
        assert client.get(me).status_code == 401
