"""GET /admin/audit: the trail for admins, newest first, filtered and paged (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.helpers import Api, admin_headers, user_id

AUDIT = "/api/v1/admin/audit"


async def _two_acts_on_ada(api: Api) -> tuple[dict[str, str], dict[str, str], str, str, str]:
    """An admin awards Ada a badge, then, ten minutes later, disables her account. Returns the admin's and
    Ada's headers, both ids, and the instant between the two acts."""
    ada = await api.token_for("ada@example.org")
    ada_id = str(await user_id(api, ada))
    admin = await admin_headers(api)
    admin_id = str(await user_id(api, admin))
    award = {"user_id": ada_id, "type": "community-hero"}
    assert (await api.client.post("/api/v1/badges/award", json=award, headers=admin)).status_code == 201
    api.clock.advance(timedelta(minutes=5))
    between = api.clock.now().isoformat()
    api.clock.advance(timedelta(minutes=5))
    disabled = await api.client.patch(f"/api/v1/admin/users/{ada_id}", json={"is_active": False}, headers=admin)
    assert disabled.status_code == 200, disabled.text
    return admin, ada, admin_id, ada_id, between


async def test_the_trail_about_a_subject_is_newest_first_with_who_did_what(api: Api) -> None:
    admin, _ada, admin_id, ada_id, _between = await _two_acts_on_ada(api)

    response = await api.client.get(AUDIT, params={"subject_type": "user", "subject_id": ada_id}, headers=admin)

    assert response.status_code == 200, response.text
    page = response.json()
    assert [(e["action"], e["actor_id"], e["subject_id"]) for e in page["items"]] == [
        ("user.disabled", admin_id, ada_id),
        ("badge.awarded", admin_id, ada_id),
        ("user.logged_in", ada_id, ada_id),
        ("user.email_verified", ada_id, ada_id),  # she followed her verification mail
        ("user.registered", ada_id, ada_id),
    ]
    assert page["items"][1]["details"] == {"type": "community-hero"}
    assert (page["total"], page["limit"], page["offset"]) == (5, 20, 0)


async def test_filters_narrow_and_pages_follow_each_other(api: Api) -> None:
    admin, _ada, admin_id, ada_id, between = await _two_acts_on_ada(api)
    about_ada = {"subject_type": "user", "subject_id": ada_id}

    async def actions(**params: str | int) -> list[str]:
        response = await api.client.get(AUDIT, params=params, headers=admin)
        assert response.status_code == 200, response.text
        return [entry["action"] for entry in response.json()["items"]]

    assert await actions(action="user.disabled") == ["user.disabled"]
    assert await actions(**about_ada, since=between) == ["user.disabled"]
    assert await actions(**about_ada, until=between) == [
        "badge.awarded",
        "user.logged_in",
        "user.email_verified",
        "user.registered",
    ]
    assert await actions(actor_id=ada_id, action="badge.awarded") == []  # Ada awarded nothing
    assert await actions(actor_id=admin_id, action="badge.awarded") == ["badge.awarded"]  # control
    assert await actions(**about_ada, limit=1) == ["user.disabled"]
    assert await actions(**about_ada, limit=1, offset=1) == ["badge.awarded"]


async def test_bad_filters_name_the_field_and_only_admins_read_the_trail(api: Api) -> None:
    admin, ada, *_ = await _two_acts_on_ada(api)
    mentor = await api.token_for("kwame@example.org", role="mentor")

    for params, field in (
        ({"subject_id": "x"}, "subject_id"),
        ({"since": "2026-12-01T10:00:00Z", "until": "2026-12-01T09:00:00Z"}, "until"),
        ({"since": "2026-12-01T10:00:00"}, "since"),  # no offset: ambiguous
    ):
        response = await api.client.get(AUDIT, params=params, headers=admin)
        assert response.status_code == 422, (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text, (params, response.text)
    assert (await api.client.get(AUDIT, params={"action": "x" * 61}, headers=admin)).status_code == 422
    assert (await api.client.get(AUDIT, headers=ada)).status_code == 401  # disabled by now: no caller at all
    assert (await api.client.get(AUDIT, headers=mentor)).status_code == 403
    assert (await api.client.get(AUDIT)).status_code == 401


async def test_every_match_transition_is_audited_with_its_actor(api: Api) -> None:
    learner = await api.token_for("ada@example.org")
    mentor = await api.token_for("kwame@example.org", role="mentor")
    learner_id, mentor_id = str(await user_id(api, learner)), str(await user_id(api, mentor))
    admin = await admin_headers(api)
    asked = await api.client.post(
        "/api/v1/matches",
        json={"learner_needs": {"skills": ["python"], "hours_per_week": 3, "remote_ok": False, "domain": "python"}},
        headers=learner,
    )
    assert asked.status_code == 201, asked.text
    match_id = asked.json()["id"]
    for who, status in ((mentor, "active"), (learner, "cancelled")):
        changed = await api.client.patch(f"/api/v1/matches/{match_id}", json={"status": status}, headers=who)
        assert changed.status_code == 200, changed.text
    # A change that is no transition (a refused one) leaves nothing.
    refused = await api.client.patch(f"/api/v1/matches/{match_id}", json={"status": "active"}, headers=mentor)
    assert refused.status_code == 409, refused.text

    trail = await api.client.get(AUDIT, params={"subject_type": "match", "subject_id": match_id}, headers=admin)

    assert [(e["action"], e["actor_id"], e["details"]["from"], e["details"]["to"]) for e in trail.json()["items"]] == [
        ("match.cancelled", learner_id, "active", "cancelled"),
        ("match.active", mentor_id, "pending", "active"),
    ]
    assert trail.json()["items"][0]["details"]["mentor_id"] == mentor_id


async def test_a_suspension_keeps_its_reason_revokes_sessions_and_takes_the_mentor_out_of_search(api: Api) -> None:
    kwame = await api.token_for("kwame@example.org", role="mentor", display_name="Kwame")
    kwame_id = str(await user_id(api, kwame))
    refresh = (await api.login("kwame@example.org"))["refresh_token"]
    ada = await api.token_for("ada@example.org")
    admin = await admin_headers(api)

    async def listed() -> list[str]:
        found = await api.client.get("/api/v1/users/mentors", params={"skills": "python"}, headers=ada)
        assert found.status_code == 200, found.text
        return [mentor["id"] for mentor in found.json()["items"]]

    assert await listed() == [kwame_id]  # control: searchable while active
    body = {"is_active": False, "reason": "harassment report #12"}
    suspended = await api.client.patch(f"/api/v1/admin/users/{kwame_id}", json=body, headers=admin)
    assert suspended.status_code == 200, suspended.text

    assert await listed() == []
    assert (await api.client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})).status_code == 401
    trail = await api.client.get(AUDIT, params={"action": "user.disabled"}, headers=admin)
    [entry] = trail.json()["items"]
    assert (entry["subject_id"], entry["details"]) == (
        kwame_id,
        {"reason": "harassment report #12", "sessions_revoked": 2},
    )

    back = {"is_active": True, "reason": "report withdrawn"}
    assert (await api.client.patch(f"/api/v1/admin/users/{kwame_id}", json=back, headers=admin)).status_code == 200
    assert await listed() == [kwame_id]
    trail = await api.client.get(AUDIT, params={"action": "user.enabled"}, headers=admin)
    assert [e["details"] for e in trail.json()["items"]] == [{"reason": "report withdrawn"}]
    too_long = {"is_active": False, "reason": "x" * 501}
    refused = await api.client.patch(f"/api/v1/admin/users/{kwame_id}", json=too_long, headers=admin)
    assert refused.status_code == 422, refused.text
    assert "reason" in refused.text
