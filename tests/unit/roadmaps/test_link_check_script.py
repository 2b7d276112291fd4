"""scripts/check_catalog_links.py against a local HTTP server (CI has no network; the operator runs it for
real): broken links are reported and fail the run, redirects are followed, a page in another language than
the catalog declares is flagged."""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "check_catalog_links.py"
PAGES = {
    "/fr-page": (200, b'<!doctype html><html lang="fr-FR"><body>Bonjour</body></html>'),
    "/en-page": (200, b"<!doctype html><html lang='en'><body>Hello</body></html>"),
    "/missing": (404, b"not here"),
}


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_catalog_links", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("location", "/fr-page")
            self.send_header("content-length", "0")
            self.end_headers()
            return
        status, body = PAGES.get(self.path, (500, b"unexpected"))
        self.send_response(status)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _catalog(site: str) -> dict[str, Any]:
    resources = [
        {"url": f"{site}/fr-page", "language": "fr"},
        {"url": f"{site}/moved", "language": "fr"},
        {"url": f"{site}/en-page", "language": "fr"},
        {"url": f"{site}/missing", "language": "pt"},
    ]
    return {"domains": [{"slug": "web", "modules": [{"key": "m", "resources": resources}]}]}


async def test_broken_links_and_pages_in_another_language_are_reported(site: str) -> None:
    script = _load_script()
    outcomes = await script.check_links(script.catalog_links(_catalog(site)), concurrency=2, request_seconds=5)
    found = {outcome.link.url.removeprefix(site): (outcome.broken, outcome.page_language) for outcome in outcomes}
    assert found == {
        "/fr-page": (None, "fr"),
        "/moved": (None, "fr"),
        "/en-page": (None, "en"),
        "/missing": ("HTTP 404", None),
    }
    assert [outcome.link.url.removeprefix(site) for outcome in outcomes if outcome.language_mismatch] == ["/en-page"]
    assert script.report(outcomes) == 1
    healthy = [outcome for outcome in outcomes if not outcome.broken]
    assert script.report(healthy) == 0


def test_one_language_can_be_checked_alone(site: str) -> None:
    script = _load_script()
    links = script.catalog_links(_catalog(site), "pt")
    assert [link.url.removeprefix(site) for link in links] == ["/missing"]
