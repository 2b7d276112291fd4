"""The language of a response: the ones a browser asks for, from its ``Accept-Language`` header (RFC 9110
12.5.4), else the caller's profile, matched against the catalogs by Babel."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litestar.connection import ASGIConnection

from skillbridge.adapters.http.admission_state import admission_of
from skillbridge.application.ports.translator import Translator
from skillbridge.domain.texts import Text

MAX_LANGUAGES = 10


def accepted_languages(header: str | None) -> tuple[str, ...]:
    """Language tags of ``header`` by falling quality (ties keep their order); ``q=0`` and ``*`` dropped."""
    ranked = [(quality, position, tag) for position, (tag, quality) in enumerate(_ranges(header)) if quality > 0]
    return tuple(tag for _, _, tag in sorted(ranked, key=lambda item: (-item[0], item[1])) if tag != "*")[
        :MAX_LANGUAGES
    ]


def refused_languages(header: str | None) -> frozenset[str]:
    """The primary languages ``header`` refuses outright (``fr;q=0``): not served, not even from a profile."""
    return frozenset(tag.split("-", 1)[0] for tag, quality in _ranges(header) if quality <= 0 and tag != "*")


def _ranges(header: str | None) -> list[tuple[str, float]]:
    """The (lower-cased tag, quality) pairs of ``header``; a quality that does not parse counts as 0."""
    ranges = []
    for item in (header or "").split(",")[: MAX_LANGUAGES * 2]:
        tag, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag:
            ranges.append((tag.lower(), quality))
    return ranges


def request_language(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The language this request is answered in: the first supported one of its ``Accept-Language`` (by
    quality), else the first supported one of the caller's profile that the header does not refuse with
    ``q=0``, else English (the catalogs' source, always available).

    Chosen once per request and kept in its state (an error handler and a serializer agree)."""
    state = connection.scope.setdefault("state", {})
    chosen = state.get(_LANGUAGE)
    if isinstance(chosen, str):
        return chosen
    translator = translator_of(connection)
    principal = admission_of(connection).principal
    header = connection.headers.get("accept-language")
    refused = refused_languages(header)
    profile = [code for code in (principal.languages if principal else ()) if code.split("-", 1)[0] not in refused]
    chosen = (
        translator.language_for(accepted_languages(header))
        or translator.language_for(profile)
        or translator.languages[0]
    )
    state[_LANGUAGE] = chosen
    return chosen


def translator_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Translator:
    """The app's translator (English only when the composition root gave none)."""
    translator = getattr(connection.app.state, "translator", None)
    return translator if translator is not None else _ENGLISH_ONLY


def localized(connection: ASGIConnection[Any, Any, Any, Any], text: Text) -> str:
    """``text`` in this request's language."""
    return translator_of(connection).render(request_language(connection), text)


def language_headers(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, str]:
    """The headers of a body worded in this request's language: which one, and that the choice depends on
    ``Accept-Language`` (a shared cache must not serve one learner's French to another's Swahili)."""
    return {"Content-Language": request_language(connection), "Vary": "Accept-Language"}


class _EnglishOnly(Translator):
    @property
    def languages(self) -> tuple[str, ...]:
        return ("en",)

    def render(self, language: str, text: Text) -> str:
        return text.english()

    def language_for(self, wishes: Iterable[str]) -> str | None:
        return "en" if any(wish.lower().split("-", 1)[0] == "en" for wish in wishes) else None


_ENGLISH_ONLY = _EnglishOnly()
_LANGUAGE = "language"
