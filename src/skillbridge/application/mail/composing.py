"""Composing a mail from its template, in the reader's language.

Templates are plain files beside this module (see :mod:`skillbridge.application.mail.templates`): a
translator edits text, not code. Values are escaped for the HTML body; a missing value is an error, not
an empty gap in a mail already sent.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from string import Template

from skillbridge.application.ports.email_sender import OutgoingEmail

#: The languages every template exists in (those of the API's catalogs); the first is the fallback.
SUPPORTED_LANGUAGES = ("en", "fr", "pt", "ar", "sw")
#: Written right to left: the mail's HTML says so, or a mail client would lay Arabic out backwards.
_RIGHT_TO_LEFT = frozenset({"ar"})

_HTML_PAGE = Template(
    '<!doctype html>\n<html lang="${lang}" dir="${direction}"><head><meta charset="utf-8"><title>${title}</title>'
    '</head>\n<body style="font-family: sans-serif; line-height: 1.5; max-width: 36em">\n${body}\n</body></html>\n'
)
_UNSUBSCRIBE_TEXT = {
    "en": "Stop these emails: ${url}",
    "fr": "Ne plus recevoir ces e-mails : ${url}",
    "pt": "Deixar de receber estes e-mails: ${url}",
    "ar": "إيقاف هذه الرسائل: ${url}",
    "sw": "Acha kupokea barua pepe hizi: ${url}",
}
_UNSUBSCRIBE_HTML = {
    "en": "Stop these emails",
    "fr": "Ne plus recevoir ces e-mails",
    "pt": "Deixar de receber estes e-mails",
    "ar": "إيقاف هذه الرسائل",
    "sw": "Acha kupokea barua pepe hizi",
}


def choose_language(profile_languages: Iterable[str], accept_language: Iterable[str] = ()) -> str:
    """The first supported language of the user's profile, else of their browser's ``Accept-Language``
    (already in order of preference), else English."""
    for language in (*profile_languages, *accept_language):
        base = language.strip().lower().split("-", 1)[0]
        if base in SUPPORTED_LANGUAGES:
            return base
    return SUPPORTED_LANGUAGES[0]


@cache
def _template(name: str, language: str, kind: str) -> Template:
    path = resources.files("skillbridge.application.mail.templates").joinpath(f"{name}.{language}.{kind}")
    return Template(path.read_text("utf-8"))


def compose(
    name: str,
    language: str,
    to: str,
    values: Mapping[str, str],
    *,
    unsubscribe_url: str | None = None,
) -> OutgoingEmail:
    """Render the template ``name`` in ``language`` for ``to``.

    ``unsubscribe_url`` marks optional mail: the bodies end with the link, and the RFC 8058 headers let a
    mail client unsubscribe in one click (a POST to that URL, no page to visit).

    Raises:
        KeyError: a placeholder of the template has no value.
        FileNotFoundError: no such template in that language.
    """
    language = language if language in SUPPORTED_LANGUAGES else SUPPORTED_LANGUAGES[0]
    subject_line, _, text = _template(name, language, "txt").substitute(values).partition("\n\n")
    subject = subject_line.removeprefix("Subject:").strip()
    escaped = {key: html.escape(value) for key, value in values.items()}
    body = _template(name, language, "html").substitute(escaped)
    headers: tuple[tuple[str, str], ...] = ()
    if unsubscribe_url is not None:
        text += "\n\n" + Template(_UNSUBSCRIBE_TEXT[language]).substitute(url=unsubscribe_url) + "\n"
        link = html.escape(unsubscribe_url)
        body += f'\n<p style="font-size: small"><a href="{link}">{_UNSUBSCRIBE_HTML[language]}</a></p>'
        headers = (
            ("List-Unsubscribe", f"<{unsubscribe_url}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        )
    direction = "rtl" if language in _RIGHT_TO_LEFT else "ltr"
    page = _HTML_PAGE.substitute(lang=language, direction=direction, title=html.escape(subject), body=body)
    return OutgoingEmail(to=to, subject=subject, text=text, html=page, headers=headers)
