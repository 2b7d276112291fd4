"""Email verification end to end: the sign-up mail's token proves the address; until then the account
reads and builds its roadmap but cannot request a mentor, post in the forum or chat."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.helpers import Api
from tests.support.mail import mails_to, text_of, token_in
from tests.support.terms import TERMS_VERSION

pytestmark = pytest.mark.asyncio
VERIFY, RESEND = "/api/v1/auth/email/verify", "/api/v1/auth/email/resend"
NEEDS = {"skills": ["python"], "hours_per_week": 3, "domain": "python"}
THREAD = {"category": "Python", "title": "Reading CSV files", "content": "<p>How do I read a CSV?</p>"}


def _verification_mails(api: Api, email: str) -> list[str]:
    """The tokens of the verification mails to ``email``, oldest first."""
    mails = mails_to(Path(api.settings.email_outbox), email)
    return [token_in(mail) for mail in mails if "/verify-email?token=" in text_of(mail)]


async def _token_for_unverified(api: Api, email: str, role: str = "learner") -> dict[str, str]:
    await api.register(email, role=role, verify=False)
    return {"Authorization": f"Bearer {(await api.login(email))['access_token']}"}


async def test_sign_up_mails_a_token_that_verifies_the_address(api: Api) -> None:
    headers = await _token_for_unverified(api, "amara@example.org")
    [token] = _verification_mails(api, "amara@example.org")
    assert (await api.client.get("/api/v1/users/me", headers=headers)).json()["email_verified"] is False

    response = await api.client.post(VERIFY, json={"token": token})  # from any device: no bearer token

    assert response.status_code == 204
    assert (await api.client.get("/api/v1/users/me", headers=headers)).json()["email_verified"] is True


async def test_an_unverified_account_reads_and_builds_but_does_not_reach_others(api: Api) -> None:
    await api.token_for("mentor@example.org", role="mentor")
    headers = await _token_for_unverified(api, "amara@example.org")

    roadmap = await api.client.post(
        "/api/v1/roadmaps",
        json={"domain": "python", "skill_level": "beginner", "time_availability": 5},
        headers=headers,
    )
    match = await api.client.post("/api/v1/matches", json={"learner_needs": NEEDS}, headers=headers)
    post = await api.client.post("/api/v1/forum/posts", json=THREAD, headers=headers)
    threads = await api.client.get("/api/v1/forum/posts", headers=headers)

    assert (roadmap.status_code, threads.status_code) == (201, 200)
    assert (match.status_code, post.status_code) == (403, 403)
    assert match.json()["field"] == post.json()["field"] == "email"

    # positive control: the same calls work once the address is verified (on the very next request)
    [token] = _verification_mails(api, "amara@example.org")
    assert (await api.client.post(VERIFY, json={"token": token})).status_code == 204
    assert (await api.client.post("/api/v1/forum/posts", json=THREAD, headers=headers)).status_code == 201
    assert (await api.client.post("/api/v1/matches", json={"learner_needs": NEEDS}, headers=headers)).status_code == 201


async def test_an_unverified_participant_cannot_chat(api: Api) -> None:
    mentor = await _token_for_unverified(api, "mentor@example.org", role="mentor")
    learner = await api.token_for("amara@example.org")
    match_id = (await api.client.post("/api/v1/matches", json={"learner_needs": NEEDS}, headers=learner)).json()["id"]
    accepted = await api.client.patch(f"/api/v1/matches/{match_id}", json={"status": "active"}, headers=mentor)
    assert accepted.status_code == 200, accepted.text
    chat = f"/api/v1/matches/{match_id}/chat"

    refused = await api.client.post(chat, json={"content": "Karibu"}, headers=mentor)
    sent = await api.client.post(chat, json={"content": "Habari"}, headers=learner)  # positive control

    assert (refused.status_code, refused.json()["field"]) == (403, "email")
    assert sent.status_code == 201
    assert (await api.client.get(chat, headers=mentor)).status_code == 200  # reading stays open


async def test_a_token_works_once_and_made_up_ones_not_at_all(api: Api) -> None:
    await api.register("amara@example.org", verify=False)
    [token] = _verification_mails(api, "amara@example.org")
    assert (await api.client.post(VERIFY, json={"token": token})).status_code == 204

    again = await api.client.post(VERIFY, json={"token": token})
    made_up = await api.client.post(VERIFY, json={"token": "made-up"})

    assert (again.status_code, made_up.status_code) == (400, 400)
    assert again.json()["field"] == made_up.json()["field"] == "token"


async def test_resend_mails_a_new_token_a_few_times_an_hour(api: Api) -> None:
    headers = await _token_for_unverified(api, "amara@example.org")

    answers = [(await api.client.post(RESEND, headers=headers)).status_code for _ in range(4)]

    assert answers == [202, 202, 202, 429]
    tokens = _verification_mails(api, "amara@example.org")
    assert len(tokens) == 4  # the sign-up mail and three resent ones
    assert (await api.client.post(VERIFY, json={"token": tokens[-1]})).status_code == 204
    assert (await api.client.post(RESEND, headers=headers)).status_code == 409  # verified already


async def test_the_verification_mail_is_in_the_browsers_language_without_a_profile_language(api: Api) -> None:
    response = await api.client.post(
        "/api/v1/auth/register",
        json={
            "email": "awa@example.org",
            "password": "kilimanjaro-sunrise-42",
            "role": "learner",
            "accepted_terms_version": TERMS_VERSION,
            "profile": {"display_name": "Awa", "languages": ["wo"]},
        },
        headers={"Accept-Language": "fr-SN, fr;q=0.9"},
    )
    assert response.status_code == 201, response.text

    [mail] = mails_to(Path(api.settings.email_outbox), "awa@example.org")
    assert mail["Subject"] == "Confirmez votre adresse e-mail pour SkillBridge"
