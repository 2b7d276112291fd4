"""The right of access: GET /users/me/export, on SQLite and on PostgreSQL (as the row-level-bound app role)."""

from __future__ import annotations

from collections.abc import Callable

from litestar.testing import AsyncTestClient

from skillbridge.adapters.system.clock import MutableClock
from skillbridge.main import Settings
from tests.integration.everything import did_everything
from tests.integration.helpers import Api
from tests.support.apps import build_test_app
from tests.support.terms import TERMS_VERSION

EXPORT = "/api/v1/users/me/export"


async def test_the_export_holds_everything_about_the_caller_field_by_field(api: Api) -> None:
    ada, _kwame, seen = await did_everything(api)

    response = await api.client.get(EXPORT, headers=ada)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert "argon2" not in response.text  # no password hash, in any section
    export = response.json()
    account = export["account"]
    assert (account["id"], account["email"], account["role"]) == (seen["ada"], "ada@example.org", "learner")
    assert (account["has_password"], account["github_id"], account["is_active"]) == (True, None, True)
    assert account["profile"]["display_name"] == "Ada Lovelace"
    assert account["profile"]["github_username"] == "test-user"
    assert "password_hash" not in account
    assert [(r["id"], r["user_id"], r["domain"]) for r in export["roadmaps"]] == [
        (seen["roadmap"], seen["ada"], "python")  # the domain as stored: its slug
    ]
    assert {v["roadmap_id"] for v in export["roadmap_versions"]} == {seen["roadmap"]}
    assert [(m["id"], m["learner_id"], m["mentor_id"], m["status"]) for m in export["mentorships"]] == [
        (seen["match"], seen["ada"], seen["kwame"], "active")
    ]
    # Only what Ada wrote: Kwame's answer is his.
    assert [(c["match_id"], c["sender_id"], c["content"]) for c in export["chat_messages"]] == [
        (seen["match"], seen["ada"], "hello mentor")
    ]
    assert [(e["roadmap_id"], e["event_type"], e["details"]) for e in export["progress_events"]] == [
        (seen["roadmap"], "note", {"text": "recursion clicked"})
    ]
    inbox = (await api.client.get("/api/v1/notifications/my", headers=ada)).json()["items"]
    assert inbox  # control: Kwame's message told her
    assert sorted(n["id"] for n in export["notifications"]) == sorted(n["id"] for n in inbox)
    assert {n["recipient_id"] for n in export["notifications"]} == {seen["ada"]}
    assert [(b["type"], b["criteria"]["reason"]) for b in export["badges"]] == [("community-hero", "kind answers")]
    assert [(p["id"], p["title"], p["content"]) for p in export["forum_posts"]] == [
        (seen["thread"], "Loops", "for or while?")
    ]
    assert "badge.awarded" in [entry["action"] for entry in export["audit_entries"]]
    assert [(c["kind"], c["granted"], c["version"]) for c in export["consents"]] == [("terms", True, TERMS_VERSION)]

    again = (await api.client.get(EXPORT, headers=ada)).json()
    assert [e["action"] for e in again["audit_entries"]].count("user.exported") == 1  # the first export, audited


async def test_another_users_export_shows_none_of_adas_data(api: Api) -> None:
    _ada, kwame, seen = await did_everything(api)

    export = (await api.client.get(EXPORT, headers=kwame)).json()

    assert export["account"]["id"] == seen["kwame"]
    assert [c["content"] for c in export["chat_messages"]] == ["welcome, Ada"]
    assert (export["roadmaps"], export["progress_events"], export["forum_posts"], export["badges"]) == ([], [], [], [])
    assert [m["id"] for m in export["mentorships"]] == [seen["match"]]  # shared: he is its mentor


async def test_exports_are_rate_limited_per_user(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(exports_per_hour=2)
    async with AsyncTestClient(app=build_test_app(settings)) as client:
        api = Api(client=client, clock=MutableClock(), settings=settings)
        ada = await api.token_for("ada@example.org")
        assert [(await client.get(EXPORT, headers=ada)).status_code for _ in range(3)] == [200, 200, 429]
        # Control: the budget is Ada's, not everyone's.
        assert (await client.get(EXPORT, headers=await api.token_for("ben@example.org"))).status_code == 200
