"""The mentorship lifecycle through the HTTP API, on SQLite and PostgreSQL: recommendations, requests,
the state machine, feedback, sessions, optimistic locking, rounds, expiry, and who may do what."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from skillbridge.main import Settings
from tests.integration.conftest import ClockProvider
from tests.integration.helpers import Api, admin_headers, later
from tests.support.apps import build_test_app

pytestmark = pytest.mark.asyncio

MATCHES = "/api/v1/matches"
NEEDS = {"skills": ["python", "machine learning"], "hours_per_week": 3, "remote_ok": False, "domain": "python"}
# Far from Lagos (the default profile's city): in Nairobi, with other hours and languages.
NAIROBI = {"location": {"lat": -1.2864, "lon": 36.8172, "city": "Nairobi", "country": "KE"}}


async def _me(api: Api, headers: dict[str, str]) -> str:
    body: dict[str, Any] = (await api.client.get("/api/v1/users/me", headers=headers)).json()
    return str(body["id"])


async def _login(api: Api, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {(await api.login(email))['access_token']}"}


async def _ask(api: Api, headers: dict[str, str], **body: Any) -> Any:
    return await api.client.post(MATCHES, json={"learner_needs": NEEDS, **body}, headers=headers)


async def _patch(api: Api, headers: dict[str, str], match_id: str, **body: Any) -> Any:
    return await api.client.patch(f"{MATCHES}/{match_id}", json=body, headers=headers)


async def test_recommendations_rank_mentors_with_their_score_components(api: Api) -> None:
    near = await api.token_for("near@example.org", role="mentor")
    await api.token_for("far@example.org", role="mentor", **NAIROBI)
    await api.token_for("silent@example.org", role="mentor", languages=["fr"])  # no common language
    learner = await api.token_for("ada@example.org")

    response = await api.client.get(f"{MATCHES}/recommendations", params={"k": 5}, headers=learner)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["items"][0]["mentor_id"] == await _me(api, near)
    assert body["total"] == len(body["items"]) == 2  # the French-only mentor is never eligible
    first = body["items"][0]
    assert set(first["components"]) == {"skill", "distance", "availability", "distance_km", "distance_band", "score"}
    assert first["components"]["skill"] == 1.0  # the learner's own profile skills, all covered
    assert first["score"] >= body["items"][1]["score"]
    # Both stand at the same point; each public point lies 2.2-5.8 km from it, so 0-11.6 km apart: a band.
    band = {0.0: "0-5", 5.0: "5-10", 10.0: "10-15"}
    assert first["components"]["distance_band"] == band[first["components"]["distance_km"]]


async def test_refused_recommendation_needs_name_the_query_parameter(api: Api) -> None:
    await api.token_for("m@example.org", role="mentor")
    learner = await api.token_for("ada@example.org")
    cases = [({"domain": "cobol"}, "domain"), ({"domain": ""}, "domain"), ({"hours_per_week": "0"}, "hours_per_week")]
    for params, field in cases:
        response = await api.client.get(f"{MATCHES}/recommendations", params=params, headers=learner)
        assert (response.status_code, response.json()["field"]) == (422, field), params
    unknown = await api.client.get(f"{MATCHES}/recommendations", params={"domain": "cobol"}, headers=learner)
    assert "python" in unknown.json()["allowed"]  # the catalog's domains, as for a request
    known = await api.client.get(f"{MATCHES}/recommendations", params={"domain": "py"}, headers=learner)
    assert (known.status_code, known.json()["total"]) == (200, 1)


async def test_recommendations_are_for_learners_only(api: Api) -> None:
    mentor = await api.token_for("m@example.org", role="mentor")
    assert (await api.client.get(f"{MATCHES}/recommendations", headers=mentor)).status_code == 403
    assert (await api.client.get(f"{MATCHES}/recommendations")).status_code == 401


async def test_request_gets_the_best_mentor_pending_and_a_second_one_in_the_domain_is_refused(api: Api) -> None:
    near = await api.token_for("near@example.org", role="mentor")
    far = await api.token_for("far@example.org", role="mentor", **NAIROBI)
    learner = await api.token_for("ada@example.org")

    response = await _ask(api, learner)

    assert response.status_code == 201, response.text
    match = response.json()
    assert response.headers["location"] == f"{MATCHES}/{match['id']}"
    assert match["status"] == "pending"
    assert match["mentor_id"] == await _me(api, near)
    assert match["your_role"] == "learner"
    assert match["allowed_transitions"] == ["cancelled"]
    assert match["learner_needs"]["skills"] == ["python", "machine-learning"]
    assert match["score"] == pytest.approx(match["score_components"]["score"])
    assert match["expires_at"] is not None

    again = await _ask(api, learner)
    assert again.status_code == 409
    assert again.json()["field"] == "domain"
    # Another domain: the near mentor already has an open match with this learner, so the far one is offered
    # (all skills and hours shared, no distance: 0.5 + 0.3 = 0.8 of the default weights, above 0.4).
    other_domain = await _ask(api, learner, learner_needs={**NEEDS, "domain": "Data Analysis"})
    assert other_domain.status_code == 201, other_domain.text
    assert other_domain.json()["learner_needs"]["domain"] == "data-analysis"
    assert (other_domain.json()["status"], other_domain.json()["mentor_id"]) == ("pending", await _me(api, far))


async def test_a_chosen_mentor_is_taken_when_eligible_and_refused_with_the_reason_otherwise(api: Api) -> None:
    await api.token_for("best@example.org", role="mentor")
    chosen = await api.token_for("chosen@example.org", role="mentor", weekly_slots=[18])
    french = await api.token_for("french@example.org", role="mentor", languages=["fr"])
    learner = await api.token_for("ada@example.org")

    refused = await _ask(api, learner, mentor_id=await _me(api, french))
    assert refused.status_code == 422
    assert refused.json()["field"] == "mentor_id"
    assert "language" in refused.json()["detail"]
    unknown = await _ask(api, learner, mentor_id=await _me(api, learner))  # a learner is no mentor
    assert (unknown.status_code, unknown.json()["field"]) == (422, "mentor_id")

    taken = await _ask(api, learner, mentor_id=await _me(api, chosen))
    assert taken.status_code == 201
    assert taken.json()["mentor_id"] == await _me(api, chosen)


async def test_mentors_and_admins_cannot_request_and_bad_needs_name_the_field(api: Api) -> None:
    mentor = await api.token_for("m@example.org", role="mentor")
    learner = await api.token_for("ada@example.org")
    assert (await _ask(api, mentor)).status_code == 403
    assert (await _ask(api, await admin_headers(api))).status_code == 403

    no_hours = await api.client.post(MATCHES, json={"learner_needs": {**NEEDS, "hours_per_week": 0}}, headers=learner)
    # JSON of the wrong shape is 422 (400 is only for a body that is not JSON at all: problems.py).
    assert no_hours.status_code == 422
    assert no_hours.json()["field"] == "learner_needs.hours_per_week"
    extra = await api.client.post(MATCHES, json={"learner_needs": NEEDS, "role": "admin"}, headers=learner)
    assert extra.status_code == 422
    assert extra.json()["field"] == "role"
    nowhere = await api.token_for("nowhere@example.org", location=None)
    incomplete = await _ask(api, nowhere)
    assert incomplete.status_code == 422
    assert incomplete.json()["field"] == "profile.location"


async def test_the_full_lifecycle_with_sessions_completion_and_one_rating(api: Api) -> None:
    mentor = await api.token_for("m@example.org", role="mentor")
    learner = await api.token_for("ada@example.org")
    match = (await _ask(api, learner)).json()
    match_id = match["id"]

    illegal = await _patch(api, learner, match_id, status="active")
    assert illegal.status_code == 409
    assert illegal.json()["allowed"] == ["cancelled"]
    early_session = await _patch(api, mentor, match_id, add_sessions=[{"time": "2030-01-01T16:00:00Z", "topic": "x"}])
    assert early_session.status_code == 409

    accepted = await _patch(api, mentor, match_id, status="active")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "active"
    assert accepted.json()["expires_at"] is None
    assert accepted.json()["allowed_transitions"] == ["completed", "cancelled"]

    planned = await _patch(
        api,
        mentor,
        match_id,
        add_sessions=[
            {"time": "2030-01-08T16:00:00+01:00", "topic": "Pandas", "duration_minutes": 90},
            {"time": "2030-01-01T16:00:00Z", "topic": "Kick-off"},
        ],
    )
    assert planned.status_code == 200, planned.text
    sessions = planned.json()["session_schedule"]
    assert [s["topic"] for s in sessions] == ["Kick-off", "Pandas"]  # by time
    assert sessions[1]["time"].startswith("2030-01-08T15:00:00")  # stored in UTC
    naive = await _patch(api, learner, match_id, add_sessions=[{"time": "2030-01-02T16:00:00", "topic": "x"}])
    assert naive.status_code == 422
    assert naive.json()["field"] == "add_sessions[0].time"
    removed = await _patch(api, learner, match_id, remove_sessions=[sessions[0]["id"]])
    assert [s["id"] for s in removed.json()["session_schedule"]] == [sessions[1]["id"]]

    too_soon = await _patch(api, learner, match_id, rating=5)
    assert too_soon.status_code == 409
    mentor_rates = await _patch(api, mentor, match_id, status="completed", rating=5)
    assert mentor_rates.status_code == 403
    completed = await _patch(api, learner, match_id, status="completed", rating=4, testimonial="  Patient and clear. ")
    assert completed.status_code == 200, completed.text
    assert (completed.json()["status"], completed.json()["rating"]) == ("completed", 4)
    assert completed.json()["testimonial"] == "Patient and clear."
    assert (await _patch(api, learner, match_id, rating=5)).status_code == 409
    assert (await _patch(api, learner, match_id, status="cancelled")).status_code == 409
    assert (await _patch(api, learner, match_id)).status_code == 422  # an empty change


async def test_outsiders_get_404_and_my_list_shows_both_sides(api: Api) -> None:
    mentor = await api.token_for("m@example.org", role="mentor")
    learner = await api.token_for("ada@example.org")
    stranger = await api.token_for("eve@example.org")
    other_mentor = await api.token_for("mallory@example.org", role="mentor", languages=["fr"])
    admin = await admin_headers(api)
    match_id = (await _ask(api, learner)).json()["id"]

    for outsider in (stranger, other_mentor, admin):
        assert (await api.client.get(f"{MATCHES}/{match_id}", headers=outsider)).status_code == 404
        assert (await _patch(api, outsider, match_id, status="cancelled")).status_code == 404
    assert (await api.client.get(f"{MATCHES}/{match_id}")).status_code == 401

    for who, role in ((learner, "learner"), (mentor, "mentor")):
        mine = (await api.client.get(f"{MATCHES}/my", headers=who)).json()
        assert [(item["id"], item["your_role"]) for item in mine["items"]] == [(match_id, role)]
    none_active = (await api.client.get(f"{MATCHES}/my", params={"status": "active,completed"}, headers=mentor)).json()
    assert none_active["total"] == 0
    bad = await api.client.get(f"{MATCHES}/my", params={"status": "happy"}, headers=mentor)
    assert bad.status_code == 422
    assert bad.json()["field"] == "status"
    assert (await api.client.get(f"{MATCHES}/my", headers=stranger)).json()["total"] == 0


async def test_of_two_concurrent_changes_one_wins_and_the_other_gets_409(api: Api) -> None:
    mentor = await api.token_for("m@example.org", role="mentor")
    learner = await api.token_for("ada@example.org")
    match = (await _ask(api, learner)).json()

    accept = _patch(api, mentor, match["id"], status="active", version=match["version"])
    cancel = _patch(api, learner, match["id"], status="cancelled", version=match["version"])
    results = await asyncio.gather(accept, cancel)

    assert sorted(response.status_code for response in results) == [200, 409]
    winner = "active" if results[0].status_code == 200 else "cancelled"
    stored = (await api.client.get(f"{MATCHES}/{match['id']}", headers=learner)).json()
    assert (stored["status"], stored["version"]) == (winner, match["version"] + 1)
    stale = await api.client.patch(
        f"{MATCHES}/{match['id']}", json={"status": "cancelled"}, headers={**learner, "If-Match": '"v1-0abc"'}
    )
    assert stale.status_code == 409


async def test_a_rejected_learner_is_offered_the_next_mentor(api: Api) -> None:
    first = await api.token_for("first@example.org", role="mentor")
    second = await api.token_for("second@example.org", role="mentor", **NAIROBI)
    learner = await api.token_for("ada@example.org")
    match = (await _ask(api, learner)).json()
    assert match["mentor_id"] == await _me(api, first)

    api.clock.advance(timedelta(minutes=1))
    assert (await _patch(api, first, match["id"], status="rejected")).status_code == 200

    mine = (await api.client.get(f"{MATCHES}/my", headers=learner)).json()["items"]
    assert [(item["status"], item["mentor_id"]) for item in mine] == [
        ("pending", await _me(api, second)),
        ("rejected", await _me(api, first)),
    ]
    # The second mentor also says no: nobody is left, so the request waits for a round.
    api.clock.advance(timedelta(minutes=1))
    assert (await _patch(api, second, mine[0]["id"], status="rejected")).status_code == 200
    latest = (await api.client.get(f"{MATCHES}/my", headers=learner)).json()["items"][0]
    assert (latest["status"], latest["mentor_id"]) == ("waiting", None)
    assert latest["allowed_transitions"] == ["cancelled"]


async def test_waiting_requests_are_assigned_by_an_admin_round(api: Api) -> None:
    ada = await api.token_for("ada@example.org")
    kofi = await api.token_for("kofi@example.org")
    lost = await api.token_for("lost@example.org", languages=["fr"])
    waiting = [await _ask(api, who) for who in (ada, kofi, lost)]
    assert [response.status_code for response in waiting] == [202, 202, 202]
    assert waiting[0].json()["status"] == "waiting"
    mentor = await api.token_for("m@example.org", role="mentor", mentor_capacity=1)
    admin = await admin_headers(api)

    assert (await api.client.post(f"{MATCHES}/rounds", json={}, headers=ada)).status_code == 403
    assert (await api.client.post(f"{MATCHES}/rounds", json={}, headers=mentor)).status_code == 403
    response = await api.client.post(f"{MATCHES}/rounds", json={"algorithm": "optimal"}, headers=admin)

    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["assigned_count"] == 1  # one place
    assert summary["assigned"][0]["status"] == "pending"
    assert summary["assigned"][0]["mentor_id"] == await _me(api, mentor)
    assert sorted(item["reason"] for item in summary["unassigned"]) == [
        "no_eligible_mentor",  # speaks only French
        "places_taken_by_better_matches",
    ]
    assert summary["total_score"] == pytest.approx(summary["assigned"][0]["score"])
    assert summary["engine"] == "native"  # the extension is installed and no remote service is configured
    assert summary["elapsed_ms"] >= 0
    bad_weights = await api.client.post(f"{MATCHES}/rounds", json={"weights": {"min_score": 2}}, headers=admin)
    assert bad_weights.status_code == 422
    assert bad_weights.json()["field"] == "weights.min_score"


async def test_an_unanswered_request_expires_and_the_next_mentor_is_offered(
    make_settings: Callable[..., Settings],
) -> None:
    from skillbridge.adapters.system.clock import MutableClock  # noqa: PLC0415

    clock = MutableClock()
    settings = make_settings(match_response_days=2, match_expiry_sweep_seconds=1)
    async with AsyncTestClient(app=build_test_app(settings, ClockProvider(clock))) as client:
        api = Api(client=client, clock=clock, settings=settings)
        first = await api.token_for("first@example.org", role="mentor")
        second = await api.token_for("second@example.org", role="mentor", **NAIROBI)
        learner = await api.token_for("ada@example.org")
        match = (await _ask(api, learner)).json()
        first_id, second_id = await _me(api, first), await _me(api, second)
        assert match["mentor_id"] == first_id

        clock.advance(timedelta(days=2, seconds=1))
        learner = await _login(api, "ada@example.org")
        first = await _login(api, "first@example.org")
        for _ in range(200):  # the server's scheduler runs the expiry job every second
            mine = (await client.get(f"{MATCHES}/my", headers=learner)).json()["items"]
            if len(mine) == 2:
                break
            await asyncio.sleep(0.05)

        assert [(item["status"], item["mentor_id"]) for item in mine] == [("pending", second_id), ("expired", first_id)]
        late = await _patch(api, first, match["id"], status="active")
        assert late.status_code == 409


async def test_the_schedule_exports_as_icalendar_with_stable_uids_for_participants_only(api: Api) -> None:
    from icalendar import Calendar  # noqa: PLC0415

    mentor = await api.token_for("m@example.org", role="mentor")
    learner = await api.token_for("ada@example.org")
    stranger = await api.token_for("eve@example.org")
    match_id = (await _ask(api, learner)).json()["id"]
    await _patch(api, mentor, match_id, status="active")
    sessions = [
        {"time": "2030-01-08T16:00:00Z", "topic": "Pandas", "duration_minutes": 90},
        {"time": "2030-01-01T16:00:00Z", "topic": "Kick-off"},
    ]
    planned = (await _patch(api, learner, match_id, add_sessions=sessions)).json()["session_schedule"]
    url = f"{MATCHES}/{match_id}/schedule.ics"

    first = await api.client.get(url, headers=learner)
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/calendar")
    assert "attachment" in first.headers["content-disposition"]
    calendar = Calendar.from_ical(first.content)
    assert (str(calendar["VERSION"]), str(calendar["PRODID"])) == ("2.0", "-//SkillBridge//Mentoring sessions//EN")
    events = calendar.walk("VEVENT")
    assert [str(event["SUMMARY"]) for event in events] == [
        "SkillBridge mentoring: python: Kick-off",
        "SkillBridge mentoring: python: Pandas",
    ]
    assert [str(event["UID"]) for event in events] == [f"{s['id']}@sessions.skillbridge.africa" for s in planned]
    assert events[1].decoded("DTEND") - events[1].decoded("DTSTART") == timedelta(minutes=90)

    # Removing one session keeps the other's UID; the mentor exports the same calendar.
    await _patch(api, mentor, match_id, remove_sessions=[planned[0]["id"]])
    again = Calendar.from_ical((await api.client.get(url, headers=mentor)).content)
    assert [str(event["UID"]) for event in again.walk("VEVENT")] == [str(events[1]["UID"])]

    assert (await api.client.get(url, headers=stranger)).status_code == 404
    assert (await api.client.get(url)).status_code == 401


async def test_chat_is_between_the_two_participants_of_an_active_match(api: Api) -> None:
    mentor = await api.token_for("m@example.org", role="mentor")
    learner = await api.token_for("ada@example.org")
    stranger = await api.token_for("eve@example.org")
    match_id = (await _ask(api, learner)).json()["id"]
    chat = f"{MATCHES}/{match_id}/chat"

    pending = await api.client.post(chat, json={"content": "hello?"}, headers=learner)
    assert pending.status_code == 409
    await _patch(api, mentor, match_id, status="active")
    sent = []
    for index, (who, text) in enumerate([(learner, " Habari! "), (mentor, "Karibu"), (learner, "<b>x</b>\x07")]):
        api.clock.advance(timedelta(seconds=index))
        response = await api.client.post(chat, json={"content": text}, headers=who)
        assert response.status_code == 201, response.text
        sent.append(response.json())
    assert [m["content"] for m in sent] == ["Habari!", "Karibu", "x"]  # markup goes, the text stays
    assert sent[1]["sender_id"] == await _me(api, mentor)

    first = (await api.client.get(chat, params={"limit": 2}, headers=mentor)).json()
    assert [m["content"] for m in first["items"]] == ["x", "Karibu"]
    older = (await api.client.get(chat, params={"limit": 2, "before": first["next_cursor"]}, headers=learner)).json()
    assert ([m["content"] for m in older["items"]], older["next_cursor"]) == (["Habari!"], None)
    forged = await api.client.get(chat, params={"before": "garbage"}, headers=learner)
    assert (forged.status_code, forged.json()["field"]) == (422, "before")

    for outsider in (stranger, await admin_headers(api)):
        assert (await api.client.post(chat, json={"content": "hi"}, headers=outsider)).status_code == 404
        assert (await api.client.get(chat, headers=outsider)).status_code == 404
    assert (await api.client.get(chat)).status_code == 401
    empty = await api.client.post(chat, json={"content": " \x00 "}, headers=learner)
    assert (empty.status_code, empty.json()["field"]) == (422, "content")

    await _patch(api, learner, match_id, status="completed")
    assert (await api.client.post(chat, json={"content": "bye"}, headers=learner)).status_code == 409
    assert len((await api.client.get(chat, headers=learner)).json()["items"]) == 3  # history stays readable


async def _inbox(api: Api, headers: dict[str, str]) -> list[tuple[str, str]]:
    response = await api.client.get("/api/v1/notifications/my", headers=headers)
    assert response.status_code == 200, response.text
    return [(item["type"], item["message"]) for item in reversed(response.json()["items"])]  # oldest first


async def test_participants_are_notified_of_requests_answers_messages_and_badges(api: Api) -> None:
    mentor = await api.token_for("m@example.org", role="mentor")
    learner = await api.token_for("ada@example.org")
    match_id = (await _ask(api, learner)).json()["id"]
    mentor_inbox = await _inbox(api, mentor)
    assert [kind for kind, _ in mentor_inbox] == ["match"]
    assert "asks you to mentor them in python" in mentor_inbox[0][1]

    api.clock.advance(timedelta(minutes=1))
    await _patch(api, mentor, match_id, status="active")
    api.clock.advance(timedelta(minutes=1))
    await api.client.post(f"{MATCHES}/{match_id}/chat", json={"content": "Karibu! " + "x" * 200}, headers=mentor)
    # The shortest mentorship that counts for badges.
    await later(api, timedelta(days=14), ("ada@example.org", learner), ("m@example.org", mentor))
    await _patch(api, learner, match_id, status="completed", rating=5)

    learner_inbox = await _inbox(api, learner)
    assert learner_inbox[0] == ("match", "Your python mentorship was accepted")
    assert learner_inbox[1][0] == "chat_message"
    assert learner_inbox[1][1].startswith("Karibu! x")
    assert len(learner_inbox[1][1]) <= 120
    assert [kind for kind, _ in await _inbox(api, mentor)] == ["match", "match", "badge"]  # completed, Bronze
    assert (await _inbox(api, mentor))[-1] == ("badge", "You earned the Bronze Mentor badge")
