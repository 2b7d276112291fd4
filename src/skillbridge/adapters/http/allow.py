"""A complete ``Allow`` header on the answer to ``OPTIONS``.

Litestar 2 answers ``OPTIONS`` itself, but lists only the methods of the first handler registered on a path
(litestar-org/litestar#4169, fixed in Litestar 3): ``OPTIONS /users/me`` said ``GET, OPTIONS`` without
``PATCH``. This hook rewrites the header from the route the request was routed to, which holds every method.
"""

from __future__ import annotations

from typing import Any

from litestar.routes import HTTPRoute
from litestar.types import Message, Scope


def methods_of(app: Any, path_template: str) -> list[str]:
    """Every method the app serves on ``path_template`` (OPTIONS included), sorted; empty for no such path."""
    methods: set[str] = set()
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path_format == path_template:
            methods.update(route.methods)
    return sorted(methods)


async def complete_allow_header(message: Message, scope: Scope) -> None:
    """``before_send`` hook: on an ``OPTIONS`` answer, set ``Allow`` to all the path's methods."""
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    methods = methods_of(scope["app"], str(scope.get("path_template", "")))
    if not methods:
        return
    headers = [(name, value) for name, value in message.get("headers", ()) if name.lower() != b"allow"]
    message["headers"] = [*headers, (b"allow", ", ".join(methods).encode())]
