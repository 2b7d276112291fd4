"""The notification API on SQLite and PostgreSQL: one's own list (unread filter, pages, total), marking
one or all read, and every rule tried with another user's notification and without a token."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

import pytest

from skillbridge.adapters.persistence.sqlalchemy import create_engine
from skillbridge.application.notifications.notifier import Notifier
from skillbridge.domain.notifications.model import NotificationType
from tests.integration.helpers import Api
from tests.support.units import system_unit

pytestmark = pytest.mark.asyncio


async def _user_id(api: Api, headers: dict[str, str]) -> UUID:
    return UUID((await api.client.get("/api/v1/users/me", headers=headers)).json()["id"])


async def _notify(api: Api, recipient: UUID, count: int) -> list[UUID]:
    """Store notifications directly, as another use case would through the Notifier."""
    engine = create_engine(api.settings.schema_owner_url)
    ids = []
    try:
        async with system_unit(engine) as uow:
            for index in range(count):
                api.clock.advance(timedelta(seconds=1))
                notifier = Notifier(api.clock)
                stored = await notifier.notify(
                    uow, recipient, NotificationType.MATCH, f"news {index}", {"match_id": str(uuid4())}
                )
                ids.append(stored.id)
            await uow.commit()
    finally:
        await engine.dispose()
    return ids


async def test_my_notifications_newest_first_with_unread_filter_and_pages(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    ids = await _notify(api, await _user_id(api, headers), 3)
    response = await api.client.get("/api/v1/notifications/my", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["total"], body["unread_count"], body["limit"], body["offset"]) == (3, 3, 20, 0)
    assert [item["id"] for item in body["items"]] == [str(i) for i in reversed(ids)]
    first = body["items"][0]
    assert first["type"] == "match"
    assert first["message"] == "news 2"
    assert first["read"] is False
    assert first["read_at"] is None
    assert set(first["payload"]) == {"match_id"}

    read = await api.client.patch(f"/api/v1/notifications/{ids[0]}/read", headers=headers)
    assert read.status_code == 200, read.text
    assert read.json()["read"] is True
    assert datetime.fromisoformat(read.json()["read_at"]) == api.clock.now()

    unread = (await api.client.get("/api/v1/notifications/my?unread=true&limit=1", headers=headers)).json()
    assert (unread["total"], unread["unread_count"], len(unread["items"])) == (2, 2, 1)
    assert unread["items"][0]["id"] == str(ids[2])
    second_page = (await api.client.get("/api/v1/notifications/my?limit=2&offset=2", headers=headers)).json()
    assert [item["id"] for item in second_page["items"]] == [str(ids[0])]


async def test_read_all_marks_only_ones_own_unread_notifications(api: Api) -> None:
    amara = await api.token_for("amara@example.org")
    kofi = await api.token_for("kofi@example.org")
    await _notify(api, await _user_id(api, amara), 2)
    await _notify(api, await _user_id(api, kofi), 1)
    response = await api.client.post("/api/v1/notifications/read-all", headers=amara)
    assert response.status_code == 200, response.text
    assert response.json() == {"marked": 2}
    assert (await api.client.post("/api/v1/notifications/read-all", headers=amara)).json() == {"marked": 0}
    assert (await api.client.get("/api/v1/notifications/my", headers=amara)).json()["unread_count"] == 0
    assert (await api.client.get("/api/v1/notifications/my", headers=kofi)).json()["unread_count"] == 1


async def test_another_users_notification_does_not_exist_for_the_caller(api: Api) -> None:
    amara = await api.token_for("amara@example.org")
    kofi = await api.token_for("kofi@example.org")
    (theirs,) = await _notify(api, await _user_id(api, amara), 1)
    response = await api.client.patch(f"/api/v1/notifications/{theirs}/read", headers=kofi)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (await api.client.get("/api/v1/notifications/my", headers=kofi)).json()["total"] == 0
    # ... and it stayed unread for its recipient.
    assert (await api.client.get("/api/v1/notifications/my", headers=amara)).json()["unread_count"] == 1
    assert (await api.client.patch(f"/api/v1/notifications/{uuid4()}/read", headers=amara)).status_code == 404


async def test_every_notification_route_needs_a_token(api: Api) -> None:
    routes = [
        ("GET", "/api/v1/notifications/my"),
        ("PATCH", f"/api/v1/notifications/{uuid4()}/read"),
        ("POST", "/api/v1/notifications/read-all"),
    ]
    for method, path in routes:
        response = await api.client.request(method, path)
        assert response.status_code == 401, (method, path)
    bad = await api.client.get("/api/v1/notifications/my", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


async def test_bad_paging_is_a_validation_error(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    response = await api.client.get("/api/v1/notifications/my?limit=0", headers=headers)
    assert response.status_code == 422  # a query parameter out of its range: validation, not a malformed body
    assert response.json()["field"] == "limit"
    assert (await api.client.get("/api/v1/notifications/my?limit=1", headers=headers)).status_code == 200


async def test_since_pages_forward_through_everything_after_an_id(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    ids = await _notify(api, await _user_id(api, headers), 5)
    seen: list[str] = []
    since = str(ids[0])
    for expected_total in (4, 2):
        page = await api.client.get("/api/v1/notifications/my", params={"since": since, "limit": 2}, headers=headers)
        assert page.status_code == 200, page.text
        body = page.json()
        assert body["total"] == expected_total
        seen += [item["id"] for item in body["items"]]
        since = body["next_since"]
    # Stored while the client pages: it comes next, neither skipped nor repeated.
    ids += await _notify(api, await _user_id(api, headers), 1)
    last = await api.client.get("/api/v1/notifications/my", params={"since": since, "limit": 2}, headers=headers)
    seen += [item["id"] for item in last.json()["items"]]
    assert seen == [str(i) for i in ids[1:]]
    caught_up = await api.client.get(
        "/api/v1/notifications/my", params={"since": last.json()["next_since"]}, headers=headers
    )
    assert (caught_up.json()["items"], caught_up.json()["next_since"]) == ([], last.json()["next_since"])
    # Without since: newest first, and no cursor.
    plain = (await api.client.get("/api/v1/notifications/my", headers=headers)).json()
    assert plain["next_since"] is None
    assert plain["items"][0]["id"] == str(ids[-1])


async def test_since_lists_only_ones_own_whatever_id_it_names(api: Api) -> None:
    amara = await api.token_for("amara@example.org")
    kofi = await api.token_for("kofi@example.org")
    mine = await _notify(api, await _user_id(api, amara), 1)
    his = await _notify(api, await _user_id(api, kofi), 2)
    # Kofi's first id as Amara's cursor: it marks a moment; none of Kofi's notifications come with it.
    page = await api.client.get("/api/v1/notifications/my", params={"since": str(his[0])}, headers=amara)
    assert page.status_code == 200
    assert page.json()["items"] == []
    # Positive control: from before everything, Amara gets exactly her own.
    everything = await api.client.get(
        "/api/v1/notifications/my", params={"since": str(UUID(int=7 << 76 | 0b10 << 62))}, headers=amara
    )
    assert [item["id"] for item in everything.json()["items"]] == [str(mine[0])]
    assert (await api.client.get("/api/v1/notifications/my", params={"since": str(mine[0])})).status_code == 401


@pytest.mark.parametrize(
    "since",
    ["not-a-uuid", str(uuid4())],  # a random (version 4) UUID is not a notification id either
    ids=["not-a-uuid", "uuid4"],
)
async def test_a_bad_since_is_refused_naming_it(api: Api, since: str) -> None:
    headers = await api.token_for("amara@example.org")
    response = await api.client.get("/api/v1/notifications/my", params={"since": since}, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "since"


async def test_offset_skips_within_those_after_since(api: Api) -> None:
    headers = await api.token_for("amara@example.org")
    ids = await _notify(api, await _user_id(api, headers), 4)
    params = {"since": str(ids[0]), "offset": 1, "limit": 2}
    body = (await api.client.get("/api/v1/notifications/my", params=params, headers=headers)).json()
    assert [item["id"] for item in body["items"]] == [str(ids[2]), str(ids[3])]
    assert (body["total"], body["offset"], body["next_since"]) == (3, 1, str(ids[3]))
