"""A user who did everything the platform offers: what the export and the erasure tests start from."""

from __future__ import annotations

from typing import Any

from skillbridge.domain.matching.mentorship import MatchStatus
from tests.integration.helpers import Api, admin_headers, store_mentorship, user_id


async def did_everything(api: Api, **ada_profile: Any) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    """Ada: a roadmap, an active mentorship with Kwame, a chat message each, a progress note, a forum thread
    and an admin's badge (``ada_profile`` overrides her profile's fields). Returns Ada's and Kwame's headers
    and what the API answered on the way."""
    ada = await api.token_for("ada@example.org", **({"display_name": "Ada Lovelace"} | ada_profile))
    kwame = await api.token_for("kwame@example.org", role="mentor", display_name="Kwame")
    ada_id, kwame_id = str(await user_id(api, ada)), str(await user_id(api, kwame))
    roadmap = await api.client.post(
        "/api/v1/roadmaps", json={"domain": "Python", "skill_level": "beginner", "time_availability": 6}, headers=ada
    )
    assert roadmap.status_code == 201, roadmap.text
    await store_mentorship(api, await user_id(api, ada), await user_id(api, kwame), MatchStatus.ACTIVE)
    match = (await api.client.get("/api/v1/matches/my", headers=ada)).json()["items"][0]
    for who, text in ((ada, "hello mentor"), (kwame, "welcome, Ada")):
        sent = await api.client.post(f"/api/v1/matches/{match['id']}/chat", json={"content": text}, headers=who)
        assert sent.status_code == 201, sent.text
    note = {"roadmap_id": roadmap.json()["id"], "event_type": "note", "details": {"text": "recursion clicked"}}
    assert (await api.client.post("/api/v1/progress/log", json=note, headers=ada)).status_code == 201
    thread = await api.client.post(
        "/api/v1/forum/posts", json={"category": "python", "title": "Loops", "content": "for or while?"}, headers=ada
    )
    assert thread.status_code == 201, thread.text
    award = {"user_id": ada_id, "type": "community-hero", "reason": "kind answers"}
    awarded = await api.client.post("/api/v1/badges/award", json=award, headers=await admin_headers(api))
    assert awarded.status_code == 201, awarded.text
    seen = {"ada": ada_id, "kwame": kwame_id, "roadmap": roadmap.json()["id"], "match": match["id"]}
    return ada, kwame, seen | {"thread": thread.json()["id"]}
