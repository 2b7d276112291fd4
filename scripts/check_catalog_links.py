"""Check the links of the resource catalog over the network (for operators; CI has no network).

For every resource of ``resources.json`` (or the ``--catalog`` file given): fetch the URL, following
redirects, and report it when the answer is an error (4xx, 5xx, a timeout, a connection failure), or when
the page declares another language (``<html lang>``) than the catalog does: a translated page that now
serves English, say. Exit status 1 when any link is broken, 0 otherwise (language mismatches only warn).

    .venv/bin/python scripts/check_catalog_links.py                    # every link
    .venv/bin/python scripts/check_catalog_links.py --language fr      # only the French resources
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

#: The pages' own language, as the ``lang`` attribute of their ``<html>`` element.
_HTML_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)
#: Some servers refuse clients that do not look like a browser.
_HEADERS = {"user-agent": "Mozilla/5.0 (compatible; SkillBridge catalog link check)", "accept": "text/html,*/*"}


@dataclass(frozen=True, slots=True)
class Link:
    where: str
    url: str
    language: str


@dataclass(frozen=True, slots=True)
class Outcome:
    link: Link
    broken: str | None = None
    page_language: str | None = None

    @property
    def language_mismatch(self) -> bool:
        return self.page_language is not None and self.page_language != self.link.language


def catalog_links(document: dict[str, Any], language: str | None = None) -> list[Link]:
    """The links of a catalog document, optionally only those of one language."""
    return [
        Link(f"{domain['slug']}/{module['key']}", item["url"], item["language"])
        for domain in document["domains"]
        for module in domain["modules"]
        for item in module["resources"]
        if language is None or item["language"] == language
    ]


async def check_link(client: httpx.AsyncClient, link: Link, gate: asyncio.Semaphore) -> Outcome:
    """Fetch one link (at most 64 KiB of its body) and say what is wrong with it, if anything."""
    async with gate:
        try:
            async with client.stream("GET", link.url) as response:
                if response.status_code >= httpx.codes.BAD_REQUEST:
                    return Outcome(link, broken=f"HTTP {response.status_code}")
                head = b""
                async for chunk in response.aiter_bytes():
                    head += chunk
                    if len(head) >= 65536:
                        break
        except httpx.HTTPError as error:
            return Outcome(link, broken=f"{type(error).__name__}: {error}")
    found = _HTML_LANG.search(head)
    return Outcome(link, page_language=found.group(1).decode().lower() if found else None)


async def check_links(links: list[Link], *, concurrency: int = 8, request_seconds: float = 20.0) -> list[Outcome]:
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(follow_redirects=True, timeout=request_seconds, headers=_HEADERS) as client:
        return list(await asyncio.gather(*(check_link(client, link, gate) for link in links)))


def report(outcomes: list[Outcome]) -> int:
    """Print what is wrong; 1 when a link is broken."""
    broken = [outcome for outcome in outcomes if outcome.broken]
    mismatched = [outcome for outcome in outcomes if outcome.language_mismatch]
    for outcome in broken:
        print(f"BROKEN   {outcome.link.where}  {outcome.link.url}  ({outcome.broken})")
    for outcome in mismatched:
        print(
            f"LANGUAGE {outcome.link.where}  {outcome.link.url}  "
            f"(catalog says {outcome.link.language!r}, the page says {outcome.page_language!r})"
        )
    print(f"{len(outcomes)} links checked: {len(broken)} broken, {len(mismatched)} in another language")
    return 1 if broken else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog", type=Path, help="a catalog file (default: the one shipped with the package)")
    parser.add_argument("--language", help="check only the resources in this language (ISO 639-1)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per request")
    options = parser.parse_args(argv)
    if options.catalog:
        text = options.catalog.read_text(encoding="utf-8")
    else:
        text = resources.files("skillbridge.adapters.ai.catalog").joinpath("resources.json").read_text(encoding="utf-8")
    links = catalog_links(json.loads(text), options.language)
    outcomes = asyncio.run(check_links(links, concurrency=options.concurrency, request_seconds=options.timeout))
    return report(outcomes)


if __name__ == "__main__":
    sys.exit(main())
