"""Own profile, the mentor directory and admin routes, each rule tried with the wrong user or role."""

from __future__ import annotations

import pytest

from tests.integration.helpers import Api

pytestmark = pytest.mark.asyncio


async def test_me_returns_the_callers_own_account(api: Api) -> None:
    headers = await api.token_for("me@example.org")
    body = (await api.client.get("/api/v1/users/me", headers=headers)).json()
    assert body["email"] == "me@example.org"
    assert body["profile"]["languages"] == ["en", "yo"]
    assert body["profile"]["location"]["country"] == "NG"


async def test_patch_me_changes_only_the_named_fields(api: Api) -> None:
    headers = await api.token_for("patch@example.org")
    response = await api.client.patch(
        "/api/v1/users/me",
        json={"skills": ["Data Analysis", "SQL", "sql"], "bio": "  Learning in Kano  "},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    profile = response.json()["profile"]
    assert profile["skills"] == ["data-analysis", "sql"]
    assert profile["bio"] == "Learning in Kano"
    assert profile["timezone"] == "Africa/Lagos"  # untouched
    cleared = await api.client.patch("/api/v1/users/me", json={"location": None}, headers=headers)
    assert cleared.json()["profile"]["location"] is None


@pytest.mark.parametrize("field", ["role", "email", "id", "password_hash", "version"])
async def test_role_email_and_internals_cannot_be_patched(api: Api, field: str) -> None:
    headers = await api.token_for("escalate@example.org")
    response = await api.client.patch("/api/v1/users/me", json={field: "admin"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["field"] == field
    me = (await api.client.get("/api/v1/users/me", headers=headers)).json()
    assert me["role"] == "learner"
    assert me["email"] == "escalate@example.org"


async def test_a_learner_cannot_give_themselves_a_mentor_capacity(api: Api) -> None:
    headers = await api.token_for("cap@example.org")
    response = await api.client.patch("/api/v1/users/me", json={"mentor_capacity": 3}, headers=headers)
    assert response.status_code == 422
    assert response.json()["field"] == "profile.mentor_capacity"


async def test_too_many_skills_are_refused(api: Api) -> None:
    headers = await api.token_for("many@example.org")
    response = await api.client.patch(
        "/api/v1/users/me", json={"skills": [f"skill {i}" for i in range(51)]}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["field"] == "profile.skills"


async def test_patch_changes_only_the_callers_own_account(api: Api) -> None:
    alice = await api.token_for("alice2@example.org")
    bob = await api.token_for("bob2@example.org")
    patched = await api.client.patch("/api/v1/users/me", json={"bio": "bob was here"}, headers=bob)
    assert patched.status_code == 200
    assert (patched.json()["email"], patched.json()["profile"]["bio"]) == ("bob2@example.org", "bob was here")
    # The positive control: bob's own account holds the change; alice's does not.
    assert (await api.client.get("/api/v1/users/me", headers=bob)).json()["profile"]["bio"] == "bob was here"
    assert (await api.client.get("/api/v1/users/me", headers=alice)).json()["profile"]["bio"] is None


async def _seed_mentors(api: Api) -> dict[str, str]:
    await api.register(
        "lagos@example.org", role="mentor", skills=["python", "django"], languages=["en", "yo"], hours_per_week=10
    )
    await api.register(
        "nairobi@example.org",
        role="mentor",
        skills=["python", "react"],
        languages=["en", "sw"],
        location={"lat": -1.2921, "lon": 36.8219, "city": "Nairobi", "country": "KE"},
        hours_per_week=4,
    )
    await api.register(
        "dakar@example.org",
        role="mentor",
        skills=["react"],
        languages=["fr", "wo"],
        location={"lat": 14.7167, "lon": -17.4677, "city": "Dakar", "country": "SN"},
        hours_per_week=3,
    )
    return await api.token_for("seeker@example.org")


async def test_mentor_search_filters_and_paginates(api: Api) -> None:
    headers = await _seed_mentors(api)
    url = "/api/v1/users/mentors"
    everyone = (await api.client.get(url, headers=headers)).json()
    assert everyone["total"] == 3
    assert all("email" not in item and "lat" not in item for item in everyone["items"])
    python = (await api.client.get(url, params={"skills": "Python"}, headers=headers)).json()
    assert {m["city"] for m in python["items"]} == {"Lagos", "Nairobi"}
    both = (await api.client.get(url, params={"skills": "python,react", "skill_match": "all"}, headers=headers)).json()
    assert [m["city"] for m in both["items"]] == ["Nairobi"]
    french = (await api.client.get(url, params={"language": "FR"}, headers=headers)).json()
    assert [m["city"] for m in french["items"]] == ["Dakar"]
    kenya = (await api.client.get(url, params={"country": "ke"}, headers=headers)).json()
    assert [m["city"] for m in kenya["items"]] == ["Nairobi"]
    hours = (await api.client.get(url, params={"min_hours": 5}, headers=headers)).json()
    assert [m["city"] for m in hours["items"]] == ["Lagos"]
    near = (await api.client.get(url, params={"lat": 6.45, "lon": 3.39, "within_km": 3000}, headers=headers)).json()
    assert [m["city"] for m in near["items"]] == ["Lagos", "Dakar"]
    assert near["items"][0]["distance_km"] < near["items"][1]["distance_km"]
    page = (await api.client.get(url, params={"limit": 2, "offset": 2}, headers=headers)).json()
    assert (page["total"], len(page["items"]), page["offset"]) == (3, 1, 2)


async def test_a_profile_change_shows_in_the_next_mentor_search_although_searches_are_kept(api: Api) -> None:
    # Searches are kept per process for SKILLBRIDGE_MENTOR_SEARCH_CACHE_SECONDS, and the test clock does not
    # move: only the commit of the change (which forgets this process's answers) can make it show.
    headers = await _seed_mentors(api)
    url = "/api/v1/users/mentors"
    before = (await api.client.get(url, params={"skills": "python"}, headers=headers)).json()
    assert sorted(m["city"] for m in before["items"]) == ["Lagos", "Nairobi"]
    dakar = {"Authorization": f"Bearer {(await api.login('dakar@example.org'))['access_token']}"}
    patched = await api.client.patch("/api/v1/users/me", json={"skills": ["react", "python"]}, headers=dakar)
    assert patched.status_code == 200, patched.text
    after = (await api.client.get(url, params={"skills": "python"}, headers=headers)).json()
    assert sorted(m["city"] for m in after["items"]) == ["Dakar", "Lagos", "Nairobi"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"within_km": 10}, "within_km"), ({"lat": 5}, "lon"), ({"limit": 0}, "limit"), ({"lat": 95, "lon": 0}, "lat")],
)
async def test_mentor_search_rejects_bad_parameters(api: Api, params: dict[str, float], field: str) -> None:
    headers = await api.token_for("params@example.org")
    response = await api.client.get("/api/v1/users/mentors", params=params, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


async def test_mentor_search_needs_a_signed_in_caller(api: Api) -> None:
    assert (await api.client.get("/api/v1/users/mentors")).status_code == 401


async def test_a_kept_mentor_search_is_not_served_to_an_anonymous_caller(api: Api) -> None:
    # The answer is kept per query, not per caller: the same query asked without a token must still be refused.
    headers = await _seed_mentors(api)
    url = "/api/v1/users/mentors"
    kept = await api.client.get(url, params={"skills": "python"}, headers=headers)
    assert kept.status_code == 200, kept.text
    assert len(kept.json()["items"]) == 2  # the positive control: the answer is there to be kept
    for anonymous in ({}, {"Authorization": "Bearer not-a-token"}):
        refused = await api.client.get(url, params={"skills": "python"}, headers=anonymous)
        assert refused.status_code == 401, refused.text
        assert "items" not in refused.json()


async def test_admin_routes_refuse_learners_and_mentors(api: Api) -> None:
    victim = await api.register("victim2@example.org")
    for role in ("learner", "mentor"):
        headers = await api.token_for(f"not-admin-{role}@example.org", role=role)
        assert (await api.client.get("/api/v1/admin/users", headers=headers)).status_code == 403
        response = await api.client.patch(
            f"/api/v1/admin/users/{victim['id']}", json={"role": "admin"}, headers=headers
        )
        assert response.status_code == 403
    assert (await api.client.get("/api/v1/admin/users")).status_code == 401
