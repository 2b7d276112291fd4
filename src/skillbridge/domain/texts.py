"""Human sentences that are shown in the reader's language: a message id and the values it names.

The domain and the application write their sentences in English, marked with :func:`N_` so that Babel's
extraction finds them (``pybabel extract -k N_``); the English sentence *is* the catalog's message id, and
``{name}`` placeholders are filled from ``params`` after translation. Which language a reader gets, and the
catalogs themselves, are the adapters' business: this module only keeps the sentence and its values apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: A value a sentence may name: text is never translated, numbers are shown as they are.
Param = str | int | float


def N_(message: str) -> str:  # noqa: N802 - the name gettext's tools look for
    """Mark ``message`` for extraction; it is translated later, where the reader's language is known."""
    return message


@dataclass(frozen=True, slots=True)
class Text:
    """One sentence to render: ``message`` (an English message id with ``{placeholders}``) and ``params``."""

    message: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def english(self) -> str:
        """The sentence in English (the message id with its values)."""
        return fill(self.message, self.params)


def fill(message: str, params: Mapping[str, Param]) -> str:
    """``message`` with its ``{placeholders}`` replaced (no params: left as written, braces and all)."""
    return message.format_map(dict(params)) if params else message
