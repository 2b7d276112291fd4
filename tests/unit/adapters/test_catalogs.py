"""The gettext catalogs: every marked message translated in every language, with the message id's
placeholders; and the translator that reads them (fuzzy entries, unknown ids, languages)."""

from __future__ import annotations

import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

import skillbridge
from skillbridge.adapters.i18n.catalogs import TRANSLATED_LANGUAGES, BabelTranslator, catalog_of, translations_of
from skillbridge.domain.texts import Text

PACKAGE = Path(skillbridge.__file__).parent
LOCALE = PACKAGE / "adapters" / "i18n" / "locale"


def extracted_ids() -> set[str]:
    """Every message id Babel's extraction finds in the package (the ``N_`` keyword), as ``make messages``."""
    found = extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")], keywords={"N_": None})
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def catalog_problems(catalog: Catalog, ids: set[str]) -> list[str]:
    """What is wrong with ``catalog`` for the message ids ``ids``, one line each (empty: nothing)."""
    problems = []
    entries = {message.id: message for message in catalog if message.id}
    for message_id in sorted(ids):
        entry = entries.get(message_id)
        if entry is None:
            problems.append(f"missing: {message_id!r}")
        elif not entry.string or not str(entry.string).strip():
            problems.append(f"empty: {message_id!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {message_id!r}")
        elif placeholders(str(entry.string)) != placeholders(message_id):
            problems.append(f"placeholders differ: {message_id!r} -> {entry.string!r}")
        elif entry.string == message_id and re.search(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}", "", message_id)):
            problems.append(f"an English copy: {message_id!r}")
    problems.extend(f"not in the code: {message_id!r}" for message_id in sorted(set(entries) - ids))
    return problems


def test_the_extraction_finds_the_problem_titles_notifications_and_domain_errors() -> None:
    ids = extracted_ids()

    # A few of each kind, written out: the extraction reaches every layer that words a message.
    assert {"Not found", "Authentication required", "Validation failed"} <= ids  # problem titles
    assert "Your {domain} mentorship was accepted" in ids  # a notification
    assert "user not found" in ids  # a domain error
    assert "a bearer access token is required" in ids  # a message kept in a constant
    assert "at most {limit} characters" in ids  # a schema failure, reworded
    assert len(ids) > 250


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(language: str) -> None:
    assert catalog_problems(catalog_of(language), extracted_ids()) == []


def test_the_template_matches_the_code() -> None:
    with (LOCALE / "messages.pot").open("rb") as source:
        template = read_po(source)

    assert {message.id for message in template if message.id} == extracted_ids()


def test_the_check_catches_each_kind_of_gap() -> None:
    ids = {"user not found", "at most {limit} characters", "Not found", "a rating is from 1 to 5", "{field}: {message}"}
    catalog = Catalog(locale="fr")
    catalog.add("user not found", "")  # empty
    catalog.add("at most {limit} characters", "{max} caractères au plus")  # another placeholder
    catalog.add("Not found", "Introuvable", flags=("fuzzy",))  # fuzzy
    catalog.add("{field}: {message}", "{field} : {message}")  # fine: nothing to translate but punctuation
    catalog.add("gone from the code", "disparu")  # obsolete
    # "a rating is from 1 to 5" is missing altogether; an English copy:
    catalog.add("a skill needs at least one letter or digit", "a skill needs at least one letter or digit")
    ids.add("a skill needs at least one letter or digit")

    problems = catalog_problems(catalog, ids)

    assert problems == [
        "fuzzy: 'Not found'",
        "missing: 'a rating is from 1 to 5'",
        "an English copy: 'a skill needs at least one letter or digit'",
        "placeholders differ: 'at most {limit} characters' -> '{max} caractères au plus'",
        "empty: 'user not found'",
        "not in the code: 'gone from the code'",
    ]


def test_a_fuzzy_or_empty_entry_is_read_as_untranslated() -> None:
    catalog = Catalog(locale="fr")
    catalog.add("Not found", "Introuvable")
    catalog.add("Conflict", "Conflit", flags=("fuzzy",))
    catalog.add("Forbidden", "")
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    buffer.seek(0)

    assert translations_of(read_po(buffer)) == {"Not found": "Introuvable"}


def test_the_translator_words_each_language_and_falls_back_to_english() -> None:
    translator = BabelTranslator()
    text = Text("Your {domain} mentorship was accepted", {"domain": "web-development"})

    assert translator.languages == ("en", "fr", "pt", "ar", "sw")
    assert translator.render("en", text) == "Your web-development mentorship was accepted"
    assert translator.render("fr", text) == "Votre mentorat en web-development a été accepté"
    assert translator.render("pt", text) == "A sua mentoria em web-development foi aceite"
    assert translator.render("ar", text) == "قُبل إرشادك في web-development"
    assert translator.render("sw", text) == "Ushauri wako wa web-development umekubaliwa"
    assert translator.render("de", text) == "Your web-development mentorship was accepted"
    assert translator.render("fr", Text("not a message id {x}", {"x": 1})) == "not a message id 1"


def test_a_broken_translation_shows_the_english_sentence_not_an_error() -> None:
    translator = BabelTranslator({"fr": {"at most {limit} characters": "{max} caractères au plus"}})

    assert translator.render("fr", Text("at most {limit} characters", {"limit": 80})) == "at most 80 characters"


@pytest.mark.parametrize(
    ("wishes", "expected"),
    [
        (["pt-BR", "fr"], "pt"),  # a region of a supported language
        (["SW"], "sw"),  # any case
        (["de", "ar-EG"], "ar"),  # the first supported one
        (["de"], None),
        ([], None),
    ],
)
def test_the_translator_picks_the_first_supported_language(wishes: list[str], expected: str | None) -> None:
    assert BabelTranslator().language_for(wishes) == expected
