"""Dependency injection into the route handlers (dishka's Litestar integration), prepared once per process.

dishka's ``DishkaRouter`` makes a controller's handlers inject their dependencies by wrapping the controller
class's ``get_route_handlers`` each time the class is registered, that is once per app, and the wrapper
inspects every handler's signature anew. A process that builds many apps (the test suite builds thousands,
a script may build several) stacked one more wrapper per app, so building the thousandth app inspected
each of the 71 handlers a thousand times: the suite's time grew with the square of its number of apps.
Here a controller class is wrapped once, and each handler function is given its injecting wrapper once;
every later app reuses both.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MethodType
from typing import Any

from dishka.integrations.litestar import DishkaRouter, inject
from litestar import Controller
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.routes import BaseRoute

#: Set on a controller class once its ``get_route_handlers`` injects (in this process).
_INJECTING = "_skillbridge_injecting"
#: Each handler function's injecting wrapper, made on first use.
_WRAPPERS: dict[Callable[..., Any], Callable[..., Any]] = {}


def _injecting(handler: BaseRouteHandler) -> BaseRouteHandler:
    """``handler`` (a controller's fresh copy, its function bound to this app's controller instance) calling
    the injecting wrapper of its function, bound to the same instance."""
    if isinstance(handler, HTTPRouteHandler):
        bound = handler._fn  # what dishka's own router rewrites
        function = getattr(bound, "__func__", bound)
        wrapper = _WRAPPERS.get(function)
        if wrapper is None:
            wrapper = _WRAPPERS[function] = inject(function)
        instance = getattr(bound, "__self__", None)
        handler._fn = wrapper if instance is None else MethodType(wrapper, instance)
    return handler


class InjectingRouter(DishkaRouter):
    """A :class:`DishkaRouter` whose controllers are prepared once per process, not once per app."""

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> InjectingRouter:
        # Litestar registers a copy of every router it is given, in case one router serves several apps. Each
        # app builds its own InjectingRouter, so the copy (a third of building an app: every handler, layer and
        # signature copied) bought nothing.
        return self

    def register(self, value: Any) -> list[BaseRoute]:
        if isinstance(value, type) and issubclass(value, Controller):
            if not value.__dict__.get(_INJECTING):
                plain = value.get_route_handlers

                def get_route_handlers(controller: Controller) -> list[BaseRouteHandler]:
                    return [_injecting(handler) for handler in plain(controller)]

                value.get_route_handlers = get_route_handlers  # type: ignore[method-assign,assignment]
                setattr(value, _INJECTING, True)
            return super(DishkaRouter, self).register(value)  # past DishkaRouter's own wrapping
        return super().register(value)
