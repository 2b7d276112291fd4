"""Markup typed into a plain-text field never reaches another user, wherever the text shows up.

Mallory, a mentor, puts an ``<img onerror>`` into her display name, bio, city, a chat message and a session
topic. Her learner then reads every place those reach: notifications (a forum reply, a chat preview, a match
request answered), the reply's ``author_name``, the chat, the match view, the mentor search and the
recommendations. The markup appears in none; Mallory's words do (the positive control that the text
itself got through).
"""

from __future__ import annotations

import pytest

from tests.integration.helpers import Api

pytestmark = pytest.mark.asyncio

EVIL = "<img src=x onerror=alert(1)>"
HIDDEN = "&lt;img src=x onerror=alert(2)&gt;"


async def test_markup_in_plain_text_fields_never_reaches_another_user(api: Api) -> None:
    mallory = await api.token_for(
        "mallory@example.org",
        role="mentor",
        display_name=f"{EVIL}Mallory",
        bio=f"{HIDDEN}Teaches Python & <b>data</b>",
        location={"lat": 6.5244, "lon": 3.3792, "city": f"{EVIL}Lagos", "country": "NG"},
    )
    learner = await api.token_for("ada@example.org", display_name="Ada")
    mallory_id = (await api.client.get("/api/v1/users/me", headers=mallory)).json()["id"]

    thread = (
        await api.client.post(
            "/api/v1/forum/posts", json={"category": "python", "title": "Help", "content": "pandas?"}, headers=learner
        )
    ).json()
    reply = await api.client.post(
        "/api/v1/forum/posts", json={"parent_id": thread["id"], "content": "<p>use read_csv</p>"}, headers=mallory
    )
    assert reply.status_code == 201, reply.text
    asked = await api.client.post(
        "/api/v1/matches",
        json={
            "learner_needs": {"skills": ["python"], "hours_per_week": 3, "domain": "python"},
            "mentor_id": mallory_id,
        },
        headers=learner,
    )
    assert asked.status_code == 201, asked.text
    match = asked.json()["id"]
    accepted = await api.client.patch(f"/api/v1/matches/{match}", json={"status": "active"}, headers=mallory)
    assert accepted.status_code == 200, accepted.text
    session = {"time": "2030-01-07T09:00:00+00:00", "topic": f"{EVIL}Kick-off", "duration_minutes": 60}
    planned = await api.client.patch(f"/api/v1/matches/{match}", json={"add_sessions": [session]}, headers=mallory)
    assert planned.status_code == 200, planned.text
    sent = await api.client.post(f"/api/v1/matches/{match}/chat", json={"content": f"{EVIL}Hello Ada"}, headers=mallory)
    assert sent.status_code == 201, sent.text

    seen = {
        "notifications": (await api.client.get("/api/v1/notifications/my", headers=learner)),
        "thread": (await api.client.get(f"/api/v1/forum/posts/{thread['id']}", headers=learner)),
        "match": (await api.client.get(f"/api/v1/matches/{match}", headers=learner)),
        "chat": (await api.client.get(f"/api/v1/matches/{match}/chat", headers=learner)),
        "mentors": (await api.client.get("/api/v1/users/mentors", params={"skills": "python"}, headers=learner)),
    }
    expected_words = {
        "notifications": ["Mallory replied to your thread", "Hello Ada"],
        "thread": ['"author_name":"Mallory"'],
        "match": ['"topic":"Kick-off"'],
        "chat": ['"content":"Hello Ada"'],
        "mentors": ['"display_name":"Mallory"', '"city":"Lagos"', '"bio":"Teaches Python & data"'],
    }
    for place, response in seen.items():
        assert response.status_code == 200, (place, response.text)
        for words in expected_words[place]:
            assert words in response.text, (place, words, response.text)
        assert "<img" not in response.text and "onerror" not in response.text, (place, response.text)


async def test_a_plain_name_keeps_its_ampersands_and_angle_brackets_that_are_no_markup(api: Api) -> None:
    headers = await api.token_for("tom@example.org", display_name="Tom & Jerry <3")
    changed = await api.client.patch("/api/v1/users/me", json={"bio": "a < b &amp; c"}, headers=headers)

    assert changed.status_code == 200, changed.text
    profile = changed.json()["profile"]
    assert (profile["display_name"], profile["bio"]) == ("Tom & Jerry <3", "a < b & c")
