"""Notification preferences and the email digest, end to end: channels per type (``off`` stores nothing),
the digest job for users who have been away (once per period, only new notifications), and the one-click
unsubscribe link (RFC 8058) the digest carries; each rule with an attempt to break it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import pytest

from skillbridge.adapters.persistence.sqlalchemy import create_engine
from skillbridge.application.notifications.digest import SendNotificationDigests
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.domain.notifications.model import NotificationType
from skillbridge.main import build_container
from tests.integration.helpers import Api, ClockProvider, user_id
from tests.support.mail import mails_to, text_of
from tests.support.units import system_unit

pytestmark = pytest.mark.asyncio
PREFERENCES, INBOX = "/api/v1/users/me/notification-preferences", "/api/v1/notifications/my"
CONSENTS = "/api/v1/users/me/consents"
AWAY = timedelta(hours=25)  # longer than the default 24 hours


async def _notify(api: Api, recipient: UUID, type_: NotificationType, message: str) -> None:
    """Store a notification as another use case would, through the Notifier (which honours preferences)."""
    engine = create_engine(api.settings.schema_owner_url)
    try:
        async with system_unit(engine) as uow:
            await Notifier(api.clock).notify(uow, recipient, type_, message)
            await uow.commit()
    finally:
        await engine.dispose()


async def _run_digest(api: Api) -> int:
    """Run the scheduled digest job once, at the app's clock."""
    container = build_container(api.settings, ClockProvider(api.clock))
    try:
        async with container() as scope:
            return await (await scope.get(SendNotificationDigests))()
    finally:
        await container.close()


async def _news_mails(api: Api, email: str, *, wait_seconds: float = 20.0) -> list[EmailMessage]:
    """The notification mails to ``email``, once at least one is there (the job runs after the response)."""
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while True:
        mails = [m for m in mails_to(Path(api.settings.email_outbox), email) if m["Subject"] == "News on SkillBridge"]
        if mails or asyncio.get_running_loop().time() > deadline:
            return mails
        await asyncio.sleep(0.05)


def _digests(api: Api, email: str) -> list[EmailMessage]:
    return [
        mail for mail in mails_to(Path(api.settings.email_outbox), email) if "unread on SkillBridge" in mail["Subject"]
    ]


async def test_the_defaults_are_in_app_for_every_type_and_a_daily_digest(api: Api) -> None:
    headers = await api.token_for("amara@example.org")

    response = await api.client.get(PREFERENCES, headers=headers)

    assert response.status_code == 200
    assert response.json() == {
        "types": {kind.value: "in_app" for kind in NotificationType},
        "digest": "daily",
    }


async def test_a_patch_changes_only_the_types_given_and_only_ones_own(api: Api) -> None:
    amara = await api.token_for("amara@example.org")
    bayo = await api.token_for("bayo@example.org")

    first = await api.client.patch(PREFERENCES, headers=amara, json={"types": {"chat_message": "off"}})
    second = await api.client.patch(PREFERENCES, headers=amara, json={"types": {"match": "email"}, "digest": "weekly"})

    assert first.status_code == 200
    assert second.status_code == 200
    expected = {kind.value: "in_app" for kind in NotificationType} | {"chat_message": "off", "match": "email"}
    assert second.json() == {"types": expected, "digest": "weekly"}
    assert (await api.client.get(PREFERENCES, headers=amara)).json() == second.json()
    untouched = (await api.client.get(PREFERENCES, headers=bayo)).json()
    assert set(untouched["types"].values()) == {"in_app"}
    assert untouched["digest"] == "daily"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"types": {"match": "pigeon"}}, "types.match"),
        ({"types": {"gossip": "off"}}, "types.gossip"),
        ({"digest": "hourly"}, "digest"),
    ],
)
async def test_unknown_types_channels_and_digests_are_422_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    headers = await api.token_for("amara@example.org")

    response = await api.client.patch(PREFERENCES, headers=headers, json=body)

    assert response.status_code == 422
    assert response.json()["field"] == field
    assert set((await api.client.get(PREFERENCES, headers=headers)).json()["types"].values()) == {"in_app"}


async def test_a_type_turned_off_is_not_stored_and_the_others_are(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    amara = await user_id(api, headers)
    await api.client.patch(PREFERENCES, headers=headers, json={"types": {"forum_reply": "off"}})

    await _notify(api, amara, NotificationType.FORUM_REPLY, "someone replied")
    await _notify(api, amara, NotificationType.BADGE, "a badge for you")

    items = (await api.client.get(INBOX, headers=headers)).json()["items"]
    assert [item["type"] for item in items] == ["badge"]


async def test_an_away_user_gets_one_digest_per_day_of_their_new_unread_notifications(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    amara = await user_id(api, headers)
    await _notify(api, amara, NotificationType.MATCH, "Kwame accepted your request")
    await _notify(api, amara, NotificationType.BADGE, "You earned First Steps")
    api.clock.advance(AWAY)

    sent = await _run_digest(api)
    again = await _run_digest(api)

    assert (sent, again) == (1, 0)
    [mail] = _digests(api, "amara@example.org")
    assert mail["Subject"] == "2 unread on SkillBridge"
    assert "Kwame accepted your request" in text_of(mail)
    assert "You earned First Steps" in text_of(mail)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/api/v1/notifications/unsubscribe?token=" in mail["List-Unsubscribe"]
    # The next day: only what came since the last digest.
    api.clock.advance(timedelta(minutes=1))
    await _notify(api, amara, NotificationType.FORUM_REPLY, "Ada replied to your thread")
    api.clock.advance(AWAY)
    assert await _run_digest(api) == 1
    latest = _digests(api, "amara@example.org")[-1]
    assert latest["Subject"] == "1 unread on SkillBridge"
    assert "Ada replied" in text_of(latest)
    assert "Kwame" not in text_of(latest)


async def test_a_user_who_signed_in_lately_gets_no_digest(api: Api) -> None:
    amara_headers = await api.token_for("amara@example.org")
    bayo_headers = await api.token_for("bayo@example.org")
    await _notify(api, await user_id(api, amara_headers), NotificationType.BADGE, "a badge")
    await _notify(api, await user_id(api, bayo_headers), NotificationType.BADGE, "a badge")
    api.clock.advance(AWAY)
    await api.login("amara@example.org")  # back in the app

    sent = await _run_digest(api)

    assert sent == 1
    assert _digests(api, "amara@example.org") == []
    assert len(_digests(api, "bayo@example.org")) == 1  # positive control: the one still away gets it


async def test_read_notifications_and_a_digest_turned_off_send_nothing(api: Api) -> None:
    reader = await api.token_for("amara@example.org")
    quiet = await api.token_for("bayo@example.org")
    await _notify(api, await user_id(api, reader), NotificationType.BADGE, "a badge")
    await _notify(api, await user_id(api, quiet), NotificationType.BADGE, "a badge")
    assert (await api.client.post("/api/v1/notifications/read-all", headers=reader)).status_code == 200
    await api.client.patch(PREFERENCES, headers=quiet, json={"digest": "off"})
    api.clock.advance(AWAY)

    assert await _run_digest(api) == 0
    assert _digests(api, "amara@example.org") == _digests(api, "bayo@example.org") == []


async def test_a_withdrawn_email_digest_consent_sends_no_digest(api: Api) -> None:
    withdrawn = await api.token_for("amara@example.org")
    never_chose = await api.token_for("bayo@example.org")
    granted = await api.token_for("chidi@example.org")
    for headers, choice in ((withdrawn, {"email_digest": True}), (granted, {"email_digest": True})):
        assert (await api.client.patch(CONSENTS, json=choice, headers=headers)).status_code == 200
    assert (await api.client.patch(CONSENTS, json={"email_digest": False}, headers=withdrawn)).status_code == 200
    for headers in (withdrawn, never_chose, granted):
        await _notify(api, await user_id(api, headers), NotificationType.BADGE, "a badge")
    api.clock.advance(AWAY)

    sent = await _run_digest(api)

    assert _digests(api, "amara@example.org") == []
    # Positive controls: the one who never chose keeps the default digest, the one who granted gets it.
    assert sent == 2
    assert len(_digests(api, "bayo@example.org")) == len(_digests(api, "chidi@example.org")) == 1
    # Granted again (signed in anew: the old token expired), the digest comes back once she is away again.
    back = {"Authorization": f"Bearer {(await api.login('amara@example.org'))['access_token']}"}
    assert (await api.client.patch(CONSENTS, json={"email_digest": True}, headers=back)).status_code == 200
    api.clock.advance(AWAY)
    assert await _run_digest(api) == 1
    assert len(_digests(api, "amara@example.org")) == 1


async def test_a_weekly_digest_goes_out_once_per_iso_week(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    amara = await user_id(api, headers)
    await api.client.patch(PREFERENCES, headers=headers, json={"digest": "weekly"})
    # The next Monday, 01:00: always ahead of the clock (going back would put the account's events in its
    # future, as it did on Mondays after 01:00).
    now = api.clock.now()
    monday = (now + timedelta(days=7 - now.weekday())).replace(hour=1, minute=0, second=0, microsecond=0)
    api.clock.set(monday)
    await _notify(api, amara, NotificationType.BADGE, "first")
    api.clock.advance(AWAY)  # Tuesday
    first = await _run_digest(api)
    api.clock.advance(timedelta(minutes=1))
    await _notify(api, amara, NotificationType.BADGE, "second")
    api.clock.advance(AWAY)  # Wednesday, same week
    same_week = await _run_digest(api)
    api.clock.advance(timedelta(days=6))  # the next week
    next_week = await _run_digest(api)

    assert (first, same_week, next_week) == (1, 0, 1)
    assert "second" in text_of(_digests(api, "amara@example.org")[-1])


async def test_two_runs_at_once_send_one_digest(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    await _notify(api, await user_id(api, headers), NotificationType.BADGE, "a badge")
    api.clock.advance(AWAY)

    counts = await asyncio.gather(_run_digest(api), _run_digest(api))

    assert sorted(counts) == [0, 1]
    assert len(_digests(api, "amara@example.org")) == 1


async def test_the_one_click_link_turns_the_digest_off(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    amara = await user_id(api, headers)
    await _notify(api, amara, NotificationType.BADGE, "a badge")
    api.clock.advance(AWAY)
    await _run_digest(api)
    [mail] = _digests(api, "amara@example.org")
    url = urlsplit(mail["List-Unsubscribe"].strip("<>"))

    # What a mail client does (RFC 8058): POST the URL with this form body, no credentials.
    response = await api.client.post(
        f"{url.path}?{url.query}",
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    twice = await api.client.post(f"{url.path}?{url.query}")

    assert (response.status_code, twice.status_code) == (204, 204)
    signed_in = {"Authorization": f"Bearer {(await api.login('amara@example.org'))['access_token']}"}
    assert (await api.client.get(PREFERENCES, headers=signed_in)).json()["digest"] == "off"
    await _notify(api, amara, NotificationType.BADGE, "another badge")
    api.clock.advance(AWAY)
    assert await _run_digest(api) == 0


async def test_a_forged_or_altered_unsubscribe_token_is_400_and_changes_nothing(api: Api) -> None:
    amara_headers = await api.token_for("amara@example.org")
    bayo_headers = await api.token_for("bayo@example.org")
    bayo = await user_id(api, bayo_headers)
    await _notify(api, await user_id(api, amara_headers), NotificationType.BADGE, "a badge")
    api.clock.advance(AWAY)
    await _run_digest(api)
    token = urlsplit(_digests(api, "amara@example.org")[0]["List-Unsubscribe"].strip("<>")).query.split("=", 1)[1]
    # Amara's signature under Bayo's id: an attempt to unsubscribe someone else.
    swapped = f"{bayo.hex}.{token.split('.', 1)[1]}"

    responses = [
        await api.client.post("/api/v1/notifications/unsubscribe", params={"token": value})
        for value in (swapped, token[:-2] + "AA", "made-up")
    ]

    assert [(r.status_code, r.json()["field"]) for r in responses] == [(400, "token")] * 3
    for email in ("amara@example.org", "bayo@example.org"):
        headers = {"Authorization": f"Bearer {(await api.login(email))['access_token']}"}
        assert (await api.client.get(PREFERENCES, headers=headers)).json()["digest"] == "daily"


async def test_a_type_set_to_email_is_mailed_at_once_with_a_link_that_stops_it(api: Api) -> None:
    amara = await api.token_for("amara@example.org")
    bayo = await api.token_for("bayo@example.org")
    await api.client.patch(PREFERENCES, headers=amara, json={"types": {"forum_reply": "email"}})
    thread = await api.client.post(
        "/api/v1/forum/posts",
        json={"category": "Python", "title": "Reading CSV files", "content": "<p>How?</p>"},
        headers=amara,
    )

    reply = await api.client.post(
        "/api/v1/forum/posts", json={"parent_id": thread.json()["id"], "content": "<p>Use csv</p>"}, headers=bayo
    )
    await api.client.post(  # Amara replying to her own thread tells Bayo nothing by mail: he kept in_app
        "/api/v1/forum/posts", json={"parent_id": reply.json()["id"], "content": "<p>Thanks</p>"}, headers=amara
    )

    assert reply.status_code == 201, reply.text
    [mail] = await _news_mails(api, "amara@example.org")
    assert "replied to your thread" in text_of(mail)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert await _news_mails(api, "bayo@example.org", wait_seconds=0) == []
    assert len((await api.client.get(INBOX, headers=amara)).json()["items"]) == 1  # and it is in the app too
    url = urlsplit(mail["List-Unsubscribe"].strip("<>"))
    assert (await api.client.post(f"{url.path}?{url.query}")).status_code == 204
    channels = (await api.client.get(PREFERENCES, headers=amara)).json()
    assert (channels["types"]["forum_reply"], channels["digest"]) == ("in_app", "daily")  # only that mail stops
