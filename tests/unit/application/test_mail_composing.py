"""Mail templates: the reader's language, escaped values, and the RFC 8058 headers on optional mail."""

from __future__ import annotations

import pytest

from skillbridge.adapters.http.languages import accepted_languages
from skillbridge.application.mail.composing import choose_language, compose
from skillbridge.application.mail.links import MailLinks

VALUES = {"name": "Amara <b>&</b>", "link": "https://app.example/reset-password?token=t0k", "token": "t0k"}


@pytest.mark.parametrize(
    ("profile", "accept", "expected"),
    [
        (("fr", "en"), ("en",), "fr"),  # the profile comes first
        (("yo", "EN"), ("fr",), "en"),  # the first supported one of the profile, whatever its case
        (("yo",), ("fr-ca", "en"), "fr"),  # else the browser's, region dropped
        (("yo",), ("sw",), "en"),  # else English
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


def test_an_english_mail_has_its_subject_text_and_escaped_html() -> None:
    mail = compose("password_reset", "en", "amara@example.org", VALUES)

    assert mail.to == "amara@example.org"
    assert mail.subject == "Reset your SkillBridge password"
    assert mail.text.startswith("Hello Amara <b>&</b>,\n")
    assert "https://app.example/reset-password?token=t0k" in mail.text
    assert "Hello Amara &lt;b&gt;&amp;&lt;/b&gt;," in mail.html
    assert '<a href="https://app.example/reset-password?token=t0k">' in mail.html
    assert '<html lang="en">' in mail.html
    assert mail.headers == ()
    assert "Stop these emails" not in mail.text  # transactional mail cannot be turned off


def test_a_french_mail_is_in_french() -> None:
    mail = compose("password_reset", "fr", "amara@example.org", VALUES)

    assert mail.subject == "Réinitialisez votre mot de passe SkillBridge"
    assert mail.text.startswith("Bonjour Amara <b>&</b>,\n")
    assert '<html lang="fr">' in mail.html


def test_an_unsupported_language_falls_back_to_english() -> None:
    assert compose("password_reset", "sw", "a@example.org", VALUES).subject == "Reset your SkillBridge password"


@pytest.mark.parametrize(
    ("language", "line"),
    [("en", "Stop these emails: "), ("fr", "Ne plus recevoir ces e-mails : ")],
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
