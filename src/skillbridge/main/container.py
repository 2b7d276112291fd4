"""Building the dependency container, for the web app, the CLI and scripts alike."""

from __future__ import annotations

from dishka import AsyncContainer, Provider, make_async_container

from skillbridge.main.providers import default_providers
from skillbridge.main.settings import Settings


def build_container(
    settings: Settings | None = None, *overrides: Provider, extra: tuple[Provider, ...] = ()
) -> AsyncContainer:
    """A container for ``settings`` (from the environment when omitted).

    ``overrides`` come last, so a provider there replaces the default adapter of any type it provides.
    Close the container (``await container.close()``) when done: it disposes the engine and clients.
    """
    settings = settings or Settings()
    return make_async_container(*default_providers(settings), *extra, *overrides, context={Settings: settings})
