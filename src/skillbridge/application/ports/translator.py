"""Port: the catalogs that turn an English message id into the reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from skillbridge.domain.texts import Text


class Translator(Protocol):
    """Translates marked sentences (:mod:`skillbridge.domain.texts`) into the supported languages.

    Contract: :attr:`languages` lists the supported ISO 639-1 codes, English first (the fallback);
    :meth:`render` never fails on a known language: a message id without a translation comes back in English,
    with its values in; an unsupported language is served in English.
    """

    @property
    def languages(self) -> tuple[str, ...]: ...

    def render(self, language: str, text: Text) -> str:
        """``text`` in ``language``, its placeholders filled."""
        ...

    def language_for(self, wishes: Iterable[str]) -> str | None:
        """The first of ``wishes`` (language tags such as ``pt-BR``, best first) that is supported, as its
        catalog's code (``pt``); ``None`` when none is."""
        ...
