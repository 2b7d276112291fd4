"""Language coverage of the catalog, computed by walking the raw ``resources.json``: per domain and language,
the modules with at least one resource in that language. The targets are issue 17's; the table in
docs/catalog-languages.md must be the one computed here."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

RAW: dict[str, Any] = json.loads(
    resources.files("skillbridge.adapters.ai.catalog").joinpath("resources.json").read_text(encoding="utf-8")
)
DOC = Path(__file__).resolve().parents[3] / "docs" / "catalog-languages.md"
LANGUAGES = ("en", "fr", "pt", "ar", "sw")
#: Issue 17: French and Portuguese everywhere, Arabic and Swahili in at least half the modules.
TARGETS = {"en": 1.0, "fr": 1.0, "pt": 1.0, "ar": 0.5}
#: Swahili reaches the issue's 50% with a margin of one module (37 of 72): free Swahili material on these
#: subjects is scarce, and only resources whose pages could be confirmed were added (docs/catalog-languages.md
#: says which). Losing two modules' Swahili resources breaks this floor on purpose.
SWAHILI_FLOOR = 0.5
TABLE_START = "<!-- coverage:start -->"
TABLE_END = "<!-- coverage:end -->"


def _covered() -> dict[str, dict[str, int]]:
    """Per domain slug: the number of modules with a resource in each language, and ``modules``, the count."""
    table: dict[str, dict[str, int]] = {}
    for domain in RAW["domains"]:
        counts = dict.fromkeys(LANGUAGES, 0) | {"modules": len(domain["modules"])}
        for module in domain["modules"]:
            for language in {item["language"] for item in module["resources"]}:
                counts[language] = counts.get(language, 0) + 1
        table[domain["slug"]] = counts
    return table


def _share(language: str) -> float:
    table = _covered()
    return sum(row[language] for row in table.values()) / sum(row["modules"] for row in table.values())


def _markdown() -> str:
    table = _covered()
    lines = [
        "| domain | modules | " + " | ".join(LANGUAGES) + " |",
        "|---|---:|" + "---:|" * len(LANGUAGES),
    ]
    for slug, row in table.items():
        cells = " | ".join(f"{row[language]}/{row['modules']}" for language in LANGUAGES)
        lines.append(f"| {slug} | {row['modules']} | {cells} |")
    total = sum(row["modules"] for row in table.values())
    cells = " | ".join(f"{100 * _share(language):.0f}%" for language in LANGUAGES)
    lines.append(f"| **all** | {total} | {cells} |")
    return "\n".join(lines)


def test_french_portuguese_and_arabic_reach_the_issue_targets() -> None:
    shares = {language: _share(language) for language in TARGETS}
    assert {language: share >= TARGETS[language] for language, share in shares.items()} == dict.fromkeys(
        TARGETS, True
    ), shares


def test_every_domain_has_french_and_portuguese_in_every_module() -> None:
    short = {
        (slug, language)
        for slug, row in _covered().items()
        for language in ("fr", "pt")
        if row[language] < row["modules"]
    }
    assert short == set()


def test_swahili_keeps_at_least_its_recorded_floor() -> None:
    assert _share("sw") >= SWAHILI_FLOOR


def test_the_counting_sees_a_language_only_where_a_module_has_it() -> None:
    """Positive control of the walk: a language the catalog lacks counts 0, and adding one resource in it
    to one module counts exactly that module."""
    assert sum(row.get("xx", 0) for row in _covered().values()) == 0
    first = RAW["domains"][0]["modules"][0]["resources"]
    first.append({**first[0], "language": "xx", "url": "https://example.org/xx"})
    try:
        assert sum(row.get("xx", 0) for row in _covered().values()) == 1
    finally:
        first.pop()


def test_the_coverage_table_in_the_docs_is_the_computed_one() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()
    assert documented == _markdown(), f"replace the table in {DOC.name} with:\n{_markdown()}"
