"""Erasing an account made through GitHub (no password): a fresh GitHub sign-in confirms it, and what the
pushes of its repository left behind (progress events, webhook payloads naming the authors) goes too."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.helpers import Api
from tests.integration.test_erasure_api import erase, where_found
from tests.integration.test_github_api import (  # noqa: F401 - the fixtures of that module serve these tests
    _deliver,
    _github_learner,
    _linked_learner,
    api,
    github,
)
from tests.support.github_payloads import PUSHER_LOGIN, push_payload
from tests.support.github_server import FakeGithub

REPO = "amara-dev/python-exercises"
#: What identified the pusher: the login and the address GitHub gave, the name on the pushed commits.
IDENTIFIERS = (PUSHER_LOGIN, f"{PUSHER_LOGIN}@example.org", "Amara Okafor")


async def test_a_github_account_is_erased_with_a_fresh_sign_in_and_leaves_no_trace(
    api: Api,  # noqa: F811
    github: FakeGithub,  # noqa: F811
) -> None:
    headers, _roadmap = await _linked_learner(api, github)
    assert (await _deliver(api, "push", push_payload(REPO))).status_code == 202
    before = await where_found(api, IDENTIFIERS)
    assert "webhook_deliveries.payload" in before["Amara Okafor"], before  # positive control
    assert "users.email" in before[f"{PUSHER_LOGIN}@example.org"], before

    response = await erase(api, headers, {})

    assert response.status_code == 204, response.text
    assert await where_found(api, IDENTIFIERS) == {needle: set() for needle in IDENTIFIERS}


async def test_a_stale_github_sign_in_does_not_confirm_an_erasure(
    api: Api,  # noqa: F811
    github: FakeGithub,  # noqa: F811
) -> None:
    headers = await _github_learner(api, github)
    api.clock.advance(timedelta(minutes=11))  # the access token (15 minutes) still works; the sign-in is stale

    refused = await erase(api, headers, {})

    assert refused.status_code == 403, refused.text
    assert refused.json()["field"] == "password"
    assert (await api.client.get("/api/v1/users/me", headers=headers)).status_code == 200  # nothing erased
    fresh = await _github_learner(api, github)  # signing in with GitHub again
    assert (await erase(api, fresh, {})).status_code == 204
