"""The API holds to what its OpenAPI document says: bodies fit their types as sent (no coercion), ``?fields=``
names are stated, optional bodies are optional, and each rule the schema cannot state is in the operation's
description with its status documented."""

from __future__ import annotations

from typing import Any

import pytest

from skillbridge.adapters.http.unstated_rules import UNSTATED_RULES
from tests.integration.helpers import Api

pytestmark = pytest.mark.asyncio

CREATE = {"domain": "python", "skill_level": "beginner", "time_availability": 6}


async def _document(api: Api) -> dict[str, Any]:
    response = await api.client.get("/schema/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.mark.parametrize(
    ("field", "value"),
    [("low_bandwidth", 0), ("low_bandwidth", 1), ("low_bandwidth", "true"), ("time_availability", "6")],
)
async def test_a_value_of_another_type_is_refused_not_coerced(api: Api, field: str, value: object) -> None:
    headers = await api.token_for("learner@example.org")
    response = await api.client.post("/api/v1/roadmaps", json=CREATE | {field: value}, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == field
    # Positive control: the same body with values of the declared types is taken.
    response = await api.client.post("/api/v1/roadmaps", json=CREATE | {"low_bandwidth": True}, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["low_bandwidth"] is True


async def test_a_whole_number_written_with_a_fraction_is_an_integer_as_json_schema_says(api: Api) -> None:
    headers = await api.token_for("learner@example.org")
    response = await api.client.post("/api/v1/roadmaps", json=CREATE | {"time_availability": 6.0}, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["time_availability"] == 6
    response = await api.client.post("/api/v1/roadmaps", json=CREATE | {"time_availability": 6.5}, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "time_availability"


async def test_a_body_that_is_not_json_is_still_400(api: Api) -> None:
    headers = await api.token_for("learner@example.org")
    response = await api.client.post(
        "/api/v1/roadmaps", content=b"{not json", headers=headers | {"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text


async def test_the_fields_parameter_states_its_names_and_refuses_others(api: Api) -> None:
    document = await _document(api)
    [fields] = [p for p in document["paths"]["/api/v1/roadmaps/my"]["get"]["parameters"] if p["name"] == "fields"]
    assert "pattern" in fields["schema"]
    headers = await api.token_for("learner@example.org")
    response = await api.client.get("/api/v1/roadmaps/my", params={"fields": "domain, progress,"}, headers=headers)
    assert response.status_code == 200, response.text
    response = await api.client.get("/api/v1/roadmaps/my", params={"fields": "domain,secret"}, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "fields"


async def test_logout_documents_its_body_as_optional_and_takes_none(api: Api) -> None:
    document = await _document(api)
    assert document["paths"]["/api/v1/auth/logout"]["post"]["requestBody"]["required"] is False
    # A body the handler needs stays required.
    assert document["paths"]["/api/v1/roadmaps"]["post"]["requestBody"]["required"] is True
    headers = await api.token_for("learner@example.org")
    response = await api.client.post("/api/v1/auth/logout", headers=headers)
    assert response.status_code == 204, response.text


async def test_every_api_operation_documents_503_and_each_unstated_rule_is_described(api: Api) -> None:
    document = await _document(api)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path.startswith("/api/") and method in {"get", "post", "put", "patch", "delete"}:
                assert "503" in operation["responses"], (method, path)
    for (method, path), (status, rules) in UNSTATED_RULES.items():
        operation = document["paths"][path][method.lower()]
        assert rules in operation["description"], (method, path)
        assert str(status) in operation["responses"], (method, path)
    assert "503" in document["paths"]["/ready"]["get"]["responses"]


async def test_a_201_links_what_it_created_to_its_own_operations_only(api: Api) -> None:
    document = await _document(api)
    links = document["paths"]["/api/v1/forum/posts"]["post"]["responses"]["201"]["links"]
    assert {link["operationRef"] for link in links.values()} == {
        "#/paths/~1api~1v1~1forum~1posts~1{post_id}/get",
        "#/paths/~1api~1v1~1forum~1posts~1{post_id}/patch",
        "#/paths/~1api~1v1~1forum~1posts~1{post_id}/delete",
    }
    assert all(link["parameters"] == {"post_id": "$response.body#/id"} for link in links.values())
    # A block names a learner, not a block: its id would fill nothing.
    assert "links" not in document["paths"]["/api/v1/matches/blocks"]["post"]["responses"]["201"]
    # Every link points at an operation of the document.
    for item in document["paths"].values():
        for operation in item.values():
            for link in operation.get("responses", {}).get("201", {}).get("links", {}).values():
                path, method = link["operationRef"].removeprefix("#/paths/").rsplit("/", 1)
                assert method in document["paths"][path.replace("~1", "/").replace("~0", "~")]
