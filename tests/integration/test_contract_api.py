"""The API holds to what its OpenAPI document says: bodies fit their types as sent (no coercion), ``?fields=``
names are stated, optional bodies are optional, and each rule the schema cannot state is in the operation's
description with its status documented."""

from __future__ import annotations

from typing import Any

import pytest

from skillbridge.adapters.http.unstated_rules import UNSTATED_RULES
from tests.integration.helpers import Api
from tests.support.idempotent_operations import TAKING_IDEMPOTENCY_KEY

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


async def test_every_api_operation_documents_503_and_each_unstated_rule_is_described(
    openapi_document: dict[str, Any],
) -> None:
    document = openapi_document
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path.startswith("/api/") and method in {"get", "post", "put", "patch", "delete"}:
                assert "503" in operation["responses"], (method, path)
    for (method, path), (status, rules) in UNSTATED_RULES.items():
        operation = document["paths"][path][method.lower()]
        assert rules in operation["description"], (method, path)
        assert str(status) in operation["responses"], (method, path)
    assert "503" in document["paths"]["/ready"]["get"]["responses"]


async def test_a_201_links_what_it_created_to_its_own_operations_only(openapi_document: dict[str, Any]) -> None:
    document = openapi_document
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


#: Each operation's documented error statuses, written out from the rules in docs/api.md ("Errors each
#: operation documents"), not read from the code.
DOCUMENTED_ERRORS = [
    ("get", "/api/v1/badges", {429, 503}),  # public, nothing to fail
    ("get", "/api/v1/users/me", {401, 429, 503}),
    ("get", "/api/v1/places", {400, 422, 429, 503}),  # public; q is required (missing: 400)
    ("post", "/api/v1/auth/register", {400, 409, 413, 422, 429, 503}),  # public: never 401
    ("post", "/api/v1/auth/login", {400, 401, 409, 413, 422, 429, 503}),  # public, but checks credentials
    ("post", "/api/v1/integrations/github/webhook", {400, 401, 409, 413, 422, 429, 503}),
    ("get", "/api/v1/admin/users", {401, 403, 422, 429, 503}),  # admins only
    ("get", "/api/v1/matches/blocks", {401, 403, 422, 429, 503}),  # mentors only
    ("get", "/api/v1/roadmaps/{roadmap_id}", {401, 404, 422, 429, 503}),
    ("delete", "/api/v1/auth/sessions/{session_id}", {401, 404, 409, 422, 429, 503}),  # outside the consent gate
    ("post", "/api/v1/auth/logout-all", {401, 409, 422, 429, 503}),  # no body; 409/422 of its Idempotency-Key
    ("delete", "/api/v1/users/me", {400, 401, 403, 409, 413, 422, 429, 503}),  # erasure may be refused (403)
    ("post", "/api/v1/progress/log", {400, 401, 403, 404, 409, 413, 422, 429, 503}),  # roadmap_id may be unknown
    ("patch", "/api/v1/forum/posts/{post_id}", {400, 401, 403, 404, 409, 413, 422, 429, 503}),
]


@pytest.mark.parametrize(("method", "path", "statuses"), DOCUMENTED_ERRORS)
async def test_each_operation_documents_the_errors_it_can_give_and_no_others(
    openapi_document: dict[str, Any], method: str, path: str, statuses: set[int]
) -> None:
    responses = openapi_document["paths"][path][method]["responses"]
    assert {int(status) for status in responses if status[0] in "45"} == statuses


async def test_exactly_the_operations_taking_an_idempotency_key_document_it(openapi_document: dict[str, Any]) -> None:
    document = openapi_document
    documented = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            keys = [p for p in operation.get("parameters", []) if p["name"] == "Idempotency-Key"]
            successes = [response for status, response in operation["responses"].items() if status[0] == "2"]
            replayed = [response for response in successes if "Idempotent-Replayed" in response.get("headers", {})]
            if keys:
                documented.add((method.upper(), path))
                [key] = keys
                assert key["in"] == "header" and key["required"] is False, (method, path)
                assert key["schema"] == {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"}
                assert replayed == successes and successes, (method, path)
                assert "Idempotency-Key names one request" in operation["description"], (method, path)
                assert {"409", "422"} <= set(operation["responses"]), (method, path)
            else:
                assert replayed == [], (method, path)
    assert documented == TAKING_IDEMPOTENCY_KEY


@pytest.mark.parametrize(
    ("key", "status"),
    [("k" * 255, 201), ("~!" + "x" * 30, 201), ("k" * 256, 422), ("two words", 422), ("café".encode(), 422)],
)
async def test_the_idempotency_key_limits_the_document_states_are_those_enforced(
    api: Api, key: str | bytes, status: int
) -> None:
    # The schema says 1-255 of "!" to "~" (visible ASCII); the server takes exactly those.
    headers: dict[str, str | bytes] = {**await api.token_for("learner@example.org"), "Idempotency-Key": key}
    response = await api.client.post("/api/v1/roadmaps", json=CREATE, headers=headers)
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["field"] == "Idempotency-Key"


@pytest.mark.parametrize(
    ("query", "name", "word"),
    [
        ("min_hours=1&min_hours=9", "min_hours", "int"),
        ("language=en&language=sw", "language", "str"),
        ("has_free_capacity=true&has_free_capacity=false", "has_free_capacity", "bool"),
        ("limit=5&skills=python&limit=5", "limit", "int"),
    ],
)
async def test_a_query_parameter_of_one_value_given_twice_is_refused(
    api: Api, query: str, name: str, word: str
) -> None:
    headers = await api.token_for("ada@example.org")
    once = await api.client.get(f"/api/v1/users/mentors?{query.split('&', maxsplit=1)[0]}", headers=headers)
    assert once.status_code == 200, once.text  # positive control: each value alone is fine
    twice = await api.client.get(f"/api/v1/users/mentors?{query}", headers=headers)
    assert twice.status_code == 422, twice.text
    problem = twice.json()
    assert problem["field"] == name
    assert problem["errors"][0]["message"] == f"expected {word}, got array"


async def test_a_list_parameter_may_be_repeated(api: Api) -> None:
    headers = await api.token_for("ada@example.org")
    repeated = await api.client.get("/api/v1/users/mentors?skills=python&skills=sql", headers=headers)
    assert repeated.status_code == 200, repeated.text


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/api/v1/users/mentors", {"GET", "OPTIONS"}),
        ("/api/v1/forum/posts", {"GET", "POST", "OPTIONS"}),
        ("/api/v1/roadmaps", {"POST", "OPTIONS"}),
    ],
)
async def test_options_with_a_repeated_query_parameter_lists_the_methods(
    api: Api, path: str, methods: set[str]
) -> None:
    # Litestar answers OPTIONS itself; the check for repeated query parameters must leave those answers alone.
    answer = await api.client.options(f"{path}?limit=5&limit=6")
    assert answer.status_code == 204, answer.text
    assert {method.strip() for method in answer.headers["allow"].split(",")} == methods
