"""Mail templates: the reader's language, escaped values, and the RFC 8058 headers on optional mail."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from skillbridge.adapters.http.languages import accepted_languages, refused_languages
from skillbridge.application.mail.composing import SUPPORTED_LANGUAGES, choose_language, compose
from skillbridge.application.mail.links import MailLinks

VALUES = {"name": "Amara <b>&</b>", "link": "https://app.example/reset-password?token=t0k", "token": "t0k"}


@pytest.mark.parametrize(
    ("profile", "accept", "expected"),
    [
        (("fr", "en"), ("en",), "fr"),  # the profile comes first
        (("yo", "EN"), ("fr",), "en"),  # the first supported one of the profile, whatever its case
        (("yo",), ("fr-ca", "en"), "fr"),  # else the browser's, region dropped
        (("yo",), ("pt-BR",), "pt"),
        (("yo",), ("de",), "en"),  # else English
        ((), (), "en"),
    ],
)
def test_choose_language(profile: tuple[str, ...], accept: tuple[str, ...], expected: str) -> None:
    assert choose_language(profile, accept) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-CA, fr;q=0.8, en;q=0.9", ("fr-ca", "en", "fr")),
        ("en;q=0.2, sw", ("sw", "en")),
        ("*, de;q=0, yo;q=0.5", ("yo",)),
        ("en;q=nonsense, fr", ("fr",)),
        ("", ()),
        (None, ()),
    ],
)
def test_accepted_languages(header: str | None, expected: tuple[str, ...]) -> None:
    assert accepted_languages(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr;q=0, pt", {"fr"}),
        ("fr-CA;q=0.000, sw;q=0.3, *;q=0", {"fr"}),  # the primary language of a refused tag; never "*"
        ("ar;q=oops", {"ar"}),  # a quality that does not parse is 0
        ("en, sw;q=0.1", set()),
        (None, set()),
    ],
)
def test_refused_languages(header: str | None, expected: set[str]) -> None:
    assert refused_languages(header) == expected


def test_an_english_mail_has_its_subject_text_and_escaped_html() -> None:
    mail = compose("password_reset", "en", "amara@example.org", VALUES)

    assert mail.to == "amara@example.org"
    assert mail.subject == "Reset your SkillBridge password"
    assert mail.text.startswith("Hello Amara <b>&</b>,\n")
    assert "https://app.example/reset-password?token=t0k" in mail.text
    assert "Hello Amara &lt;b&gt;&amp;&lt;/b&gt;," in mail.html
    assert '<a href="https://app.example/reset-password?token=t0k">' in mail.html
    assert '<html lang="en" dir="ltr">' in mail.html
    assert mail.headers == ()
    assert "Stop these emails" not in mail.text  # transactional mail cannot be turned off


def test_a_french_mail_is_in_french() -> None:
    mail = compose("password_reset", "fr", "amara@example.org", VALUES)

    assert mail.subject == "Réinitialisez votre mot de passe SkillBridge"
    assert mail.text.startswith("Bonjour Amara <b>&</b>,\n")
    assert '<html lang="fr" dir="ltr">' in mail.html


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("pt", "Redefina a sua palavra-passe do SkillBridge", "Olá Amara <b>&</b>,\n"),
        ("ar", "أعِد تعيين كلمة مرور SkillBridge", "مرحبًا Amara <b>&</b>،\n"),
        ("sw", "Weka upya nenosiri lako la SkillBridge", "Habari Amara <b>&</b>,\n"),
    ],
)
def test_a_mail_in_each_other_language(language: str, subject: str, greeting: str) -> None:
    mail = compose("password_reset", language, "amara@example.org", VALUES)

    assert mail.subject == subject
    assert mail.text.startswith(greeting)
    assert "t0k" in mail.text


def test_an_arabic_mail_is_laid_out_right_to_left() -> None:
    assert '<html lang="ar" dir="rtl">' in compose("password_reset", "ar", "a@example.org", VALUES).html


def test_an_unsupported_language_falls_back_to_english() -> None:
    assert compose("password_reset", "de", "a@example.org", VALUES).subject == "Reset your SkillBridge password"


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("en", "Stop these emails: "),
        ("fr", "Ne plus recevoir ces e-mails : "),
        ("pt", "Deixar de receber estes e-mails: "),
        ("ar", "إيقاف هذه الرسائل: "),
        ("sw", "Acha kupokea barua pepe hizi: "),
    ],
)
def test_optional_mail_carries_a_one_click_unsubscribe(language: str, line: str) -> None:
    url = "https://api.example/api/v1/users/me/unsubscribe?token=u&x=1"

    mail = compose("password_reset", language, "a@example.org", VALUES, unsubscribe_url=url)

    assert mail.headers == (
        ("List-Unsubscribe", f"<{url}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )
    assert mail.text.rstrip().endswith(line + url)
    assert 'href="https://api.example/api/v1/users/me/unsubscribe?token=u&amp;x=1"' in mail.html


def test_a_missing_value_is_an_error_not_a_gap() -> None:
    with pytest.raises(KeyError):
        compose("password_reset", "en", "a@example.org", {"name": "Amara"})


def test_links_carry_the_token_quoted() -> None:
    links = MailLinks("https://app.example/")

    assert links.password_reset("a+b/c") == "https://app.example/reset-password?token=a%2Bb%2Fc"
    assert links.email_verification("xyz") == "https://app.example/verify-email?token=xyz"


TEMPLATE_NAMES = ("email_verification", "notification", "notification_digest", "password_reset")
OTHER_LANGUAGES = ("fr", "pt", "ar", "sw")


def _template_text(name: str, language: str, kind: str) -> str:
    return resources.files("skillbridge.application.mail.templates").joinpath(f"{name}.{language}.{kind}").read_text()


def _words(template: str) -> set[str]:
    """The words of a template's text, without its placeholders, markup, the brand and the ``Subject:`` key."""
    text = re.sub(r"\$\{\w+\}|<[^>]+>|^Subject:", " ", template)
    return {word.casefold() for word in re.findall(r"[^\W\d_]+", text)} - {"skillbridge", "e", "mail"}


def test_the_mail_templates_are_the_same_set_in_every_language() -> None:
    directory = resources.files("skillbridge.application.mail.templates")
    found = {entry.name for entry in directory.iterdir() if entry.name.endswith((".txt", ".html"))}
    expected = {
        f"{name}.{language}.{kind}"
        for name in TEMPLATE_NAMES
        for language in ("en", *OTHER_LANGUAGES)
        for kind in ("txt", "html")
    }
    assert found == expected
    assert set(SUPPORTED_LANGUAGES) == {"en", *OTHER_LANGUAGES}


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
@pytest.mark.parametrize("name", TEMPLATE_NAMES)
@pytest.mark.parametrize("kind", ["txt", "html"])
def test_a_translated_template_names_the_values_of_the_english_one(language: str, name: str, kind: str) -> None:
    english = _template_text(name, "en", kind)
    translated = _template_text(name, language, kind)

    assert set(re.findall(r"\$\{(\w+)\}", translated)) == set(re.findall(r"\$\{(\w+)\}", english))
    shared = _words(english) & _words(translated)
    assert len(shared) <= len(_words(english)) // 5, shared  # translated, not an English copy
    if kind == "txt":
        assert translated.startswith("Subject: ")
