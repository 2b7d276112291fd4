"""The forum API on SQLite and PostgreSQL: threads and replies, search, reply trees in a bounded number of
queries, edits with optimistic locking, soft deletion and moderation, reply notifications, and every
access rule tried with the wrong user, the wrong role and no token."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import event

from skillbridge.adapters.persistence.sqlalchemy import SqlaUnitOfWork, create_engine, create_session_factory
from skillbridge.application.accounts.administration import CreateAdmin
from skillbridge.application.accounts.principal import Principal
from skillbridge.application.forum.reading import GetPost, PostTree
from skillbridge.domain.accounts.roles import Role
from skillbridge.domain.forum.model import ForumPost
from skillbridge.main import build_container
from tests.integration.helpers import PASSWORD, Api
from tests.support.two_factor import turn_on_two_factor
from tests.support.units import system_unit

pytestmark = pytest.mark.asyncio

POSTS = "/api/v1/forum/posts"
THREAD = {"category": "Python", "title": "Reading CSV files", "content": "<p>How do I read a <em>CSV</em>?</p>"}


async def _admin_headers(api: Api) -> dict[str, str]:
    container = build_container(api.settings)
    try:
        async with container() as request:
            await (await request.get(CreateAdmin))("root@example.org", PASSWORD, "Root")
    finally:
        await container.close()
    headers = {"Authorization": f"Bearer {(await api.login('root@example.org'))['access_token']}"}
    await turn_on_two_factor(api.client, headers, api.clock.now())
    return headers


async def _post(api: Api, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = await api.client.post(POSTS, json=body or THREAD, headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def _reply(api: Api, headers: dict[str, str], parent: dict[str, Any], content: str = "csv") -> dict[str, Any]:
    return await _post(api, headers, parent_id=parent["id"], content=f"<p>{content}</p>")


async def _notifications(api: Api, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await api.client.get("/api/v1/notifications/my", headers=headers)).json()["items"]
    return items


async def test_a_thread_is_created_sanitised_with_location_and_etag(api: Api) -> None:
    headers = await api.token_for("amara@example.org", display_name="Amara")
    body = {**THREAD, "content": '<p onclick="x()">Hi <a href="javascript:alert(1)">x</a><script>alert(1)</script></p>'}
    response = await api.client.post(POSTS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"{POSTS}/{created['id']}"
    assert response.headers["etag"].startswith('"v1-')
    assert created["category"] == "python"
    assert created["title"] == "Reading CSV files"
    assert created["content"] == '<p>Hi <a rel="nofollow noopener noreferrer">x</a></p>'
    assert (created["parent_id"], created["thread_id"], created["is_deleted"]) == (None, created["id"], False)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "python", "content": "<p>blank title</p>", "title": " "}, "title"),
        ({"title": "no category", "content": "<p>x</p>"}, "category"),
        ({**THREAD, "title": "x" * 201}, "title"),
        ({**THREAD, "title": "<b></b>"}, "title"),
        ({**THREAD, "content": "<script>alert(1)</script>"}, "content"),
        ({**THREAD, "content": "<p>" + "x" * 20_000 + "</p>"}, "content"),
        ({**THREAD, "category": "***"}, "category"),
        ({**THREAD, "content": ""}, "content"),
        ({**THREAD, "pinned": True}, "pinned"),
    ],
)
async def test_invalid_posts_are_refused_with_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    headers = await api.token_for("amara@example.org")
    response = await api.client.post(POSTS, json=body, headers=headers)
    # All are JSON of the wrong shape or breaking a rule: 422 (400 is only for a body that is not JSON).
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


async def test_replies_notify_the_parents_author_never_oneself(api: Api) -> None:
    amara = await api.token_for("amara@example.org", display_name="Amara")
    kofi = await api.token_for("kofi@example.org", display_name="Kofi")
    thread = await _post(api, amara)
    reply = await _reply(api, kofi, thread)
    assert (reply["title"], reply["category"], reply["thread_id"]) == (None, "python", thread["id"])
    await _reply(api, amara, reply, "thanks")
    await _reply(api, amara, thread, "my own thread")
    (to_amara,) = await _notifications(api, amara)
    assert to_amara["type"] == "forum_reply"
    assert to_amara["message"] == "Kofi replied to your thread"
    assert to_amara["payload"]["post_id"] == reply["id"]
    assert to_amara["payload"]["thread_id"] == thread["id"]
    (to_kofi,) = await _notifications(api, kofi)
    assert to_kofi["message"] == "Amara replied to your post"

    titled = await api.client.post(
        POSTS, json={"parent_id": thread["id"], "title": "x", "content": "<p>x</p>"}, headers=kofi
    )
    assert (titled.status_code, titled.json()["field"]) == (422, "title")
    unknown = await api.client.post(POSTS, json={"parent_id": str(uuid4()), "content": "<p>x</p>"}, headers=kofi)
    assert (unknown.status_code, unknown.json()["field"]) == (422, "parent_id")


async def test_the_tree_of_a_thread_and_of_a_reply(api: Api) -> None:
    amara = await api.token_for("amara@example.org", display_name="Amara")
    kofi = await api.token_for("kofi@example.org", display_name="Kofi")
    thread = await _post(api, amara)
    first = await _reply(api, kofi, thread, "first")
    second = await _reply(api, amara, thread, "second")
    nested = await _reply(api, amara, first, "nested")
    response = await api.client.get(f"{POSTS}/{thread['id']}", headers=kofi)
    assert response.status_code == 200, response.text
    tree = response.json()
    assert tree["author_name"] == "Amara"
    assert [reply["id"] for reply in tree["replies"]] == [first["id"], second["id"]]
    assert tree["replies"][0]["author_name"] == "Kofi"
    assert [reply["id"] for reply in tree["replies"][0]["replies"]] == [nested["id"]]
    assert tree["replies"][0]["replies"][0]["replies"] == []
    again = await api.client.get(f"{POSTS}/{thread['id']}", headers={**kofi, "If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    subtree = (await api.client.get(f"{POSTS}/{first['id']}", headers=kofi)).json()
    assert (subtree["id"], [r["id"] for r in subtree["replies"]]) == (first["id"], [nested["id"]])
    assert (await api.client.get(f"{POSTS}/{uuid4()}", headers=kofi)).status_code == 404


async def test_list_search_category_and_pages(api: Api) -> None:
    amara = await api.token_for("amara@example.org", display_name="Amara")
    csv = await _post(api, amara)
    pandas = await _post(api, amara, category="python", title="Pandas and CSV", content="<p>dataframes</p>")
    js = await _post(api, amara, category="JavaScript", title="Promises", content="<p>async code</p>")
    await _reply(api, amara, csv, "answer")
    listing = (await api.client.get(POSTS, headers=amara)).json()
    assert listing["total"] == 3
    assert {item["id"] for item in listing["items"]} == {csv["id"], pandas["id"], js["id"]}
    by_id = {item["id"]: item for item in listing["items"]}
    assert by_id[csv["id"]]["reply_count"] == 1
    assert by_id[csv["id"]]["author_name"] == "Amara"
    assert by_id[js["id"]]["reply_count"] == 0

    async def found(**params: Any) -> set[str]:
        response = await api.client.get(POSTS, params=params, headers=amara)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert await found(q="csv") == {csv["id"], pandas["id"]}
    assert await found(q="csv dataframes") == {pandas["id"]}
    assert await found(category="javascript") == {js["id"]}
    assert await found(category="Python", q="promises") == set()
    assert await found(q="   ") == {csv["id"], pandas["id"], js["id"]}
    page = (await api.client.get(POSTS, params={"limit": 1, "offset": 1}, headers=amara)).json()
    assert (page["total"], len(page["items"])) == (3, 1)
    bad = await api.client.get(POSTS, params={"category": "!!"}, headers=amara)
    assert (bad.status_code, bad.json()["field"]) == (422, "category")


async def test_only_the_author_edits_and_stale_versions_conflict(api: Api) -> None:
    amara = await api.token_for("amara@example.org")
    kofi = await api.token_for("kofi@example.org")
    admin = await _admin_headers(api)
    created = await api.client.post(POSTS, json=THREAD, headers=amara)
    thread = created.json()
    path = f"{POSTS}/{thread['id']}"
    for wrong in (kofi, admin):
        response = await api.client.patch(path, json={"content": "<p>hijacked</p>"}, headers=wrong)
        assert response.status_code == 403, response.text
    edited = await api.client.patch(
        path, json={"title": "Reading CSV in Python"}, headers={**amara, "If-Match": created.headers["etag"]}
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["title"], edited.json()["version"]) == ("Reading CSV in Python", 2)
    stale_header = await api.client.patch(
        path, json={"content": "<p>stale</p>"}, headers={**amara, "If-Match": created.headers["etag"]}
    )
    assert stale_header.status_code == 409
    stale_body = await api.client.patch(path, json={"content": "<p>stale</p>", "version": 1}, headers=amara)
    assert (stale_body.status_code, stale_body.json()["field"]) == (409, "version")
    fresh = await api.client.patch(path, json={"content": "<p>fresh</p>", "version": 2}, headers=amara)
    assert (fresh.status_code, fresh.json()["content"]) == (200, "<p>fresh</p>")
    nothing = await api.client.patch(path, json={}, headers=amara)
    assert nothing.status_code == 422
    assert (await api.client.patch(f"{POSTS}/{uuid4()}", json={"content": "x"}, headers=amara)).status_code == 404


async def test_deletion_by_author_and_admin_keeps_the_shape_and_admin_is_audited(api: Api) -> None:
    amara = await api.token_for("amara@example.org")
    kofi = await api.token_for("kofi@example.org")
    mentor = await api.token_for("mentor@example.org", role="mentor")
    admin = await _admin_headers(api)
    thread = await _post(api, amara)
    reply = await _reply(api, kofi, thread)
    answer = await _reply(api, amara, reply, "under the reply")
    for wrong in (amara, mentor):
        assert (await api.client.delete(f"{POSTS}/{reply['id']}", headers=wrong)).status_code == 403
    assert (await api.client.delete(f"{POSTS}/{reply['id']}", headers=kofi)).status_code == 204
    assert (await api.client.delete(f"{POSTS}/{reply['id']}", headers=kofi)).status_code == 204  # idempotent
    assert (await api.client.delete(f"{POSTS}/{thread['id']}", headers=admin)).status_code == 204
    assert (await api.client.delete(f"{POSTS}/{uuid4()}", headers=admin)).status_code == 404

    tree = (await api.client.get(f"{POSTS}/{thread['id']}", headers=kofi)).json()
    assert (tree["is_deleted"], tree["title"], tree["content"]) == (True, None, None)
    (gone,) = tree["replies"]
    assert (gone["id"], gone["is_deleted"], gone["content"]) == (reply["id"], True, None)
    assert [r["id"] for r in gone["replies"]] == [answer["id"]]
    listed = (await api.client.get(POSTS, headers=kofi)).json()["items"]
    assert [(item["id"], item["is_deleted"], item["reply_count"]) for item in listed] == [(thread["id"], True, 2)]

    refused = await api.client.post(POSTS, json={"parent_id": reply["id"], "content": "<p>x</p>"}, headers=amara)
    assert refused.status_code == 409
    edit_deleted = await api.client.patch(f"{POSTS}/{reply['id']}", json={"content": "<p>x</p>"}, headers=kofi)
    assert edit_deleted.status_code == 409

    engine = create_engine(api.settings.schema_owner_url)
    try:
        async with system_unit(engine) as uow:
            audited = await uow.audit.list_for_subject("forum_post", thread["id"])
            by_author = await uow.audit.list_for_subject("forum_post", reply["id"])
    finally:
        await engine.dispose()
    assert [entry.action for entry in audited] == ["forum.post_deleted"]
    assert audited[0].details["author_id"] == thread["author_id"]
    assert by_author == []


async def test_every_forum_route_needs_a_token(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    thread = await _post(api, headers)
    path = f"{POSTS}/{thread['id']}"
    routes = [
        ("POST", POSTS, THREAD),
        ("GET", POSTS, None),
        ("GET", path, None),
        ("PATCH", path, {"content": "<p>x</p>"}),
        ("DELETE", path, None),
    ]
    for method, url, body in routes:
        for auth in ({}, {"Authorization": "Bearer forged"}):
            response = await api.client.request(method, url, json=body, headers=auth)
            assert response.status_code == 401, (method, url, auth)
    assert (await api.client.get(path, headers=headers)).json()["is_deleted"] is False


def _queries(statements: list[str]) -> list[str]:
    """``statements`` but the tag the unit of work's first statement on PostgreSQL puts on its connection
    (the acting user): not a query."""
    return [statement for statement in statements if "set_config" not in statement]


async def _read_counting_statements(api: Api, thread: dict[str, Any]) -> tuple[PostTree, list[str]]:
    """``GetPost`` of ``thread`` on an engine of its own, and every statement its second call sent, as the
    driver saw them (a block that only reads sends its reads straight to the driver, past SQLAlchemy's
    events). The first call warms the connection: asyncpg looks a parameter's type up once per connection."""
    engine = create_engine(api.settings.schema_owner_url)
    statements: list[str] = []

    def log_queries(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(lambda query: statements.append(query.query))

    if engine.dialect.name == "postgresql":
        event.listen(engine.sync_engine.pool, "connect", log_queries)
    else:  # no direct reads there: SQLAlchemy sees every statement
        event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    read = GetPost(SqlaUnitOfWork(create_session_factory(engine)))
    author = Principal(UUID(thread["author_id"]), Role.LEARNER, email_verified=True)
    try:
        warm = await read(author, UUID(thread["id"]))
        await asyncio.sleep(0)  # asyncpg hands its query loggers each query on the loop's next turn
        statements.clear()
        tree = await read(author, UUID(thread["id"]))
        await asyncio.sleep(0)
    finally:
        await engine.dispose()
    assert tree == warm
    return tree, statements


async def test_a_thread_tree_takes_three_queries_whatever_its_size(api: Api) -> None:
    amara = await api.token_for("amara@example.org", display_name="Amara")
    kofi = await api.token_for("kofi@example.org", display_name="Kofi")
    thread = await _post(api, amara)
    posts = [thread]
    chooser = random.Random(6)
    for index in range(60):
        posts.append(await _reply(api, (amara, kofi)[index % 2], chooser.choice(posts), f"reply {index}"))
    tree, statements = await _read_counting_statements(api, thread)
    assert sum(1 for _ in tree.node.walk()) == 61
    selects = [s for s in _queries(statements) if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 3, selects  # the post, a page of replies with their total, the authors' names


async def _store_replies(api: Api, thread: dict[str, Any], count: int, *, chain: bool = False) -> list[ForumPost]:
    """``count`` replies straight through the repository (the API would take minutes), each under a
    random recent post (or, with ``chain``, under the previous one), with the depth the use case gives."""
    engine = create_engine(api.settings.schema_owner_url)
    chooser = random.Random(9)
    root = ForumPost(
        UUID(thread["author_id"]), "python", "x", datetime.now(UTC), datetime.now(UTC), id=UUID(thread["id"])
    )
    posts = [root]
    try:
        async with system_unit(engine) as uow:
            start = datetime.now(UTC)
            for index in range(count):
                parent = posts[-1] if chain else chooser.choice(posts[-50:])
                at = start + timedelta(milliseconds=index)
                reply = ForumPost(
                    root.author_id,
                    "python",
                    f"<p>reply {index}</p>",
                    at,
                    at,
                    parent_id=parent.id,
                    root_id=root.id,
                    depth=min(parent.depth + 1, 50),
                )
                await uow.forum_posts.add(reply)
                if chain or reply.depth < 50:
                    posts.append(reply)
            await uow.commit()
    finally:
        await engine.dispose()
    return posts


async def test_a_thread_of_a_thousand_replies_answers_with_a_bounded_page(api: Api) -> None:
    amara = await api.token_for("amara@example.org", display_name="Amara")
    thread = await _post(api, amara)
    await _store_replies(api, thread, 1000)

    first = await api.client.get(f"{POSTS}/{thread['id']}", headers=amara)
    later = await api.client.get(f"{POSTS}/{thread['id']}", params={"replies_offset": 950}, headers=amara)
    too_many = await api.client.get(f"{POSTS}/{thread['id']}", params={"replies_limit": 101}, headers=amara)

    def count(node: dict[str, Any]) -> int:
        return sum(1 + count(child) for child in node["replies"])

    assert first.status_code == 200, first.text
    assert (first.json()["replies_total"], first.json()["replies_limit"], count(first.json())) == (1000, 100, 100)
    assert later.status_code == 200, later.text
    assert (later.json()["replies_offset"], count(later.json())) == (950, 50)
    assert too_many.status_code == 422, too_many.text
    tree, statements = await _read_counting_statements(api, thread)
    assert sum(1 for _ in tree.node.walk()) == 101
    assert len(_queries(statements)) == 3, statements


async def test_the_nesting_limit_reads_the_stored_depth_not_the_thread(api: Api) -> None:
    amara = await api.token_for("amara@example.org", display_name="Amara")
    thread = await _post(api, amara)
    posts = await _store_replies(api, thread, 50, chain=True)
    deepest, below_limit = posts[50], posts[49]

    refused = await api.client.post(POSTS, json={"parent_id": str(deepest.id), "content": "deep"}, headers=amara)
    accepted = await api.client.post(POSTS, json={"parent_id": str(below_limit.id), "content": "deep"}, headers=amara)

    assert deepest.depth == 50
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "parent_id"
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["depth"] == 50
