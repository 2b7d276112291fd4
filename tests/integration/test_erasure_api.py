"""The right to erasure: DELETE /users/me, on SQLite and on PostgreSQL (the app role, under row-level security).

The decisive test erases a user who did everything, then scans every text and JSON column of every table
(found from the schema itself, so a column added later is scanned too) for what identified her and what she
wrote; the same scan before the erasure is the positive control.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric, Uuid, inspect, text
from sqlalchemy.engine import Connection

from skillbridge.adapters.persistence.sqlalchemy import create_engine
from tests.integration.everything import did_everything
from tests.integration.helpers import PASSWORD, Api, admin_headers, register_body, user_id
from tests.support.two_factor import turn_on_two_factor

ME = "/api/v1/users/me"
PREFERENCES = "/api/v1/users/me/notification-preferences"
ADA_EMAIL = "ada@example.org"
#: What identified Ada (email, name, GitHub username) and what she wrote (chat, progress note, thread, badge).
IDENTIFIERS = (ADA_EMAIL, "Ada Lovelace", "ada-lovelace")
WRITTEN = ("hello mentor", "recursion clicked", "for or while?", "kind answers")
# Columns whose values cannot hold text.
_NOT_TEXT = (Boolean, Date, DateTime, Float, Integer, Numeric, Uuid)


def _text_columns(connection: Connection) -> list[tuple[str, str]]:
    inspector = inspect(connection)
    return [
        (table, column["name"])
        for table in inspector.get_table_names()
        for column in inspector.get_columns(table)
        if not isinstance(column["type"], _NOT_TEXT)
    ]


async def where_found(api: Api, needles: tuple[str, ...]) -> dict[str, set[str]]:
    """Each needle -> the ``table.column`` of every row holding it (any case), over the whole schema; read as
    the schema's owner, whom row-level security does not hide rows from."""
    engine = create_engine(api.settings.schema_owner_url)
    found: dict[str, set[str]] = {needle: set() for needle in needles}
    try:
        async with engine.connect() as connection:
            columns = await connection.run_sync(_text_columns)
            assert ("users", "email") in columns and ("chat_messages", "content") in columns  # the scan's reach
            for table, column in columns:
                for needle in needles:
                    query = f'SELECT count(*) FROM "{table}" WHERE lower(CAST("{column}" AS TEXT)) LIKE :pattern'  # noqa: S608 - names from the schema
                    if await connection.scalar(text(query), {"pattern": f"%{needle.lower()}%"}):
                        found[needle].add(f"{table}.{column}")
    finally:
        await engine.dispose()
    return found


async def erase(api: Api, headers: dict[str, str], body: dict[str, Any] | None = None) -> Any:
    return await api.client.request(
        "DELETE", ME, json={"password": PASSWORD} if body is None else body, headers=headers
    )


async def test_an_erased_user_leaves_no_trace_in_any_text_or_json_column(api: Api) -> None:
    ada, kwame, seen = await did_everything(api, github_username="ada-lovelace")
    # An admin's reason names her in the audit trail (a suspension, lifted again).
    admin = await admin_headers(api, "auditor@example.org")
    for active, reason in ((False, "Ada Lovelace asked for a pause"), (True, "back")):
        change = {"is_active": active, "reason": reason}
        changed = await api.client.patch(f"/api/v1/admin/users/{seen['ada']}", json=change, headers=admin)
        assert changed.status_code == 200, changed.text
    ada = {"Authorization": f"Bearer {(await api.login(ADA_EMAIL))['access_token']}"}
    before = await where_found(api, IDENTIFIERS + WRITTEN)
    # Positive control: the scan finds each of them where the API put it.
    assert {"users.email"} <= before[ADA_EMAIL], before
    assert "users.profile" in before["Ada Lovelace"] and "users.profile" in before["ada-lovelace"], before
    assert "chat_messages.content" in before["hello mentor"] and "notifications.content" in before["hello mentor"]
    assert "progress_logs.details" in before["recursion clicked"]
    assert "forum_posts.content" in before["for or while?"] and "badges.criteria" in before["kind answers"]
    assert "audit_log.details" in before["Ada Lovelace"]

    response = await erase(api, ada)

    assert response.status_code == 204, response.text
    after = await where_found(api, IDENTIFIERS + WRITTEN)
    assert after == {needle: set() for needle in IDENTIFIERS + WRITTEN}
    # What others hold keeps its place: Kwame's message, the conversation, the thread.
    chat = (await api.client.get(f"/api/v1/matches/{seen['match']}/chat", headers=kwame)).json()["items"]
    assert sorted((m["sender_id"], m["content"]) for m in chat) == sorted(
        [(seen["ada"], ""), (seen["kwame"], "welcome, Ada")]
    )
    thread = await api.client.get(f"/api/v1/forum/posts/{seen['thread']}", headers=kwame)
    assert thread.status_code == 200, thread.text
    post = thread.json()
    suspended = await api.client.get("/api/v1/admin/audit", params={"action": "user.disabled"}, headers=admin)
    [entry] = suspended.json()["items"]  # the entry stays, without the reason that named her
    assert (entry["subject_id"], entry["details"]) == (seen["ada"], {"sessions_revoked": 1})  # her one sign-in
    assert (post["author_id"], post["is_deleted"], post["content"]) == (seen["ada"], True, None)
    assert post["author_name"] == "deleted user"


async def test_erasure_cancels_open_mentorships_and_tells_the_other_party(api: Api) -> None:
    ada, kwame, seen = await did_everything(api)

    assert (await erase(api, ada)).status_code == 204

    match = (await api.client.get(f"/api/v1/matches/{seen['match']}", headers=kwame)).json()
    assert match["status"] == "cancelled"
    news = (await api.client.get("/api/v1/notifications/my", headers=kwame)).json()["items"]
    assert [n["message"] for n in news if n["payload"].get("status") == "cancelled"] == [
        "Your d-active mentorship was cancelled"
    ]
    # The preview of Ada's message in Kwame's inbox no longer quotes her.
    assert "hello mentor" not in [n["message"] for n in news]


async def test_erasure_ends_every_session_and_frees_the_email(api: Api) -> None:
    ada = await api.token_for(ADA_EMAIL)
    refresh = (await api.login(ADA_EMAIL))["refresh_token"]

    assert (await erase(api, ada)).status_code == 204

    assert (await api.client.get(ME, headers=ada)).status_code == 401
    assert (await api.client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})).status_code == 401
    assert (await api.login_response(ADA_EMAIL)).status_code == 401
    again = await api.client.post("/api/v1/auth/register", json=register_body(ADA_EMAIL))
    assert again.status_code == 201, again.text
    assert (await api.login_response(ADA_EMAIL)).status_code == 200  # a new account, with no past


async def test_a_missing_or_wrong_password_erases_nothing(api: Api) -> None:
    ada = await api.token_for(ADA_EMAIL)

    for body in ({}, {"password": "not-her-password"}):
        response = await erase(api, ada, body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in response.json()["errors"]] == ["password"]
    me = await api.client.get(ME, headers=ada)
    assert (me.status_code, me.json()["email"]) == (200, ADA_EMAIL)
    # Control: the right password erases.
    assert (await erase(api, ada)).status_code == 204


async def test_the_audit_keeps_one_pseudonymous_entry(api: Api) -> None:
    ada, _kwame, seen = await did_everything(api)

    assert (await erase(api, ada)).status_code == 204

    admin = await admin_headers(api, "auditor@example.org")
    entries = (await api.client.get("/api/v1/admin/audit", params={"action": "user.erased"}, headers=admin)).json()
    [entry] = entries["items"]
    assert (entry["subject_type"], entry["subject_id"], entry["actor_id"]) == ("user", seen["ada"], seen["ada"])
    assert (entry["details"]["roadmaps"], entry["details"]["mentorships_cancelled"]) == (1, 1)
    listed = (await api.client.get("/api/v1/admin/users", params={"limit": 100}, headers=admin)).json()["items"]
    [placeholder] = [user for user in listed if user["id"] == seen["ada"]]
    assert (placeholder["is_active"], placeholder["profile"]["display_name"]) == (False, "deleted user")


async def test_an_erased_account_is_never_re_enabled(api: Api) -> None:
    ada = await api.token_for(ADA_EMAIL)
    ada_id = (await api.client.get(ME, headers=ada)).json()["id"]
    assert (await erase(api, ada)).status_code == 204
    admin = await admin_headers(api)

    response = await api.client.patch(f"/api/v1/admin/users/{ada_id}", json={"is_active": True}, headers=admin)

    assert response.status_code == 409, response.text
    assert response.json()["field"] == "is_active"
    listed = (await api.client.get("/api/v1/admin/users", params={"limit": 100}, headers=admin)).json()["items"]
    assert [user["is_active"] for user in listed if user["id"] == ada_id] == [False]


async def _holders(api: Api, table: str) -> set[UUID]:
    """The user ids that have a row in ``table`` (one row per user), read as the schema's owner."""
    engine = create_engine(api.settings.schema_owner_url)
    try:
        async with engine.connect() as connection:
            # A UUID on PostgreSQL, its hex on SQLite: the same id either way.
            return {UUID(str(held)) for held in await connection.scalars(text(f'SELECT user_id FROM "{table}"'))}  # noqa: S608 - a fixed name
    finally:
        await engine.dispose()


async def test_erasure_removes_the_second_factor_and_the_notification_settings(api: Api) -> None:
    ada = await api.token_for(ADA_EMAIL)
    kwame = await api.token_for("kwame@example.org", role="mentor")
    secrets = []
    for who in (ada, kwame):
        secret, _codes = await turn_on_two_factor(api.client, who, api.clock.now())
        secrets.append(secret)
        changed = await api.client.patch(PREFERENCES, headers=who, json={"types": {"match": "off"}, "digest": "weekly"})
        assert changed.status_code == 200, changed.text
    ada_id, kwame_id = await user_id(api, ada), await user_id(api, kwame)
    # Positive control: both people's second factor and settings are stored, and the scan finds Ada's secret.
    assert await _holders(api, "two_factor_credentials") == {ada_id, kwame_id}
    assert await _holders(api, "notification_settings") == {ada_id, kwame_id}
    assert "two_factor_credentials.secret" in (await where_found(api, (secrets[0],)))[secrets[0]]

    assert (await erase(api, ada)).status_code == 204

    assert await _holders(api, "two_factor_credentials") == {kwame_id}
    assert await _holders(api, "notification_settings") == {kwame_id}
    assert await where_found(api, (secrets[0],)) == {secrets[0]: set()}
    kept = await api.client.get(PREFERENCES, headers=kwame)  # Kwame's stay as he set them
    assert (kept.status_code, kept.json()["digest"], kept.json()["types"]["match"]) == (200, "weekly", "off")
