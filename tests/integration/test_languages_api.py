"""The learner's language, end to end: problem titles and details, validation messages, notifications and
mails in English, French, Portuguese, Arabic and Swahili; chosen from Accept-Language (q-values, q=0), else
the caller's profile, else English; field names and problem types the same in every language.

Every expected sentence is written out here, from the catalogs' wording, not read from them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from skillbridge.adapters.persistence.sqlalchemy import create_engine
from skillbridge.application.notifications.digest import SendNotificationDigests
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.domain.notifications.model import NotificationType
from skillbridge.domain.texts import Text
from skillbridge.main import build_container
from tests.integration.helpers import Api, ClockProvider, register_body, user_id
from tests.support.mail import mails_to, text_of
from tests.support.units import system_unit

pytestmark = pytest.mark.asyncio

ME, INBOX, POSTS = "/api/v1/users/me", "/api/v1/notifications/my", "/api/v1/forum/posts"
FORGOT, PREFERENCES = "/api/v1/auth/password/forgot", "/api/v1/users/me/notification-preferences"
PROBLEMS = "https://skillbridge.africa/problems/"
LANGUAGES = ("en", "fr", "pt", "ar", "sw")

NOT_FOUND_TITLE = {
    "en": "Not found",
    "fr": "Introuvable",
    "pt": "Não encontrado",
    "ar": "غير موجود",
    "sw": "Haikupatikana",
}
ROADMAP_NOT_FOUND = {
    "en": "roadmap not found",
    "fr": "parcours introuvable",
    "pt": "percurso não encontrado",
    "ar": "المسار غير موجود",
    "sw": "mpango wa kujifunza haukupatikana",
}
AUTHENTICATION_REQUIRED = {
    "en": ("Authentication required", "a bearer access token is required"),
    "fr": ("Authentification requise", "un jeton d'accès (Bearer) est requis"),
    "pt": ("Autenticação necessária", "é necessário um token de acesso (Bearer)"),
    "ar": ("المصادقة مطلوبة", "يلزم رمز وصول من نوع Bearer"),
    "sw": ("Uthibitishaji unahitajika", "tokeni ya ufikiaji (Bearer) inahitajika"),
}
VALIDATION_FAILED = {
    "en": "Validation failed",
    "fr": "Échec de la validation",
    "pt": "A validação falhou",
    "ar": "فشل التحقق من البيانات",
    "sw": "Uthibitishaji umeshindwa",
}
BAD_TIMEZONE = {  # a business rule of the domain (InvalidInput)
    "en": "an IANA timezone name such as 'Africa/Lagos'",
    "fr": "un nom de fuseau horaire IANA comme 'Africa/Lagos'",
    "pt": "um nome de fuso horário IANA, como 'Africa/Lagos'",
    "ar": "اسم منطقة زمنية من IANA مثل 'Africa/Lagos'",
    "sw": "jina la saa za eneo la IANA kama 'Africa/Lagos'",
}
WRONG_TYPE = {  # msgspec's "Expected `int`, got `str`", reworded
    "en": "expected int, got str",
    "fr": "int attendu, str reçu",
    "pt": "esperado int, recebido str",
    "ar": "المتوقَّع int، والمستلَم str",
    "sw": "ilitarajiwa int, imepokelewa str",
}
REPLIED_TO_YOUR_THREAD = {
    "en": "Test User replied to your thread",
    "fr": "Test User a répondu à votre discussion",
    "pt": "Test User respondeu ao seu tópico",
    "ar": "ردّ Test User على موضوعك",
    "sw": "Test User amejibu mada yako",
}
RESET_SUBJECT = {
    "en": "Reset your SkillBridge password",
    "fr": "Réinitialisez votre mot de passe SkillBridge",
    "pt": "Redefina a sua palavra-passe do SkillBridge",
    "ar": "أعِد تعيين كلمة مرور SkillBridge",
    "sw": "Weka upya nenosiri lako la SkillBridge",
}
NEWS_SUBJECT = {
    "en": "News on SkillBridge",
    "fr": "Du nouveau sur SkillBridge",
    "pt": "Novidades no SkillBridge",
    "ar": "جديد على SkillBridge",
    "sw": "Habari mpya kwenye SkillBridge",
}


def _says_language(headers: httpx.Headers, language: str) -> None:
    assert headers["content-language"] == language
    assert "accept-language" in headers["vary"].lower()


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_404_is_worded_in_the_asked_language_with_the_same_type(api: Api, language: str) -> None:
    headers = await api.token_for(f"{language}@example.org")

    missing = await api.client.get(
        f"/api/v1/roadmaps/{uuid4()}", headers=headers | {"Accept-Language": f"{language};q=0.9"}
    )
    no_route = await api.client.get("/api/v1/no-such-thing", headers={"Accept-Language": language})

    assert missing.status_code == 404, missing.text
    body = missing.json()
    assert (body["type"], body["title"], body["detail"]) == (
        PROBLEMS + "not-found",
        NOT_FOUND_TITLE[language],
        ROADMAP_NOT_FOUND[language],
    )
    _says_language(missing.headers, language)
    assert no_route.status_code == 404
    assert (no_route.json()["title"], no_route.json()["detail"]) == (NOT_FOUND_TITLE[language],) * 2
    _says_language(no_route.headers, language)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_401_is_worded_in_the_asked_language(api: Api, language: str) -> None:
    response = await api.client.get(ME, headers={"Accept-Language": language})

    assert response.status_code == 401
    body = response.json()
    assert body["type"] == PROBLEMS + "unauthenticated"
    assert (body["title"], body["detail"]) == AUTHENTICATION_REQUIRED[language]
    assert response.headers["www-authenticate"] == 'Bearer realm="skillbridge"'
    _says_language(response.headers, language)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_422_words_each_message_but_keeps_the_field_names(api: Api, language: str) -> None:
    body = register_body("lang@example.org", timezone="Mars/Olympus_Mons")

    rule = await api.client.post("/api/v1/auth/register", json=body, headers={"Accept-Language": language})
    shape = await api.client.post(
        "/api/v1/auth/register",
        json=register_body("lang@example.org", hours_per_week="six"),
        headers={"Accept-Language": language},
    )

    assert rule.status_code == 422, rule.text
    problem = rule.json()
    assert (problem["type"], problem["title"]) == (PROBLEMS + "invalid-input", VALIDATION_FAILED[language])
    assert problem["field"] == "profile.timezone"
    assert problem["errors"] == [{"field": "profile.timezone", "message": BAD_TIMEZONE[language]}]
    assert problem["detail"] == BAD_TIMEZONE[language]
    _says_language(rule.headers, language)
    assert shape.status_code == 422, shape.text
    problem = shape.json()
    assert (problem["type"], problem["title"]) == (PROBLEMS + "validation-failed", VALIDATION_FAILED[language])
    assert problem["errors"] == [{"field": "profile.hours_per_week", "message": WRONG_TYPE[language]}]
    separator = " : " if language == "fr" else ": "
    assert problem["detail"] == "profile.hours_per_week" + separator + WRONG_TYPE[language]


async def test_accept_language_comes_before_the_profile_and_the_profile_before_english(api: Api) -> None:
    headers = await api.token_for("swahili@example.org", languages=["yo", "sw", "fr"])
    url = f"/api/v1/roadmaps/{uuid4()}"

    asked = await api.client.get(url, headers=headers | {"Accept-Language": "pt-BR, en;q=0.5"})
    unsupported_asked = await api.client.get(url, headers=headers | {"Accept-Language": "de, ja;q=0.4"})
    not_asked = await api.client.get(url, headers=headers)
    anonymous = await api.client.get("/api/v1/no-such-thing")

    assert asked.json()["detail"] == ROADMAP_NOT_FOUND["pt"]  # the header, region dropped
    assert unsupported_asked.json()["detail"] == ROADMAP_NOT_FOUND["sw"]  # the profile's first supported one
    assert not_asked.json()["detail"] == ROADMAP_NOT_FOUND["sw"]
    _says_language(not_asked.headers, "sw")
    assert anonymous.json()["title"] == NOT_FOUND_TITLE["en"]  # no header, no profile: English
    _says_language(anonymous.headers, "en")


async def test_a_changed_profile_language_applies_on_the_next_request(api: Api) -> None:
    headers = await api.token_for("mover@example.org", languages=["fr"])
    url = f"/api/v1/roadmaps/{uuid4()}"
    before = await api.client.get(url, headers=headers)

    patched = await api.client.patch(ME, json={"languages": ["ar"]}, headers=headers)
    after = await api.client.get(url, headers=headers)

    assert patched.status_code == 200, patched.text
    assert before.json()["detail"] == ROADMAP_NOT_FOUND["fr"]
    assert after.json()["detail"] == ROADMAP_NOT_FOUND["ar"]  # the cached caller was refreshed


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de, zh-Hant;q=0.8, *;q=0.1", "en"),  # nothing supported: English
        ("xx-unknown", "en"),
        ("fr;q=0, pt;q=0.5", "pt"),  # q=0 excludes French
        ("fr;q=0", "en"),  # ... even when nothing else is asked
        ("sw;q=0.2, ar;q=0.7", "ar"),  # the higher quality wins, whatever the order
        ("fr;q=nonsense, sw", "sw"),  # a quality that does not parse counts as 0
    ],
)
async def test_quality_values_are_honoured(api: Api, header: str, expected: str) -> None:
    response = await api.client.get("/api/v1/no-such-thing", headers={"Accept-Language": header})

    assert response.json()["title"] == NOT_FOUND_TITLE[expected]
    _says_language(response.headers, expected)


async def test_a_language_refused_with_q0_is_not_taken_from_the_profile_either(api: Api) -> None:
    headers = await api.token_for("nofrench@example.org", languages=["fr", "sw"])

    response = await api.client.get(f"/api/v1/roadmaps/{uuid4()}", headers=headers | {"Accept-Language": "fr;q=0, de"})
    control = await api.client.get(f"/api/v1/roadmaps/{uuid4()}", headers=headers | {"Accept-Language": "de"})

    assert response.json()["detail"] == ROADMAP_NOT_FOUND["sw"]
    assert control.json()["detail"] == ROADMAP_NOT_FOUND["fr"]  # without the refusal, French it is


async def _thread_with_a_reply(api: Api, author: dict[str, str], replier: dict[str, str]) -> None:
    thread = await api.client.post(
        POSTS, json={"category": "Python", "title": "Reading CSV files", "content": "<p>How?</p>"}, headers=author
    )
    assert thread.status_code == 201, thread.text
    reply = await api.client.post(
        POSTS, json={"parent_id": thread.json()["id"], "content": "<p>Use csv</p>"}, headers=replier
    )
    assert reply.status_code == 201, reply.text


async def test_a_notification_is_worded_when_read_in_the_readers_language(api: Api) -> None:
    amara = await api.token_for("amara@example.org", languages=["sw"])
    bayo = await api.token_for("bayo@example.org", languages=["fr"])
    await _thread_with_a_reply(api, amara, bayo)

    listed = {
        language: await api.client.get(INBOX, headers=amara | {"Accept-Language": language}) for language in LANGUAGES
    }
    from_profile = await api.client.get(INBOX, headers=amara)

    for language, response in listed.items():
        assert response.status_code == 200, response.text
        [item] = response.json()["items"]
        assert item["message"] == REPLIED_TO_YOUR_THREAD[language]
        assert item["type"] == "forum_reply"
        assert set(item["payload"]) == {"post_id", "parent_id", "thread_id", "author_id"}  # no wording inside
        _says_language(response.headers, language)
    assert [item["message"] for item in from_profile.json()["items"]] == [REPLIED_TO_YOUR_THREAD["sw"]]
    ids = {language: response.json()["items"][0]["id"] for language, response in listed.items()}
    assert len(set(ids.values())) == 1  # one stored notification, worded five ways

    marked = await api.client.patch(
        f"/api/v1/notifications/{ids['en']}/read", headers=amara | {"Accept-Language": "pt"}
    )
    assert marked.status_code == 200, marked.text
    assert marked.json()["message"] == REPLIED_TO_YOUR_THREAD["pt"]


async def _mails_with_subject(api: Api, email: str, subjects: set[str], wait_seconds: float = 20.0) -> list[str]:
    """The subjects of the mails to ``email`` among ``subjects``, once one is there (jobs run after responses)."""
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while True:
        found = [
            str(m["Subject"]) for m in mails_to(Path(api.settings.email_outbox), email) if m["Subject"] in subjects
        ]
        if found or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_password_reset_mail_is_in_the_profile_language(api: Api, language: str) -> None:
    email = f"reset-{language}@example.org"
    await api.register(email, languages=["yo", language])

    # The request's own language does not matter: the mail goes to the account's owner, in theirs.
    response = await api.client.post(FORGOT, json={"email": email}, headers={"Accept-Language": "de, fr;q=0.1"})

    assert response.status_code == 202, response.text
    assert await _mails_with_subject(api, email, set(RESET_SUBJECT.values())) == [RESET_SUBJECT[language]]


@pytest.mark.parametrize("language", ["ar", "sw"])
async def test_a_mailed_notification_is_worded_in_the_recipients_language(api: Api, language: str) -> None:
    amara = await api.token_for("amara@example.org", languages=[language])
    bayo = await api.token_for("bayo@example.org", languages=["fr"])
    await api.client.patch(PREFERENCES, headers=amara, json={"types": {"forum_reply": "email"}})

    await _thread_with_a_reply(api, amara, bayo)

    assert await _mails_with_subject(api, "amara@example.org", set(NEWS_SUBJECT.values())) == [NEWS_SUBJECT[language]]
    [mail] = [
        m
        for m in mails_to(Path(api.settings.email_outbox), "amara@example.org")
        if m["Subject"] in NEWS_SUBJECT.values()
    ]
    assert REPLIED_TO_YOUR_THREAD[language] in text_of(mail)
    assert "replied to your thread" not in text_of(mail)


async def test_the_digest_words_each_notification_in_the_recipients_language(api: Api) -> None:
    headers = await api.token_for("amara@example.org", languages=["pt"])
    amara = await user_id(api, headers)
    engine = create_engine(api.settings.schema_owner_url)
    try:
        async with system_unit(engine) as uow:
            notifier = Notifier(api.clock)
            accepted = Text("Your {domain} mentorship was accepted", {"domain": "data-science"})
            await notifier.notify(uow, amara, NotificationType.MATCH, accepted)
            await notifier.notify(uow, amara, NotificationType.CHAT_MESSAGE, "Bom dia! See you at 9")
            await uow.commit()
    finally:
        await engine.dispose()
    api.clock.advance(timedelta(hours=25))  # away longer than the default 24 hours

    container = build_container(api.settings, ClockProvider(api.clock))
    try:
        async with container() as scope:
            sent = await (await scope.get(SendNotificationDigests))()
    finally:
        await container.close()

    assert sent == 1
    [mail] = [m for m in mails_to(Path(api.settings.email_outbox), "amara@example.org") if "por ler" in m["Subject"]]
    assert mail["Subject"] == "2 por ler no SkillBridge"
    assert "- A sua mentoria em data-science foi aceite" in text_of(mail)
    assert "- Bom dia! See you at 9" in text_of(mail)  # a person's words, as written
    assert "mentorship was accepted" not in text_of(mail)
