"""A GitHub sign-up accepts the terms at the login's start; without them the account is made but writes
nothing until it accepts (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from tests.integration.helpers import Api
from tests.integration.test_github_api import api, github  # noqa: F401 - the fixtures of that module
from tests.support.github_server import FakeGithub
from tests.support.terms import TERMS_VERSION

ROADMAP = {"domain": "Python", "skill_level": "beginner", "time_availability": 6}


async def _sign_up(api: Api, github: FakeGithub, **params: Any) -> dict[str, str]:  # noqa: F811
    github.add_user(
        "gho_amara", 583231, "amara-dev", emails=[{"email": "a@example.org", "primary": True, "verified": True}]
    )
    started = await api.client.get("/api/v1/auth/github/login", params=params)
    assert started.status_code == 200, started.text
    code, state = github.approve(started.json()["authorization_url"], "gho_amara")
    response = await api.client.get(f"/api/v1/auth/github/callback?state={state}&code={code}")
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_a_github_sign_up_without_the_terms_writes_nothing_until_it_accepts(
    api: Api,  # noqa: F811
    github: FakeGithub,  # noqa: F811
) -> None:
    amara = await _sign_up(api, github)

    refused = await api.client.post("/api/v1/roadmaps", json=ROADMAP, headers=amara)

    assert refused.status_code == 403, refused.text
    assert refused.json()["type"].endswith("/consent-required")
    accepted = await api.client.patch(
        "/api/v1/users/me/consents", json={"accepted_terms_version": TERMS_VERSION}, headers=amara
    )
    assert accepted.status_code == 200, accepted.text
    assert (await api.client.post("/api/v1/roadmaps", json=ROADMAP, headers=amara)).status_code == 201


async def test_a_github_sign_up_that_accepted_the_terms_writes_at_once(
    api: Api,  # noqa: F811
    github: FakeGithub,  # noqa: F811
) -> None:
    amara = await _sign_up(api, github, accepted_terms_version=TERMS_VERSION)

    created = await api.client.post("/api/v1/roadmaps", json=ROADMAP, headers=amara)

    assert created.status_code == 201, created.text
    consents = (await api.client.get("/api/v1/users/me/consents", headers=amara)).json()
    assert [(c["kind"], c["version"]) for c in consents["consents"]] == [("terms", TERMS_VERSION)]


async def test_the_login_start_refuses_a_terms_version_not_in_force(api: Api) -> None:  # noqa: F811
    response = await api.client.get("/api/v1/auth/github/login", params={"accepted_terms_version": "1999-01-01"})

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "accepted_terms_version"
