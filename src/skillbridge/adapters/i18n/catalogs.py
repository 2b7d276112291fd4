"""The gettext catalogs of the supported languages, read from their ``.po`` sources once, at start.

The ``.po`` files are the only form kept: Babel reads them into memory, so neither ``make run`` on a fresh
checkout nor the wheel needs a compile step or binary ``.mo`` files. A fuzzy or empty entry counts as
untranslated (the English message id is shown), as gettext itself would do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

from babel.core import negotiate_locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from skillbridge.application.ports.translator import Translator
from skillbridge.domain.texts import Text, fill

#: The fallback language, in which every message id is written.
SOURCE_LANGUAGE = "en"
#: The languages with a catalog, besides English.
TRANSLATED_LANGUAGES = ("fr", "pt", "ar", "sw")
DOMAIN = "messages"


def catalog_of(language: str) -> Catalog:
    """The catalog of ``language`` as its ``.po`` file has it (fuzzy entries included)."""
    path = resources.files("skillbridge.adapters.i18n").joinpath(f"locale/{language}/LC_MESSAGES/{DOMAIN}.po")
    with path.open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


def translations_of(catalog: Catalog) -> dict[str, str]:
    """Message id -> translation, for the entries that are translated and not fuzzy."""
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }


class BabelTranslator(Translator):
    """:class:`Translator` over the catalogs of :data:`TRANSLATED_LANGUAGES`."""

    def __init__(self, catalogs: Mapping[str, Mapping[str, str]] | None = None) -> None:
        loaded = (
            catalogs
            if catalogs is not None
            else {language: translations_of(catalog_of(language)) for language in TRANSLATED_LANGUAGES}
        )
        self._catalogs = {language: dict(entries) for language, entries in loaded.items()}
        self._languages = (SOURCE_LANGUAGE, *self._catalogs)

    @property
    def languages(self) -> tuple[str, ...]:
        return self._languages

    def render(self, language: str, text: Text) -> str:
        translated = self._catalogs.get(language, {}).get(text.message, text.message)
        try:
            return fill(translated, text.params)
        except (KeyError, IndexError, ValueError):  # a broken translation must not lose the message
            return text.english()

    def language_for(self, wishes: Iterable[str]) -> str | None:
        chosen = negotiate_locale([wish.strip() for wish in wishes if wish.strip()], list(self._languages), sep="-")
        return chosen.split("-", 1)[0].lower() if chosen else None


@cache
def shared_translator() -> BabelTranslator:
    """One translator per process: the catalogs are read once, whoever asks first."""
    return BabelTranslator()
