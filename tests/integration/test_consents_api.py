"""Consent: registration accepts the terms version in force, optional consents are kept with their time and
version, and a new terms version holds every write until the account accepts it (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from skillbridge.main import Settings
from tests.integration.helpers import Api, admin_headers, api_with, register_body
from tests.support.terms import TERMS_VERSION

CONSENTS = "/api/v1/users/me/consents"
FLAG = "skillbridge-consent-required"
NEW_TERMS = "2027-01-01"
ROADMAP = {"domain": "Python", "skill_level": "beginner", "time_availability": 6}


@pytest.mark.parametrize("version", [None, "2020-01-01", ""])
async def test_registration_without_the_terms_in_force_is_422_naming_the_field(api: Api, version: str | None) -> None:
    body = register_body("ada@example.org")
    if version is None:
        del body["accepted_terms_version"]
    else:
        body["accepted_terms_version"] = version

    response = await api.client.post("/api/v1/auth/register", json=body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "accepted_terms_version"
    assert (await api.login_response("ada@example.org")).status_code == 401  # no account was made


async def test_registration_stores_the_terms_and_optional_consents_with_time_and_version(api: Api) -> None:
    registered_at = api.clock.now()
    body = register_body("ada@example.org") | {"consents": {"email_digest": True}}
    assert (await api.client.post("/api/v1/auth/register", json=body)).status_code == 201
    await api.verify_email("ada@example.org")
    ada = {"Authorization": f"Bearer {(await api.login('ada@example.org'))['access_token']}"}

    response = await api.client.get(CONSENTS, headers=ada)

    assert response.status_code == 200, response.text
    assert FLAG not in response.headers
    view = response.json()
    assert (view["terms_version"], view["accepted_terms_version"], view["consent_required"]) == (
        TERMS_VERSION,
        TERMS_VERSION,
        False,
    )
    assert [(c["kind"], c["granted"], c["version"]) for c in view["consents"]] == [
        ("terms", True, TERMS_VERSION),
        ("email_digest", True, TERMS_VERSION),
    ]
    assert {c["at"] for c in view["consents"]} == {registered_at.isoformat().replace("+00:00", "Z")}


async def test_optional_consents_change_with_their_time_and_a_repeat_changes_nothing(api: Api) -> None:
    ada = await api.token_for("ada@example.org")
    api.clock.advance(timedelta(minutes=5))
    changed_at = api.clock.now().isoformat().replace("+00:00", "Z")

    for _ in range(2):
        response = await api.client.patch(CONSENTS, json={"product_analytics": True}, headers=ada)
        assert response.status_code == 200, response.text
    api.clock.advance(timedelta(minutes=5))
    await api.client.patch(CONSENTS, json={"product_analytics": True}, headers=ada)

    consents = {c["kind"]: c for c in response.json()["consents"]}
    assert (consents["product_analytics"]["granted"], consents["product_analytics"]["at"]) == (True, changed_at)
    withdrawn = await api.client.patch(CONSENTS, json={"product_analytics": False}, headers=ada)
    assert {c["kind"]: c["granted"] for c in withdrawn.json()["consents"]}["product_analytics"] is False
    admin = await admin_headers(api)
    audit = await api.client.get("/api/v1/admin/audit", params={"action": "consent.changed"}, headers=admin)
    kinds = [(e["details"]["kind"], e["details"]["granted"]) for e in audit.json()["items"]]
    # Newest first: the withdrawal, the one grant (repeats are not changes), the registration's terms.
    assert kinds[:2] == [("product_analytics", False), ("product_analytics", True)]
    assert kinds.count(("product_analytics", True)) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"accepted_terms_version": "1999-01-01"}, "accepted_terms_version"),
        ({"terms": False}, "terms"),
        ({"email_digest": "yes"}, "email_digest"),
    ],
)
async def test_bad_consent_changes_are_422_naming_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    ada = await api.token_for("ada@example.org")

    response = await api.client.patch(CONSENTS, json=body, headers=ada)

    assert response.status_code == 422, response.text
    problem = response.json()
    assert field in {problem.get("field"), *(e["field"] for e in problem.get("errors", []))}, problem


async def test_a_new_terms_version_flags_every_response_and_holds_writes_until_accepted(
    api: Api, make_settings: Callable[..., Settings]
) -> None:
    await api.token_for("ada@example.org")  # accepted the terms of the first deployment
    async with api_with(make_settings, terms_version=NEW_TERMS) as later:
        ada = {"Authorization": f"Bearer {(await later.login('ada@example.org'))['access_token']}"}

        me = await later.client.get("/api/v1/users/me", headers=ada)
        assert (me.status_code, me.headers[FLAG]) == (200, "terms")  # reads go on, flagged
        refused = await later.client.post("/api/v1/roadmaps", json=ROADMAP, headers=ada)
        assert refused.status_code == 403, refused.text
        assert refused.json()["type"].endswith("/consent-required")
        assert refused.headers[FLAG] == "terms"
        stale = await later.client.patch(CONSENTS, json={"accepted_terms_version": TERMS_VERSION}, headers=ada)
        assert stale.status_code == 422  # accepting the old text does not count

        accepted = await later.client.patch(CONSENTS, json={"accepted_terms_version": NEW_TERMS}, headers=ada)

        assert accepted.status_code == 200, accepted.text
        assert (accepted.json()["accepted_terms_version"], accepted.json()["consent_required"]) == (NEW_TERMS, False)
        created = await later.client.post("/api/v1/roadmaps", json=ROADMAP, headers=ada)
        assert created.status_code == 201, created.text
        assert FLAG not in created.headers


async def test_while_consent_is_due_one_may_still_sign_out_and_erase(
    api: Api, make_settings: Callable[..., Settings]
) -> None:
    await api.token_for("ada@example.org")
    async with api_with(make_settings, terms_version=NEW_TERMS) as later:
        ada = {"Authorization": f"Bearer {(await later.login('ada@example.org'))['access_token']}"}
        assert (await later.client.post("/api/v1/roadmaps", json=ROADMAP, headers=ada)).status_code == 403  # control

        erased = await later.client.request(
            "DELETE", "/api/v1/users/me", json={"password": "kilimanjaro-sunrise-42"}, headers=ada
        )

        assert erased.status_code == 204, erased.text


async def test_an_empty_change_changes_nothing(api: Api) -> None:
    ada = await api.token_for("ada@example.org")
    before = (await api.client.get(CONSENTS, headers=ada)).json()

    response = await api.client.patch(CONSENTS, json={}, headers=ada)

    assert response.status_code == 200, response.text
    assert response.json() == before


async def test_while_consent_is_due_one_may_still_receive_less_and_secure_the_account(
    api: Api, make_settings: Callable[..., Settings]
) -> None:
    await api.token_for("ada@example.org")
    async with api_with(make_settings, terms_version=NEW_TERMS) as later:
        ada = {"Authorization": f"Bearer {(await later.login('ada@example.org'))['access_token']}"}
        assert (await later.client.post("/api/v1/roadmaps", json=ROADMAP, headers=ada)).status_code == 403  # control

        quieter = await later.client.patch(
            "/api/v1/users/me/notification-preferences", json={"digest": "off"}, headers=ada
        )
        secured = await later.client.post("/api/v1/auth/2fa/setup", headers=ada)

        assert quieter.status_code == 200, quieter.text
        assert quieter.json()["digest"] == "off"
        assert secured.status_code == 200, secured.text
