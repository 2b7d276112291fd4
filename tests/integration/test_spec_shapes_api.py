"""The spec's names and shapes, accepted beside the API's own, and each one's edges tried.

(The conformance suite in tests/spec/ sends the spec's requests exactly; here each alias is pushed on:
both names at once, the wrong caller, the states where it must not apply.)
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.helpers import Api, admin_headers, register_body, user_id

pytestmark = pytest.mark.asyncio

ME = "/api/v1/users/me"
MATCHES = "/api/v1/matches"
NEEDS = {"skills": ["python"], "hours_per_week": 3, "remote_ok": True, "domain": "python"}
ROADMAP = {"domain": "Python", "skill_level": "beginner", "time_availability": 6}


async def _profile(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = (await api.client.get(ME, headers=headers)).json()["profile"]
    return body


# availability, the spec's name of hours_per_week


async def test_availability_is_hours_per_week_at_registration_and_in_patches(api: Api) -> None:
    body = register_body("avail@example.org", availability=9)
    del body["profile"]["hours_per_week"]
    assert (await api.client.post("/api/v1/auth/register", json=body)).status_code == 201
    headers = {"Authorization": f"Bearer {(await api.login('avail@example.org'))['access_token']}"}
    assert (await _profile(api, headers))["hours_per_week"] == 9
    flat = await api.client.patch(ME, json={"availability": 4}, headers=headers)
    assert flat.status_code == 200, flat.text
    assert flat.json()["profile"]["hours_per_week"] == 4
    same = await api.client.patch(ME, json={"availability": 5, "hours_per_week": 5}, headers=headers)
    assert same.json()["profile"]["hours_per_week"] == 5


async def test_availability_and_hours_per_week_that_disagree_are_refused(api: Api) -> None:
    refused = await api.client.post(
        "/api/v1/auth/register", json=register_body("two@example.org", availability=3, hours_per_week=4)
    )
    assert (refused.status_code, refused.json()["field"]) == (422, "profile.availability")
    headers = await api.token_for("three@example.org")
    patch = await api.client.patch(ME, json={"availability": 3, "hours_per_week": 4}, headers=headers)
    assert (patch.status_code, patch.json()["field"]) == (422, "availability")
    assert (await _profile(api, headers))["hours_per_week"] == 6  # the registered value, untouched
    too_many = await api.client.patch(ME, json={"availability": 169}, headers=headers)
    assert (too_many.status_code, too_many.json()["field"]) == (422, "availability")


# PATCH /users/me nested under profile


async def test_patch_me_takes_the_fields_nested_under_profile(api: Api) -> None:
    headers = await api.token_for("nested@example.org")
    response = await api.client.patch(
        ME, json={"profile": {"skills": ["Rust"], "availability": 2, "bio": "hi"}}, headers=headers
    )
    assert response.status_code == 200, response.text
    profile = response.json()["profile"]
    assert (profile["skills"], profile["hours_per_week"], profile["bio"]) == (["rust"], 2, "hi")
    assert profile["timezone"] == "Africa/Lagos"  # untouched
    cleared = await api.client.patch(ME, json={"profile": {"location": None}}, headers=headers)
    assert cleared.json()["profile"]["location"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"profile": {"skills": ["go"]}, "bio": "flat too"}, "profile"),
        ({"profile": {"role": "admin"}}, "profile.role"),
        ({"profile": {"email": "x@example.org"}}, "profile.email"),
        ({"profile": {"profile": {"bio": "deeper"}}}, "profile.profile"),
        ({"profile": "Lagos"}, "profile"),
    ],
)
async def test_patch_me_refuses_mixed_forms_and_anything_outside_the_profile(
    api: Api, body: dict[str, Any], field: str
) -> None:
    headers = await api.token_for("mixed@example.org")
    response = await api.client.patch(ME, json=body, headers=headers)
    assert (response.status_code, response.json()["field"]) == (422, field)
    me = (await api.client.get(ME, headers=headers)).json()
    assert (me["role"], me["profile"]["skills"][0], me["profile"]["bio"]) == ("learner", "python", None)


# session_schedule on PATCH /matches/{id}


async def _active_match(api: Api) -> tuple[dict[str, str], dict[str, str], str]:
    mentor = await api.token_for("m@example.org", role="mentor")
    learner = await api.token_for("ada@example.org")
    match_id = (await api.client.post(MATCHES, json={"learner_needs": NEEDS}, headers=learner)).json()["id"]
    accepted = await api.client.patch(f"{MATCHES}/{match_id}", json={"status": "active"}, headers=mentor)
    assert accepted.status_code == 200, accepted.text
    return learner, mentor, match_id


async def test_session_schedule_replaces_the_list_and_unchanged_entries_keep_their_ids(api: Api) -> None:
    learner, mentor, match_id = await _active_match(api)
    url = f"{MATCHES}/{match_id}"
    kickoff = {"time": "2030-01-01T16:00:00Z", "topic": "Kick-off"}
    pandas = {"time": "2030-01-08T16:00:00Z", "topic": "Pandas", "duration_minutes": 90}
    first = await api.client.patch(url, json={"session_schedule": [kickoff, pandas]}, headers=learner)
    assert first.status_code == 200, first.text
    ids = {s["topic"]: s["id"] for s in first.json()["session_schedule"]}
    numpy = {"time": "2030-01-15T16:00:00+01:00", "topic": "NumPy"}
    second = await api.client.patch(url, json={"session_schedule": [numpy, kickoff]}, headers=mentor)
    assert second.status_code == 200, second.text
    schedule = second.json()["session_schedule"]
    assert [s["topic"] for s in schedule] == ["Kick-off", "NumPy"]
    assert schedule[0]["id"] == ids["Kick-off"]  # unchanged: the same session
    assert schedule[1]["id"] not in ids.values()  # new
    assert schedule[1]["time"].startswith("2030-01-15T15:00:00")  # stored in UTC
    moved = {**kickoff, "time": "2030-01-01T17:00:00Z"}
    third = await api.client.patch(url, json={"session_schedule": [moved]}, headers=learner)
    assert third.json()["session_schedule"][0]["id"] != ids["Kick-off"]  # changed: another session
    emptied = await api.client.patch(url, json={"session_schedule": []}, headers=learner)
    assert (emptied.status_code, emptied.json()["session_schedule"]) == (200, [])


async def test_session_schedule_refusals_change_nothing(api: Api) -> None:
    learner, _, match_id = await _active_match(api)
    stranger = await api.token_for("eve@example.org")
    url = f"{MATCHES}/{match_id}"
    planned = {"time": "2030-01-01T16:00:00Z", "topic": "Kick-off"}
    assert (await api.client.patch(url, json={"session_schedule": [planned]}, headers=learner)).status_code == 200
    cases = [
        (learner, {"session_schedule": [], "add_sessions": [planned]}, 422, "session_schedule"),
        (learner, {"session_schedule": [{"time": "2030-01-02T16:00:00", "topic": "naive"}]}, 422, None),
        (learner, {"session_schedule": [{**planned, "topic": "  "}]}, 422, "session_schedule[0].topic"),
        (stranger, {"session_schedule": []}, 404, None),
    ]
    for headers, body, status, field in cases:
        response = await api.client.patch(url, json=body, headers=headers)
        assert response.status_code == status, (body, response.text)
        if field is not None:
            assert response.json()["field"] == field
    schedule = (await api.client.get(url, headers=learner)).json()["session_schedule"]
    assert [s["topic"] for s in schedule] == ["Kick-off"]
    done = await api.client.patch(url, json={"status": "completed"}, headers=learner)
    assert done.status_code == 200, done.text
    late = await api.client.patch(url, json={"session_schedule": []}, headers=learner)
    assert (late.status_code, late.json()["field"]) == (409, "session_schedule")


# A forum thread without a title


async def test_a_thread_without_a_title_takes_the_start_of_its_content(api: Api) -> None:
    headers = await api.token_for("poster@example.org")
    short = await api.client.post(
        "/api/v1/forum/posts",
        json={"category": "Python", "content": "<p>How do I <strong>read</strong> a CSV &amp; skip rows?</p>"},
        headers=headers,
    )
    assert short.status_code == 201, short.text
    assert short.json()["title"] == "How do I read a CSV &amp; skip rows?"  # titles are stored escaped
    words = " ".join(f"word{n}" for n in range(40))
    long = await api.client.post("/api/v1/forum/posts", json={"category": "Python", "content": words}, headers=headers)
    title = long.json()["title"]
    assert len(title) <= 80 and title.endswith("\u2026")
    assert words.startswith(title.removesuffix("\u2026"))
    assert title.removesuffix("\u2026").split(" ")[-1] in words.split(" ")  # cut after a whole word
    reply = await api.client.post(
        "/api/v1/forum/posts", json={"content": "Use skiprows", "parent_id": short.json()["id"]}, headers=headers
    )
    assert (reply.status_code, reply.json()["title"]) == (201, None)  # replies still have none
    empty_title = await api.client.post(
        "/api/v1/forum/posts", json={"category": "Python", "content": "x", "title": " "}, headers=headers
    )
    assert (empty_title.status_code, empty_title.json()["field"]) == (422, "title")  # sent blank: still refused


# POST /progress/log without roadmap_id


async def test_progress_without_roadmap_id_goes_to_the_one_roadmap_in_progress(api: Api) -> None:
    headers = await api.token_for("learner@example.org")
    other = await api.token_for("other@example.org")
    await api.client.post("/api/v1/roadmaps", json=ROADMAP, headers=other)  # someone else's: never chosen
    note = {"event_type": "note", "details": {"text": "loops"}}
    none_yet = await api.client.post("/api/v1/progress/log", json=note, headers=headers)
    assert (none_yet.status_code, none_yet.json()["field"]) == (422, "roadmap_id")
    first = (await api.client.post("/api/v1/roadmaps", json=ROADMAP, headers=headers)).json()
    logged = await api.client.post("/api/v1/progress/log", json=note, headers=headers)
    assert logged.status_code == 201, logged.text
    report = (await api.client.get(f"/api/v1/progress/{first['id']}", headers=headers)).json()
    assert [e["event_type"] for e in report["timeline"]["items"]] == ["note"]
    second = (await api.client.post("/api/v1/roadmaps", json=ROADMAP, headers=headers)).json()
    two = await api.client.post("/api/v1/progress/log", json=note, headers=headers)
    assert (two.status_code, two.json()["field"]) == (422, "roadmap_id")
    everything = {module["id"]: True for module in first["modules"]}
    finished = await api.client.patch(
        f"/api/v1/roadmaps/{first['id']}", json={"completed": everything}, headers=headers
    )
    assert finished.json()["progress"] == 100.0
    again = await api.client.post("/api/v1/progress/log", json=note, headers=headers)
    assert again.status_code == 201, again.text  # the finished one no longer counts: the second is meant
    later = (await api.client.get(f"/api/v1/progress/{second['id']}", headers=headers)).json()
    assert [e["event_type"] for e in later["timeline"]["items"]] == ["note"]


# POST /badges/award with mentor_id


async def test_badges_are_awarded_by_mentor_id_as_by_user_id(api: Api) -> None:
    mentor = await api.token_for("m@example.org", role="mentor")
    learner = await api.token_for("ada@example.org")
    admin = await admin_headers(api)
    mentor_id, learner_id = str(await user_id(api, mentor)), str(await user_id(api, learner))
    body = {"mentor_id": mentor_id, "type": "community-hero"}
    assert (await api.client.post("/api/v1/badges/award", json=body, headers=mentor)).status_code == 403
    given = await api.client.post("/api/v1/badges/award", json=body, headers=admin)
    assert given.status_code == 201, given.text
    assert given.json()["user_id"] == mentor_id
    both = {"mentor_id": mentor_id, "user_id": learner_id, "type": "mentor-of-the-month"}
    refused = await api.client.post("/api/v1/badges/award", json=both, headers=admin)
    assert (refused.status_code, refused.json()["field"]) == (422, "mentor_id")
    neither = await api.client.post("/api/v1/badges/award", json={"type": "x-award"}, headers=admin)
    assert (neither.status_code, neither.json()["field"]) == (422, "user_id")
    mine = (await api.client.get("/api/v1/badges/my", headers=learner)).json()
    assert mine["items"] == []  # the refused award gave the learner nothing


async def test_the_openapi_document_shows_the_aliases(openapi_document: dict[str, Any]) -> None:
    document = openapi_document
    text = str(document)
    schemas = document["components"]["schemas"]
    profile_in = next(s for name, s in schemas.items() if name.endswith("ProfileIn"))
    assert "availability" in profile_in["properties"]
    assert "alias of hours_per_week" in profile_in["properties"]["availability"]["description"]
    assert "mentor_id" in next(s for name, s in schemas.items() if name.endswith("BadgeAwardIn"))["properties"]
    assert "session_schedule" in next(s for name, s in schemas.items() if name.endswith("MatchPatchIn"))["properties"]
    patch = next(s for name, s in schemas.items() if name.endswith("ProfilePatch"))
    assert "profile" in patch["properties"]
    assert "near" in str(document["paths"]["/api/v1/users/mentors"]["get"]["parameters"])
    assert "/api/v1/places" in document["paths"] and "roadmap_id" in text
