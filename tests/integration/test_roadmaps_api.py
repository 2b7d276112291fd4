"""The roadmap API on SQLite and PostgreSQL: generation, reading, changes with optimistic locking, history,
low-bandwidth features (ETag/304, ?fields=), and every access rule tried with the wrong user."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.main import Settings
from tests.integration.helpers import Api, store_mentorship, user_id
from tests.support.apps import build_test_app
from tests.support.openai_server import completion, fake_openai

pytestmark = pytest.mark.asyncio

CREATE = {"domain": "Python", "skill_level": "beginner", "time_availability": 6, "low_bandwidth": True}


async def _create(api: Api, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await api.client.post("/api/v1/roadmaps", json=CREATE | body, headers=headers)
    assert response.status_code == 201, response.text
    if api.clock is not None:
        api.clock.advance(timedelta(seconds=1))  # "newest first" needs distinct creation times
    result: dict[str, Any] = response.json()
    return result


async def test_create_returns_201_with_location_etag_and_a_scheduled_catalog_roadmap(api: Api) -> None:
    headers = await api.token_for("learner@example.org")
    response = await api.client.post("/api/v1/roadmaps", json=CREATE, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/roadmaps/{body['id']}"
    assert response.headers["etag"].startswith('"v1-')
    assert body["domain"] == "python"
    assert body["progress"] == 0.0
    assert body["version"] == 1
    assert body["generation"] == {
        "generator": "catalog",
        "model": None,
        "prompt_version": body["generation"]["prompt_version"],
        "token_usage": None,
    }
    assert body["generation"]["prompt_version"].startswith("catalog-")
    assert [m["id"] for m in body["modules"]] == [f"m{n}" for n in range(1, len(body["modules"]) + 1)]
    assert body["modules"][0]["start_week"] == 1
    assert body["estimated_weeks"] == body["modules"][-1]["end_week"]
    assert all(r["low_bandwidth"] for m in body["modules"] for r in m["resources"])
    assert {m["level"] for m in body["modules"]} == {"beginner", "intermediate", "advanced"}


async def test_an_advanced_learner_gets_only_advanced_modules_and_french_resources_first(api: Api) -> None:
    headers = await api.token_for("fr@example.org")
    body = await _create(api, headers, domain="js", skill_level="advanced", language="fr", low_bandwidth=False)
    assert body["domain"] == "javascript"
    assert {m["level"] for m in body["modules"]} == {"advanced"}
    beginner = await _create(api, headers, domain="javascript", language="fr")
    assert beginner["modules"][0]["resources"][0]["language"] == "fr"


async def test_the_francophone_request_of_issue_17_gets_french_resources_and_hours_that_add_up(api: Api) -> None:
    headers = await api.token_for("francophone@example.org")
    issue = {"domain": "data science", "skill_level": "beginner", "time_availability": 6, "low_bandwidth": True}
    body = await _create(api, headers, **issue, language="fr")
    assert body["domain"] == "data-analysis"
    modules = body["modules"]
    assert [m["language_fallback"] for m in modules] == [False] * 6
    assert all(m["resources"] and {r["language"] for r in m["resources"]} == {"fr"} for m in modules)
    # What each module asks in French (core hours plus the longest "pick one of"), from the catalog:
    # statistics 20, Paris Cité's Python course 15, summarising data 6, study design 5,
    # confidence intervals 8 + significance tests 8, displaying data 5.
    assert [m["estimated_hours"] for m in modules] == [20, 15, 6, 5, 16, 5]
    for module in modules:
        core = sum(r["estimated_hours"] for r in module["resources"] if r["role"] == "core")
        choices = [r["estimated_hours"] for r in module["resources"] if r["role"] == "choice"]
        assert module["estimated_hours"] == core + max(choices, default=0)
    assert body["total_hours"] == 67
    assert body["estimated_weeks"] == 12  # 67 h at 6 h a week
    stored = await api.client.get(f"/api/v1/roadmaps/{body['id']}", headers=headers)
    assert stored.status_code == 200
    assert stored.json()["modules"] == modules


async def test_a_module_without_resources_in_the_learners_language_falls_back_to_english_and_says_so(
    api: Api,
) -> None:
    headers = await api.token_for("swahili@example.org")
    body = await _create(api, headers, domain="data-analysis", language="sw", low_bandwidth=False)
    # Every module but the fifth (statistics for decisions) has Swahili resources.
    assert [m["language_fallback"] for m in body["modules"]] == [False, False, False, False, True, False]
    assert [{r["language"] for r in m["resources"]} for m in body["modules"]] == [{"sw"}] * 4 + [{"en"}, {"sw"}]


async def test_an_unknown_domain_is_422_listing_the_known_ones(api: Api) -> None:
    headers = await api.token_for("astro@example.org")
    response = await api.client.post("/api/v1/roadmaps", json=CREATE | {"domain": "astrology"}, headers=headers)
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "domain"
    assert "python" in problem["allowed"]
    assert len(problem["allowed"]) >= 12


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_availability": 0}, "time_availability"),
        ({"skill_level": "expert"}, "skill_level"),
        ({"language": "english"}, "language"),
        ({"surprise": 1}, "surprise"),
    ],
)
async def test_invalid_create_bodies_are_422(api: Api, body: dict[str, Any], field: str) -> None:
    headers = await api.token_for("bad@example.org")
    response = await api.client.post("/api/v1/roadmaps", json=CREATE | body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


async def test_the_roadmap_api_needs_a_token_but_domains_are_public(api: Api) -> None:
    assert (await api.client.post("/api/v1/roadmaps", json=CREATE)).status_code == 401
    assert (await api.client.get("/api/v1/roadmaps/my")).status_code == 401
    response = await api.client.get("/api/v1/domains")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] >= 12
    python = next(item for item in body["items"] if item["slug"] == "python")
    assert python["levels"] == ["beginner", "intermediate", "advanced"]
    assert "fr" in python["languages"]


async def test_get_answers_if_none_match_with_304_and_changes_the_etag_after_a_patch(api: Api) -> None:
    headers = await api.token_for("etag@example.org")
    created = await _create(api, headers)
    url = f"/api/v1/roadmaps/{created['id']}"
    first = await api.client.get(url, headers=headers)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    # The tag is of the very bytes sent (computed here from the body: sha256, first 20 hex digits).
    assert etag == f'"v1-{hashlib.sha256(first.content).hexdigest()[:20]}"'
    assert first.headers["content-type"] == "application/json"
    again = await api.client.get(url, headers=headers | {"If-None-Match": f'W/"other", {etag}'})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    await api.client.patch(url, json={"completed": {"m1": True}}, headers=headers)
    changed = await api.client.get(url, headers=headers | {"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    for path in ("/api/v1/roadmaps/my", f"{url}/versions", "/api/v1/domains"):
        listed = await api.client.get(path, headers=headers)
        assert listed.status_code == 200
        cached = await api.client.get(path, headers=headers | {"If-None-Match": listed.headers["etag"]})
        assert cached.status_code == 304, path


async def test_fields_trims_list_items_and_unknown_fields_are_422(api: Api) -> None:
    headers = await api.token_for("fields@example.org")
    for domain in ("python", "sql", "ui-ux"):
        await _create(api, headers, domain=domain)
    full = await api.client.get("/api/v1/roadmaps/my", headers=headers)
    trimmed = await api.client.get("/api/v1/roadmaps/my?fields=domain,progress", headers=headers)
    assert trimmed.status_code == 200
    items = trimmed.json()["items"]
    assert [set(item) for item in items] == [{"id", "domain", "progress"}] * 3
    assert [item["domain"] for item in items] == ["ui-ux", "sql", "python"]  # newest first
    assert len(trimmed.content) * 10 < len(full.content)
    one = await api.client.get(f"/api/v1/roadmaps/{items[0]['id']}?fields=version", headers=headers)
    assert one.json() == {"id": items[0]["id"], "version": 1}
    domains = await api.client.get("/api/v1/domains?fields=name", headers=headers)
    assert set(domains.json()["items"][0]) == {"slug", "name"}
    bad = await api.client.get("/api/v1/roadmaps/my?fields=domain,password", headers=headers)
    assert bad.status_code == 422
    assert bad.json()["field"] == "fields"
    assert "progress" in bad.json()["allowed"]


async def test_my_roadmaps_are_paginated_and_only_mine(api: Api) -> None:
    mine = await api.token_for("mine@example.org")
    other = await api.token_for("other@example.org")
    for domain in ("python", "sql", "mobile"):
        await _create(api, mine, domain=domain)
    await _create(api, other)
    page = (await api.client.get("/api/v1/roadmaps/my?limit=2&offset=1&fields=domain", headers=mine)).json()
    assert page["total"] == 3
    assert [item["domain"] for item in page["items"]] == ["sql", "python"]
    assert (await api.client.get("/api/v1/roadmaps/my", headers=other)).json()["total"] == 1


async def test_patch_completes_reorders_edits_adds_and_keeps_every_version(api: Api) -> None:
    headers = await api.token_for("patch@example.org")
    created = await _create(api, headers, domain="sql", skill_level="advanced")
    url = f"/api/v1/roadmaps/{created['id']}"
    hours = {m["id"]: m["estimated_hours"] for m in created["modules"]}
    response = await api.client.patch(url, json={"completed": {"m1": True}}, headers=headers)
    assert response.status_code == 200, response.text
    done = response.json()
    assert done["progress"] == round(100 * hours["m1"] / sum(hours.values()), 2)
    assert done["modules"][0]["completed_at"] is not None
    new_module = {
        "title": "My own project",
        "estimated_hours": 6,
        "resources": [
            {"title": "SQLite docs", "url": "https://www.sqlite.org/docs.html", "type": "docs", "estimated_hours": 2}
        ],
        "position": 0,
    }
    response = await api.client.patch(
        url,
        json={"order": ["m2", "m1"], "edit": [{"id": "m2", "title": "Windows, again"}], "add": [new_module]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [m["id"] for m in body["modules"]] == ["m3", "m2", "m1"]
    assert body["modules"][1]["title"] == "Windows, again"
    assert body["version"] == 3
    assert 0 < body["progress"] < 100
    response = await api.client.patch(url, json={"completed": {"m1": True, "m2": True, "m3": True}}, headers=headers)
    assert response.json()["progress"] == 100.0
    history = (await api.client.get(f"{url}/versions?fields=change,progress", headers=headers)).json()
    assert history["total"] == 4
    assert [item["version"] for item in history["items"]] == [4, 3, 2, 1]
    assert history["items"][-1]["change"] == "created"
    assert history["items"][0]["progress"] == 100.0
    assert "added 1" in history["items"][1]["change"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"completed": {"m99": True}}, "completed.m99"),
        ({"order": ["m1"]}, "order"),
        ({}, None),
        ({"edit": [{"id": "m1", "estimated_hours": 0}]}, "edit[0].estimated_hours"),
        (
            {
                "add": [
                    {
                        "title": "x",
                        "estimated_hours": 1,
                        "resources": [{"title": "t", "url": "http://x.org", "type": "docs", "estimated_hours": 1}],
                    }
                ]
            },
            "modules[2].resources[0].url",
        ),
        ({"progress": 100}, "progress"),
        (
            {
                "edit": [
                    {
                        "id": "m1",
                        "resources": [
                            {
                                "title": "t",
                                "url": "https://x.org",
                                "type": "docs",
                                "estimated_hours": 1,
                                "role": "maybe",
                            }
                        ],
                    }
                ]
            },
            "edit[0].resources[0].role",
        ),
    ],
)
async def test_invalid_patches_are_422(api: Api, body: dict[str, Any], field: str | None) -> None:
    headers = await api.token_for("badpatch@example.org")
    created = await _create(api, headers, domain="sql", skill_level="advanced")
    response = await api.client.patch(f"/api/v1/roadmaps/{created['id']}", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json().get("field") == field


async def test_a_learner_sets_roles_on_their_resources_and_their_own_choice_is_no_fallback(api: Api) -> None:
    headers = await api.token_for("roles@example.org")
    created = await _create(api, headers, domain="mobile", language="sw")  # no Swahili module in mobile
    assert created["modules"][0]["language_fallback"] is True
    mine = [
        {"title": "Kitabu", "url": "https://example.org/kitabu", "type": "article", "estimated_hours": 3},
        {
            "title": "Video",
            "url": "https://example.org/video",
            "type": "video",
            "estimated_hours": 2,
            "role": "optional",
        },
    ]
    response = await api.client.patch(
        f"/api/v1/roadmaps/{created['id']}", json={"edit": [{"id": "m1", "resources": mine}]}, headers=headers
    )
    assert response.status_code == 200, response.text
    module = response.json()["modules"][0]
    assert [r["role"] for r in module["resources"]] == ["core", "optional"]
    assert module["language_fallback"] is False
    assert response.json()["modules"][1]["language_fallback"] is True  # untouched modules keep theirs


async def test_a_stale_if_match_or_version_is_409(api: Api) -> None:
    headers = await api.token_for("stale@example.org")
    created = await _create(api, headers)
    url = f"/api/v1/roadmaps/{created['id']}"
    etag_v1 = (await api.client.get(url, headers=headers)).headers["etag"]
    ok = await api.client.patch(url, json={"completed": {"m1": True}}, headers=headers | {"If-Match": etag_v1})
    assert ok.status_code == 200
    stale = await api.client.patch(url, json={"completed": {"m2": True}}, headers=headers | {"If-Match": etag_v1})
    assert stale.status_code == 409
    assert stale.json()["field"] == "version"
    assert (
        await api.client.patch(url, json={"version": 1, "completed": {"m2": True}}, headers=headers)
    ).status_code == 409
    assert (
        await api.client.patch(url, json={"completed": {"m2": True}}, headers=headers | {"If-Match": '"nonsense"'})
    ).status_code == 409
    disagree = await api.client.patch(
        url, json={"version": 1, "completed": {"m2": True}}, headers=headers | {"If-Match": ok.headers["etag"]}
    )
    assert disagree.status_code == 409
    fresh = await api.client.patch(
        url, json={"version": 2, "completed": {"m2": True}}, headers=headers | {"If-Match": "*"}
    )
    assert fresh.status_code == 200
    assert fresh.json()["version"] == 3


async def test_access_rules_with_the_wrong_users(api: Api) -> None:
    owner = await api.token_for("owner@example.org")
    other_learner = await api.token_for("nosy@example.org")
    stranger_mentor = await api.token_for("stranger@example.org", role="mentor")
    pending_mentor = await api.token_for("pending@example.org", role="mentor")
    active_mentor = await api.token_for("active@example.org", role="mentor")
    former_mentor = await api.token_for("former@example.org", role="mentor")
    owner_id = await user_id(api, owner)
    await store_mentorship(api, owner_id, await user_id(api, pending_mentor), MatchStatus.PENDING)
    await store_mentorship(api, owner_id, await user_id(api, active_mentor), MatchStatus.ACTIVE, domain="python")
    await store_mentorship(api, owner_id, await user_id(api, former_mentor), MatchStatus.COMPLETED, domain="python")
    created = await _create(api, owner)
    url = f"/api/v1/roadmaps/{created['id']}"
    change = {"completed": {"m1": True}}

    for outsider in (other_learner, stranger_mentor, pending_mentor, former_mentor):
        assert (await api.client.get(url, headers=outsider)).status_code == 404
        assert (await api.client.get(f"{url}/versions", headers=outsider)).status_code == 404
        assert (await api.client.patch(url, json=change, headers=outsider)).status_code == 404
        assert (await api.client.get("/api/v1/roadmaps/my", headers=outsider)).json()["total"] == 0

    assert (await api.client.get(url, headers=active_mentor)).status_code == 200
    assert (await api.client.get(f"{url}/versions", headers=active_mentor)).status_code == 200
    refused = await api.client.patch(url, json=change, headers=active_mentor)
    assert refused.status_code == 403
    assert (await api.client.get(url, headers=owner)).json()["version"] == 1

    missing = "/api/v1/roadmaps/00000000-0000-4000-8000-000000000000"
    assert (await api.client.get(missing, headers=owner)).status_code == 404
    assert (await api.client.patch(missing, json=change, headers=owner)).status_code == 404


async def test_an_active_mentor_reads_only_the_roadmaps_of_the_mentorships_domain(api: Api) -> None:
    owner = await api.token_for("owner@example.org")
    mentor = await api.token_for("mentor@example.org", role="mentor")
    await store_mentorship(api, await user_id(api, owner), await user_id(api, mentor), MatchStatus.ACTIVE, domain="sql")
    mentored = await _create(api, owner, domain="SQL")
    other = await _create(api, owner, domain="Machine Learning")
    for path in ("/api/v1/roadmaps/{id}", "/api/v1/roadmaps/{id}/versions", "/api/v1/progress/{id}"):
        assert (await api.client.get(path.format(id=mentored["id"]), headers=mentor)).status_code == 200
        assert (await api.client.get(path.format(id=other["id"]), headers=mentor)).status_code == 404
        assert (await api.client.get(path.format(id=other["id"]), headers=owner)).status_code == 200
    # A PATCH of the roadmap outside the domain is 404 too: the mentor does not learn that it exists.
    change = {"completed": {"m1": True}}
    assert (await api.client.patch(f"/api/v1/roadmaps/{other['id']}", json=change, headers=mentor)).status_code == 404
    assert (
        await api.client.patch(f"/api/v1/roadmaps/{mentored['id']}", json=change, headers=mentor)
    ).status_code == 403


async def test_post_uses_openai_when_a_key_is_set(make_settings: Callable[..., Settings]) -> None:
    modules = [
        {
            "title": f"Part {n}",
            "summary": "s",
            "level": "intermediate",
            "estimated_hours": 4,
            "resources": [
                {
                    "title": "r",
                    "url": f"https://docs.example.org/{n}",
                    "type": "docs",
                    "estimated_hours": 1,
                    "language": "en",
                    "low_bandwidth": True,
                }
            ],
        }
        for n in range(3)
    ]
    with fake_openai() as server:
        server.script(completion(__import__("json").dumps({"modules": modules})))
        settings = make_settings(openai_api_key="sk-test", openai_base_url=server.url, openai_model="gpt-test")
        app = build_test_app(settings)
        async with AsyncTestClient(app=app) as client:
            api = Api(client=client, clock=None, settings=settings)  # type: ignore[arg-type]
            headers = await api.token_for("ai@example.org")
            first = await _create(api, headers, domain="Rust programming", skill_level="intermediate")
            second = await _create(api, headers, domain="Rust programming", skill_level="intermediate")
    assert first["domain"] == "rust-programming"
    assert first["generation"]["generator"] == "openai"
    assert first["generation"]["model"] == "gpt-test"
    assert first["generation"]["token_usage"]["total_tokens"] == 600
    assert second["generation"]["token_usage"]["cached"] is True
    assert [m["title"] for m in second["modules"]] == ["Part 0", "Part 1", "Part 2"]
    assert len(server.requests) == 1
