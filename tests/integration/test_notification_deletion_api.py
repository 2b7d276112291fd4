"""DELETE /notifications/{id}: the recipient's notification is shown nowhere after, and nobody else's can be
deleted (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.integration.helpers import Api, user_id
from tests.integration.test_notifications_api import _notify

MY = "/api/v1/notifications/my"


async def test_a_deleted_notification_leaves_the_list_and_the_unread_count(api: Api) -> None:
    ada = await api.token_for("ada@example.org")
    kept, gone = await _notify(api, await user_id(api, ada), 2)
    before = (await api.client.get(MY, headers=ada)).json()
    assert (before["total"], before["unread_count"]) == (2, 2)  # control

    response = await api.client.delete(f"/api/v1/notifications/{gone}", headers=ada)

    assert response.status_code == 204, response.text
    after = (await api.client.get(MY, headers=ada)).json()
    assert ([n["id"] for n in after["items"]], after["total"], after["unread_count"]) == ([str(kept)], 1, 1)
    assert (await api.client.patch(f"/api/v1/notifications/{gone}/read", headers=ada)).status_code == 404
    assert (await api.client.delete(f"/api/v1/notifications/{gone}", headers=ada)).status_code == 404  # gone already
    read_all = await api.client.post("/api/v1/notifications/read-all", headers=ada)
    assert read_all.json()["marked"] == 1  # the deleted one is not marked


async def test_nobody_deletes_someone_elses_notification(api: Api) -> None:
    ada = await api.token_for("ada@example.org")
    ben = await api.token_for("ben@example.org")
    [hers] = await _notify(api, await user_id(api, ada), 1)

    response = await api.client.delete(f"/api/v1/notifications/{hers}", headers=ben)

    assert response.status_code == 404
    assert [n["id"] for n in (await api.client.get(MY, headers=ada)).json()["items"]] == [str(hers)]


async def test_a_deleted_notification_is_not_replayed_after_a_cursor(api: Api) -> None:
    ada = await api.token_for("ada@example.org")
    first, gone, last = await _notify(api, await user_id(api, ada), 3)
    before = (await api.client.get(MY, params={"since": str(first)}, headers=ada)).json()
    assert [n["id"] for n in before["items"]] == [str(gone), str(last)]  # control: the cursor finds both

    assert (await api.client.delete(f"/api/v1/notifications/{gone}", headers=ada)).status_code == 204

    after = (await api.client.get(MY, params={"since": str(first)}, headers=ada)).json()
    assert [n["id"] for n in after["items"]] == [str(last)]
