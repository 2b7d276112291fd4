"""The composition root: settings, providers, the app factory, the CLI."""

from skillbridge.main.app import create_app
from skillbridge.main.container import build_container
from skillbridge.main.settings import Settings

__all__ = ["Settings", "build_container", "create_app"]
