"""The GitHub integration over HTTP on SQLite and PostgreSQL: signed webhooks (ping, push, duplicates, 25 MB),
repository links through PyGithub against a local GitHub server, the progress API, GitHub login with PKCE,
and every access rule tried with the wrong user."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from skillbridge.adapters.http.controllers.github import LOGIN_COOKIE, _login_cookie
from skillbridge.adapters.persistence.sqlalchemy import create_engine
from skillbridge.adapters.persistence.sqlalchemy.tables import ProgressLogRow, WebhookDeliveryRow
from skillbridge.adapters.system.clock import MutableClock
from skillbridge.application.accounts.github_login import GithubLoginConfig, GithubLoginStart
from skillbridge.domain.matching.mentorship import MatchStatus
from skillbridge.main import Settings
from tests.integration.conftest import ClockProvider
from tests.integration.helpers import Api, store_mentorship, user_id
from tests.support.apps import build_test_app
from tests.support.github_payloads import (
    PUSHER_ID,
    PUSHER_LOGIN,
    SECRET,
    delivery_headers,
    ping_payload,
    push_payload,
)
from tests.support.github_server import CLIENT_ID, CLIENT_SECRET, FakeGithub, RateLimit, api_commit, fake_github
from tests.support.terms import TERMS_VERSION
from tests.support.two_factor import rfc6238, turn_on_two_factor

pytestmark = pytest.mark.asyncio

REPO = "amara-dev/python-exercises"
WEBHOOK = "/api/v1/integrations/github/webhook"
CREATE = {"domain": "Python", "skill_level": "beginner", "time_availability": 6}
T0 = datetime(2026, 11, 30, 9, tzinfo=UTC)
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
KOFI_ID = 7001


@pytest.fixture
def github() -> Iterator[FakeGithub]:
    with fake_github() as fake:
        yield fake


def github_settings(make_settings: Callable[..., Settings], github: FakeGithub, **overrides: Any) -> Settings:
    """Settings that point GitHub's API, OAuth and webhook at the fake server and the test secret."""
    return make_settings(
        github_api_url=github.url,
        github_oauth_url=github.url,
        github_webhook_secret=SECRET,
        github_client_id=CLIENT_ID,
        github_client_secret=CLIENT_SECRET,
        auth_rate_limit_per_minute=1000,
        **overrides,
    )


@pytest.fixture
async def api(make_settings: Callable[..., Settings], github: FakeGithub) -> AsyncIterator[Api]:
    clock = MutableClock(NOW)
    settings = github_settings(make_settings, github)
    async with AsyncTestClient(app=build_test_app(settings, ClockProvider(clock))) as client:
        yield Api(client=client, clock=clock, settings=settings)


async def _count(api: Api, column: Any) -> int:
    engine = create_engine(api.settings.schema_owner_url)
    try:
        async with engine.connect() as connection:
            return int((await connection.execute(select(func.count(column)))).scalar_one())
    finally:
        await engine.dispose()


async def _roadmap(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    response = await api.client.post("/api/v1/roadmaps", json=CREATE, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _deliver(api: Api, event: str, payload: Any, **header_options: Any) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return await api.client.post(WEBHOOK, content=body, headers=delivery_headers(body, event, **header_options))


def _seed_repository(github: FakeGithub) -> None:
    commits = [
        api_commit("c" * 40, "Set up the project\n\ndone: m2", login=PUSHER_LOGIN, author_id=PUSHER_ID, date=T0),
        api_commit("d" * 40, "Typo fix. done: m3", login="kofi", author_id=KOFI_ID, date=T0 - timedelta(days=1)),
    ]
    github.add_repo(REPO, commits=commits, owner_id=PUSHER_ID)


async def _github_learner(
    api: Api, github: FakeGithub, *, github_id: int = PUSHER_ID, login: str = PUSHER_LOGIN
) -> dict[str, str]:
    """A learner who signed up with GitHub (so their GitHub account is proven): their Authorization header."""
    token = f"gho_{login}"
    github.add_user(
        token, github_id, login, emails=[{"email": f"{login}@example.org", "primary": True, "verified": True}]
    )
    code, state = github.approve(await _start(api), token)
    response = await api.client.get(f"/api/v1/auth/github/callback?state={state}&code={code}")
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _linked_learner(api: Api, github: FakeGithub) -> tuple[dict[str, str], dict[str, Any]]:
    _seed_repository(github)
    headers = await _github_learner(api, github)
    roadmap = await _roadmap(api, headers)
    response = await api.client.post(
        f"/api/v1/roadmaps/{roadmap['id']}/repository", json={"full_name": REPO.upper()}, headers=headers
    )
    assert response.status_code == 200, response.text
    return headers, roadmap


# ------------------------------------------------------------------------------------------------ webhooks


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "wrong-secret"])
async def test_a_missing_or_bad_signature_is_401_and_nothing_is_stored(
    api: Api, github: FakeGithub, signature: str | None
) -> None:
    await _linked_learner(api, github)
    body = json.dumps(push_payload(REPO)).encode()
    headers = delivery_headers(body, "push", delivery="guid-1")
    if signature == "wrong-secret":
        headers = delivery_headers(body, "push", delivery="guid-1", secret="not-the-secret")
    elif signature is None:
        del headers["X-Hub-Signature-256"]
    else:
        headers["X-Hub-Signature-256"] = signature
    response = await api.client.post(WEBHOOK, content=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await _count(api, WebhookDeliveryRow.id) == 0
    # The same delivery, signed, is new: the refused one left nothing behind.
    assert (await _deliver(api, "push", body, delivery="guid-1")).json()["status"] == "queued"


async def test_ping_is_answered_and_unknown_events_are_acknowledged_and_ignored(api: Api) -> None:
    response = await _deliver(api, "ping", ping_payload())
    assert response.status_code == 200
    assert response.json()["status"] == "pong"
    for event, payload in (("issues", {"action": "opened"}), ("star", {"action": "created"})):
        ignored = await _deliver(api, event, payload)
        assert ignored.status_code == 202
        assert ignored.json()["status"] == "ignored"
    unlinked = await _deliver(api, "push", push_payload("nobody/unlinked"))
    assert (unlinked.status_code, unlinked.json()["status"]) == (202, "ignored")
    assert await _count(api, WebhookDeliveryRow.id) == 0


async def test_headers_and_bodies_that_are_not_githubs_are_refused(api: Api) -> None:
    body = b'{"ref": 1}'
    headers = delivery_headers(body, "push")
    assert (await api.client.post(WEBHOOK, content=body, headers=headers)).status_code == 422
    del headers["X-GitHub-Delivery"]
    assert (await api.client.post(WEBHOOK, content=body, headers=headers)).status_code == 400


async def test_a_push_logs_commits_and_its_done_tags_complete_modules(api: Api, github: FakeGithub) -> None:
    headers, roadmap = await _linked_learner(api, github)
    response = await _deliver(api, "push", push_payload(REPO))
    assert response.status_code == 202
    assert response.json()["status"] == "queued"

    progress = (await api.client.get(f"/api/v1/progress/{roadmap['id']}", headers=headers)).json()
    assert [m["id"] for m in progress["completed_modules"]] == ["m1", "m2"]
    assert progress["percentage"] > 0
    assert progress["repository"] == REPO
    timeline = progress["timeline"]
    commits = [event for event in timeline["items"] if event["event_type"] == "commit"]
    assert len(commits) == 4  # two fetched when linking, two pushed
    pushed = next(e for e in commits if e["details"]["commit_hash"].startswith("0d1a26e6"))
    assert pushed["details"]["files_changed"] == ["basics/loops.py", "README.md", "basics/hello.py", "scratch.py"]
    assert pushed["details"]["author"] == {"name": "Amara Okafor", "login": "amara-dev", "id": PUSHER_ID}
    assert pushed["details"]["url"].startswith("https://github.com/")
    assert pushed["details"]["timestamp"].startswith("2026-12-01T11:40:12+01:00")  # the author's own date
    assert pushed["occurred_at"].startswith("2026-12-03T12:00:00")  # when the delivery arrived
    assert {e["details"]["module_id"] for e in timeline["items"] if e["event_type"] == "module_completed"} == {
        "m1",
        "m2",
    }
    assert progress["streaks"] == {
        "current_weeks": 1,  # the link and the push both arrived this week (30 November to 6 December)
        "longest_weeks": 1,
        "basis": "ISO 8601 weeks (Monday to Sunday) in UTC",
    }
    versions = (await api.client.get(f"/api/v1/roadmaps/{roadmap['id']}/versions", headers=headers)).json()
    changes = [item["change"] for item in versions["items"]]
    assert changes[0] == f"completed 1 module from commits in {REPO}"
    assert f"linked {REPO}" in changes


async def test_identical_deliveries_arriving_together_are_processed_once(api: Api, github: FakeGithub) -> None:
    await _linked_learner(api, github)
    before = await _count(api, ProgressLogRow.id)
    body = json.dumps(push_payload(REPO, messages=["one", "two", "three"])).encode()
    headers = delivery_headers(body, "push", delivery="same-delivery")
    responses = await asyncio.gather(*(api.client.post(WEBHOOK, content=body, headers=headers) for _ in range(2)))
    assert sorted(r.json()["status"] for r in responses) == ["duplicate", "queued"]
    assert all(r.status_code == 202 for r in responses)
    assert (await api.client.post(WEBHOOK, content=body, headers=headers)).json()["status"] == "duplicate"
    assert await _count(api, ProgressLogRow.id) == before + 3
    assert await _count(api, WebhookDeliveryRow.id) == 1


async def test_a_25_mb_payload_is_accepted_and_a_larger_one_is_413(api: Api, github: FakeGithub) -> None:
    await _linked_learner(api, github)
    limit = 25 * 1024 * 1024
    payload = push_payload(REPO)
    skeleton = len(json.dumps(payload | {"padding": ""}).encode())
    body = json.dumps(payload | {"padding": "x" * (limit - skeleton)}).encode()
    assert len(body) == limit
    accepted = await _deliver(api, "push", body)
    assert accepted.status_code == 202, accepted.text
    too_big = await _deliver(api, "push", body + b" " * 1024)
    assert too_big.status_code == 413
    # The rest of the API keeps the smaller global limit.
    big = await api.client.post("/api/v1/auth/login", content=b"{" + b" " * 2_000_000 + b"}")
    assert big.status_code == 413


# ------------------------------------------------------------------------------------------------ linking


async def test_linking_checks_the_repository_and_logs_recent_commits_once(api: Api, github: FakeGithub) -> None:
    headers, roadmap = await _linked_learner(api, github)
    again = await api.client.post(
        f"/api/v1/roadmaps/{roadmap['id']}/repository", json={"full_name": REPO}, headers=headers
    )
    assert again.status_code == 200
    body = again.json()
    assert body["repository"] == REPO
    assert body["commits_logged"] == 0
    assert body["html_url"] == f"https://github.com/{REPO}"
    assert [
        m["id"]
        for m in (await api.client.get(f"/api/v1/roadmaps/{roadmap['id']}", headers=headers)).json()["modules"]
        if m["completed"]
    ] == ["m2"]  # kofi's done: m3 does not count
    assert await _count(api, ProgressLogRow.id) == 3  # two commits and one completion


async def test_a_contributor_links_a_repository_with_their_commits(api: Api, github: FakeGithub) -> None:
    mine = api_commit("e" * 40, "mine", login="amara-dev", author_id=PUSHER_ID, date=T0)
    github.add_repo("kofi/group-project", commits=[mine], owner_id=KOFI_ID)
    headers = await _github_learner(api, github)
    roadmap = await _roadmap(api, headers)
    response = await api.client.post(
        f"/api/v1/roadmaps/{roadmap['id']}/repository", json={"full_name": "kofi/group-project"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["commits_logged"] == 1


@pytest.mark.parametrize(
    ("full_name", "field"),
    [
        ("amara-dev/private-notes", "full_name"),
        ("amara-dev/does-not-exist", "full_name"),
        ("kofi/not-mine", "full_name"),
        ("not a name", "full_name"),
    ],
)
async def test_repositories_that_cannot_be_linked_are_422(
    api: Api, github: FakeGithub, full_name: str, field: str
) -> None:
    github.add_repo("amara-dev/private-notes", private=True, owner_id=PUSHER_ID)
    github.add_repo("kofi/not-mine", commits=[api_commit("f" * 40, "x", login="kofi", date=T0)], owner_id=KOFI_ID)
    headers = await _github_learner(api, github)
    roadmap = await _roadmap(api, headers)
    response = await api.client.post(
        f"/api/v1/roadmaps/{roadmap['id']}/repository", json={"full_name": full_name}, headers=headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


@pytest.mark.parametrize("declared", [None, "amara-dev"])
async def test_linking_needs_a_github_account_proven_by_github_login(
    api: Api, github: FakeGithub, declared: str | None
) -> None:
    _seed_repository(github)
    headers = await api.token_for("mallory@example.org", github_username=declared)
    roadmap = await _roadmap(api, headers)
    response = await api.client.post(
        f"/api/v1/roadmaps/{roadmap['id']}/repository", json={"full_name": REPO}, headers=headers
    )
    assert (response.status_code, response.json()["field"]) == (422, "github_id")
    assert not [r for r in github.requests if r.path.startswith("/repos")]  # GitHub was not even asked


async def test_githubs_rate_limit_is_503_with_retry_after(api: Api, github: FakeGithub) -> None:
    headers = await _github_learner(api, github)
    roadmap = await _roadmap(api, headers)
    github.rate_limited = RateLimit(429, {"retry-after": "42"}, "You have exceeded a secondary rate limit.")
    response = await api.client.post(
        f"/api/v1/roadmaps/{roadmap['id']}/repository", json={"full_name": REPO}, headers=headers
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "42"
    assert response.json()["type"].endswith("/upstream-rate-limited")


async def test_only_the_owner_links_and_unlinks(api: Api, github: FakeGithub) -> None:
    headers, roadmap = await _linked_learner(api, github)
    mentor = await api.token_for("mentor@example.org", role="mentor", github_username="amara-dev")
    stranger = await api.token_for("stranger@example.org", github_username="amara-dev")
    await store_mentorship(
        api, await user_id(api, headers), await user_id(api, mentor), MatchStatus.ACTIVE, domain="python"
    )
    path = f"/api/v1/roadmaps/{roadmap['id']}/repository"
    assert (await api.client.post(path, json={"full_name": REPO}, headers=mentor)).status_code == 403
    assert (await api.client.post(path, json={"full_name": REPO}, headers=stranger)).status_code == 404
    assert (await api.client.delete(path, headers=mentor)).status_code == 403
    assert (await api.client.delete(path, headers=stranger)).status_code == 404
    assert (await api.client.delete(path)).status_code == 401

    assert (await api.client.delete(path, headers=headers)).status_code == 204
    assert (await api.client.delete(path, headers=headers)).status_code == 204
    after = await _deliver(api, "push", push_payload(REPO))
    assert after.json()["status"] == "ignored"
    progress = (await api.client.get(f"/api/v1/progress/{roadmap['id']}", headers=headers)).json()
    assert progress["repository"] is None
    assert progress["timeline"]["total"] == 3  # the events stay


# ------------------------------------------------------------------------------------------------ progress API


async def test_events_reported_by_hand_are_validated_per_type(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    roadmap = await _roadmap(api, headers)
    module = roadmap["modules"][0]
    ok = [
        {"event_type": "study_session", "details": {"minutes": 45, "module_id": module["id"], "note": "loops"}},
        {
            "event_type": "resource_completed",
            "details": {"module_id": module["id"], "url": module["resources"][0]["url"]},
        },
        {"event_type": "note", "details": {"text": "recursion finally clicked"}},
        {"event_type": "commit", "details": {"repo": "amara/gitlab-mirror", "commit_hash": "ABCDEF1234"}},
    ]
    for body in ok:
        response = await api.client.post(
            "/api/v1/progress/log", json={"roadmap_id": roadmap["id"], **body}, headers=headers
        )
        assert response.status_code == 201, response.text
        assert response.json()["event_type"] == body["event_type"]
    duplicate = await api.client.post(
        "/api/v1/progress/log", json={"roadmap_id": roadmap["id"], **ok[3]}, headers=headers
    )
    assert (duplicate.status_code, duplicate.json()["field"]) == (409, "details.commit_hash")
    report = (await api.client.get(f"/api/v1/progress/{roadmap['id']}?limit=2", headers=headers)).json()
    assert report["timeline"]["total"] == 4
    assert len(report["timeline"]["items"]) == 2
    assert report["streaks"]["current_weeks"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event_type": "study_session", "details": {"minutes": 0}}, "details.minutes"),
        ({"event_type": "study_session", "details": {"minutes": 10, "module_id": "m99"}}, "details.module_id"),
        ({"event_type": "study_session", "details": {"minutes": 10, "extra": 1}}, "details.extra"),
        ({"event_type": "note", "details": {}}, "details.text"),
        ({"event_type": "commit", "details": {"repo": "a/b", "commit_hash": "zzz"}}, "details.commit_hash"),
        ({"event_type": "resource_completed", "details": {"module_id": "m1", "url": "https://x.org/"}}, "details.url"),
        ({"event_type": "module_completed", "details": {}}, "event_type"),
        ({"event_type": "teleport", "details": {}}, "event_type"),
    ],
)
async def test_invalid_events_are_422_naming_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    headers = await api.token_for("amara@example.org")
    roadmap = await _roadmap(api, headers)
    response = await api.client.post(
        "/api/v1/progress/log", json={"roadmap_id": roadmap["id"], **body}, headers=headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


async def test_progress_is_for_the_owner_and_the_active_mentor_only(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    roadmap = await _roadmap(api, headers)
    learner = await user_id(api, headers)
    active = await api.token_for("active@example.org", role="mentor")
    pending = await api.token_for("pending@example.org", role="mentor")
    stranger = await api.token_for("stranger@example.org")
    await store_mentorship(api, learner, await user_id(api, active), MatchStatus.ACTIVE, domain="python")
    await store_mentorship(api, learner, await user_id(api, pending), MatchStatus.PENDING)
    path = f"/api/v1/progress/{roadmap['id']}"
    assert (await api.client.get(path, headers=headers)).status_code == 200
    assert (await api.client.get(path, headers=active)).status_code == 200
    assert (await api.client.get(path, headers=pending)).status_code == 404
    assert (await api.client.get(path, headers=stranger)).status_code == 404
    assert (
        await api.client.get("/api/v1/progress/00000000-0000-0000-0000-000000000000", headers=headers)
    ).status_code == 404
    assert (await api.client.get(path)).status_code == 401
    note = {"roadmap_id": roadmap["id"], "event_type": "note", "details": {"text": "hi"}}
    assert (await api.client.post("/api/v1/progress/log", json=note, headers=active)).status_code == 403
    assert (await api.client.post("/api/v1/progress/log", json=note, headers=pending)).status_code == 404
    assert (await api.client.post("/api/v1/progress/log", json=note, headers=stranger)).status_code == 404


# ------------------------------------------------------------------------------------------------ GitHub login


async def _start(api: Api) -> str:
    response = await api.client.get("/api/v1/auth/github/login", params={"accepted_terms_version": TERMS_VERSION})
    assert response.status_code == 200, response.text
    url: str = response.json()["authorization_url"]
    return url


async def test_login_url_has_state_pkce_and_the_two_scopes(api: Api, github: FakeGithub) -> None:
    url = await _start(api)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{github.url}/login/oauth/authorize"
    assert query["scope"] == ["read:user user:email"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32
    assert query["state"] != parse_qs(urlsplit(await _start(api)).query)["state"]
    redirect = await api.client.get("/api/v1/auth/github/login?redirect=true", follow_redirects=False)
    assert redirect.status_code == 302
    assert redirect.headers["location"].startswith(f"{github.url}/login/oauth/authorize?")


async def test_github_login_creates_a_learner_then_signs_the_same_account_in(api: Api, github: FakeGithub) -> None:
    github.add_user(
        "gho_amara",
        583231,
        "amara-dev",
        name="Amara Okafor",
        emails=[
            {"email": "old@example.org", "primary": False, "verified": True},
            {"email": "Amara@Example.org", "primary": True, "verified": True},
        ],
    )
    code, state = github.approve(await _start(api), "gho_amara")
    response = await api.client.get(f"/api/v1/auth/github/callback?state={state}&code={code}")
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    me = (
        await api.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    ).json()
    assert me["role"] == "learner"
    assert me["email"] == "amara@example.org"
    assert me["profile"]["github_username"] == "amara-dev"
    assert me["email_verified"] is True  # GitHub verified the address
    refreshed = await api.client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200

    # The state is spent; the code too.
    assert (await api.client.get(f"/api/v1/auth/github/callback?state={state}&code={code}")).status_code == 400
    code, state = github.approve(await _start(api), "gho_amara")
    again = await api.client.get(f"/api/v1/auth/github/callback?state={state}&code={code}")
    assert again.json()["user_id"] == tokens["user_id"]


async def test_accounts_are_never_linked_by_email(api: Api, github: FakeGithub) -> None:
    await api.register("amara@example.org")
    github.add_user("gho_x", 77, "amara-x", emails=[{"email": "amara@example.org", "primary": True, "verified": True}])
    code, state = github.approve(await _start(api), "gho_x")
    response = await api.client.get(f"/api/v1/auth/github/callback?state={state}&code={code}")
    assert response.status_code == 409
    # Without a verified email, GitHub's no-reply address stands in.
    github.add_user("gho_y", 78, "amara-y", emails=[{"email": "amara@example.org", "primary": True, "verified": False}])
    code, state = github.approve(await _start(api), "gho_y")
    created = await api.client.get(f"/api/v1/auth/github/callback?state={state}&code={code}")
    assert created.status_code == 200
    me = (
        await api.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {created.json()['access_token']}"})
    ).json()
    assert me["email"] == "78+amara-y@users.noreply.github.com"


@pytest.mark.parametrize("query", ["", "?code=abc", "?state=forged&code=abc", "?state=&code=abc"])
async def test_a_missing_or_mismatched_state_is_400(api: Api, query: str) -> None:
    await _start(api)
    response = await api.client.get(f"/api/v1/auth/github/callback{query}")
    assert response.status_code == 400
    assert response.json()["field"] == "state"


async def test_a_refused_or_forged_code_is_401(api: Api, github: FakeGithub) -> None:
    state = parse_qs(urlsplit(await _start(api)).query)["state"][0]
    assert (await api.client.get(f"/api/v1/auth/github/callback?state={state}&code=forged")).status_code == 401
    state = parse_qs(urlsplit(await _start(api)).query)["state"][0]
    denied = await api.client.get(f"/api/v1/auth/github/callback?state={state}&error=access_denied")
    assert denied.status_code == 401
    assert (await api.client.get(f"/api/v1/auth/github/callback?state={state}&code=x")).status_code == 400


def _token_for(github: FakeGithub, github_id: int = 4242, login: str = "nia-dev") -> str:
    token = f"gho_{login}"
    github.add_user(
        token, github_id, login, emails=[{"email": f"{login}@example.org", "primary": True, "verified": True}]
    )
    return token


async def test_the_login_sets_an_http_only_lax_cookie_for_the_login_routes_only(api: Api, github: FakeGithub) -> None:
    for url in ("/api/v1/auth/github/login", "/api/v1/auth/github/login?redirect=true"):
        response = await api.client.get(url, follow_redirects=False)

        set_cookie = response.headers["set-cookie"]
        attributes = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")}
        assert set_cookie.startswith(f"{LOGIN_COOKIE}=")
        assert {"httponly", "path", "max-age", "samesite"} <= attributes
        assert "samesite=lax" in set_cookie.lower()
        assert "path=/api/v1/auth/github" in set_cookie.lower()
        assert "secure" not in attributes  # the embedded profile serves plain HTTP; production sets Secure
        state = parse_qs(urlsplit(response.headers.get("location") or response.json()["authorization_url"]).query)
        nonce = response.cookies[LOGIN_COOKIE]
        # The state carries the nonce's hash, never the nonce.
        assert nonce not in state["state"][0]
        assert state["state"][0].endswith(hashlib.sha256(nonce.encode()).hexdigest()[:32])


async def test_the_cookie_is_secure_when_the_config_says_so() -> None:
    start = GithubLoginStart("https://github.com/login/oauth/authorize", "nonce")

    cookie = _login_cookie(start, GithubLoginConfig(state_ttl_seconds=600, secure_cookie=True))

    assert (cookie.secure, cookie.httponly, cookie.samesite, cookie.max_age) == (True, True, "lax", 600)


async def test_a_state_finished_in_another_browser_is_refused_and_spent(api: Api, github: FakeGithub) -> None:
    token = _token_for(github)
    code, attackers_state = github.approve(await _start(api), token)  # the attacker's browser has the cookie
    api.client.cookies.clear()
    victim_state = parse_qs(urlsplit(await _start(api)).query)["state"][0]  # the victim's own cookie

    with_another_cookie = await api.client.get(f"/api/v1/auth/github/callback?state={attackers_state}&code={code}")
    api.client.cookies.clear()
    without_cookie = await api.client.get(f"/api/v1/auth/github/callback?state={victim_state}&code={code}")

    assert (with_another_cookie.status_code, with_another_cookie.json()["field"]) == (400, "state")
    assert "another browser" in with_another_cookie.json()["detail"]
    assert (without_cookie.status_code, without_cookie.json()["field"]) == (400, "state")
    # Positive control: started and finished in one browser, the same GitHub account signs in.
    code, state = github.approve(await _start(api), token)
    assert (await api.client.get(f"/api/v1/auth/github/callback?state={state}&code={code}")).status_code == 200


async def test_a_callback_replayed_in_the_same_browser_is_refused(api: Api, github: FakeGithub) -> None:
    token = _token_for(github)
    code, state = github.approve(await _start(api), token)
    nonce = api.client.cookies[LOGIN_COOKIE]
    first = await api.client.get(f"/api/v1/auth/github/callback?state={state}&code={code}")
    api.client.cookies.set(LOGIN_COOKIE, nonce, path="/api/v1/auth/github")  # a replay keeps its cookie

    replayed = await api.client.get(f"/api/v1/auth/github/callback?state={state}&code={code}")

    assert first.status_code == 200
    assert "max-age=0" in first.headers["set-cookie"].lower() or "expires=" in first.headers["set-cookie"].lower()
    assert (replayed.status_code, replayed.json()["field"]) == (400, "state")


async def test_a_github_account_with_two_factor_on_gets_a_challenge_not_tokens(api: Api, github: FakeGithub) -> None:
    token = _token_for(github)
    code, state = github.approve(await _start(api), token)
    first = (await api.client.get(f"/api/v1/auth/github/callback?state={state}&code={code}")).json()
    headers = {"Authorization": f"Bearer {first['access_token']}"}
    secret, _ = await turn_on_two_factor(api.client, headers, api.clock.now())
    api.clock.advance(timedelta(seconds=30))
    code, state = github.approve(await _start(api), token)

    callback = await api.client.get(f"/api/v1/auth/github/callback?state={state}&code={code}")

    assert callback.status_code == 200
    assert callback.json()["two_factor_required"] is True
    assert "access_token" not in callback.json()
    verified = await api.client.post(
        "/api/v1/auth/2fa/verify",
        json={"challenge_token": callback.json()["challenge_token"], "code": rfc6238(secret, api.clock.now())},
    )
    assert verified.status_code == 200
    assert verified.json()["user_id"] == first["user_id"]


async def test_githubs_error_is_a_fixed_problem_that_repeats_nothing(api: Api, github: FakeGithub) -> None:
    token = _token_for(github)
    code, state = github.approve(await _start(api), token)
    injected = "<script>alert(1)</script> call +1-555-0100 now"

    denied = await api.client.get("/api/v1/auth/github/callback", params={"state": state, "error": injected})
    after = await api.client.get(f"/api/v1/auth/github/callback?state={state}&code={code}")

    assert denied.status_code == 401
    assert denied.json()["type"] == "https://skillbridge.africa/problems/github-login-refused"
    assert "script" not in denied.text
    # The dashed number, not "555": a random request id in the body may hold those three hex digits.
    assert "555-0100" not in denied.text
    assert (after.status_code, after.json()["field"]) == (400, "state")  # the refusal spent the state


async def test_github_login_is_503_when_not_configured(make_settings: Callable[..., Settings]) -> None:
    async with AsyncTestClient(app=build_test_app(make_settings())) as client:
        response = await client.get("/api/v1/auth/github/login")
        assert response.status_code == 503
        webhook = await client.post(WEBHOOK, content=b"{}", headers=delivery_headers(b"{}", "ping"))
        assert webhook.status_code == 401  # no secret configured: nothing is trusted
