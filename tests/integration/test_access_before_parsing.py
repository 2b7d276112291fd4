"""Who may call each operation is decided before its body or query is read.

The table below is the rule book, written out by hand: every operation of the OpenAPI document must be in
it (a new route fails the first test until someone says who may call it). Then every protected operation is
called anonymously, and every role-restricted one with a wrong role, with a malformed body and an invalid
query: the answer is 401 or 403, never 400 or 422, which would tell an outsider how the body is validated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest
from litestar.testing import AsyncTestClient

from skillbridge.main import Settings
from tests.integration.helpers import Api, admin_headers
from tests.support.apps import build_test_app

PUBLIC = "public"
SIGNED_IN = "signed-in"
ADMIN = "admin"
LEARNER = "learner"
MENTOR = "mentor"

ACCESS: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/auth/register"): PUBLIC,
    ("POST", "/api/v1/auth/login"): PUBLIC,
    ("POST", "/api/v1/auth/refresh"): PUBLIC,
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("POST", "/api/v1/auth/password/forgot"): PUBLIC,
    ("POST", "/api/v1/auth/password/reset"): PUBLIC,
    ("POST", "/api/v1/auth/password/change"): SIGNED_IN,
    ("POST", "/api/v1/auth/email/verify"): PUBLIC,
    ("POST", "/api/v1/auth/email/resend"): SIGNED_IN,
    ("GET", "/api/v1/auth/sessions"): SIGNED_IN,
    ("DELETE", "/api/v1/auth/sessions/{session_id}"): SIGNED_IN,
    ("POST", "/api/v1/auth/logout-all"): SIGNED_IN,
    ("POST", "/api/v1/auth/2fa/setup"): SIGNED_IN,
    ("POST", "/api/v1/auth/2fa/enable"): SIGNED_IN,
    ("POST", "/api/v1/auth/2fa/disable"): SIGNED_IN,
    ("POST", "/api/v1/auth/2fa/verify"): PUBLIC,
    ("GET", "/api/v1/auth/github/login"): PUBLIC,
    ("GET", "/api/v1/auth/github/callback"): PUBLIC,
    ("GET", "/api/v1/users/me"): SIGNED_IN,
    ("PATCH", "/api/v1/users/me"): SIGNED_IN,
    ("GET", "/api/v1/users/me/export"): SIGNED_IN,
    ("DELETE", "/api/v1/users/me"): SIGNED_IN,
    ("GET", "/api/v1/users/me/consents"): SIGNED_IN,
    ("PATCH", "/api/v1/users/me/consents"): SIGNED_IN,
    ("GET", "/api/v1/users/mentors"): SIGNED_IN,
    ("GET", "/api/v1/places"): PUBLIC,
    ("GET", "/api/v1/admin/users"): ADMIN,
    ("PATCH", "/api/v1/admin/users/{user_id}"): ADMIN,
    ("GET", "/api/v1/admin/audit"): ADMIN,
    ("GET", "/api/v1/admin/jobs/failed"): ADMIN,
    ("POST", "/api/v1/admin/jobs/failed/{failed_job_id}/retry"): ADMIN,
    ("POST", "/api/v1/roadmaps"): SIGNED_IN,
    ("GET", "/api/v1/roadmaps/my"): SIGNED_IN,
    ("GET", "/api/v1/roadmaps/{roadmap_id}"): SIGNED_IN,
    ("PATCH", "/api/v1/roadmaps/{roadmap_id}"): SIGNED_IN,
    ("DELETE", "/api/v1/roadmaps/{roadmap_id}"): SIGNED_IN,
    ("POST", "/api/v1/roadmaps/{roadmap_id}/restore"): SIGNED_IN,
    ("GET", "/api/v1/roadmaps/{roadmap_id}/versions"): SIGNED_IN,
    ("POST", "/api/v1/roadmaps/{roadmap_id}/repository"): SIGNED_IN,
    ("DELETE", "/api/v1/roadmaps/{roadmap_id}/repository"): SIGNED_IN,
    ("GET", "/api/v1/domains"): PUBLIC,
    ("GET", "/api/v1/matches/recommendations"): LEARNER,
    ("POST", "/api/v1/matches"): LEARNER,
    ("GET", "/api/v1/matches/my"): SIGNED_IN,
    ("GET", "/api/v1/matches/{match_id}"): SIGNED_IN,
    ("PATCH", "/api/v1/matches/{match_id}"): SIGNED_IN,
    ("GET", "/api/v1/matches/{match_id}/schedule.ics"): SIGNED_IN,
    ("GET", "/api/v1/matches/{match_id}/chat"): SIGNED_IN,
    ("POST", "/api/v1/matches/{match_id}/chat"): SIGNED_IN,
    ("POST", "/api/v1/matches/rounds"): ADMIN,
    ("GET", "/api/v1/matches/rounds/{round_id}"): ADMIN,
    ("POST", "/api/v1/matches/blocks"): MENTOR,
    ("GET", "/api/v1/matches/blocks"): MENTOR,
    ("DELETE", "/api/v1/matches/blocks/{learner_id}"): MENTOR,
    ("GET", "/api/v1/badges"): PUBLIC,
    ("GET", "/api/v1/badges/my"): SIGNED_IN,
    ("POST", "/api/v1/badges/award"): ADMIN,
    ("POST", "/api/v1/progress/log"): SIGNED_IN,
    ("GET", "/api/v1/progress/{roadmap_id}"): SIGNED_IN,
    ("POST", "/api/v1/integrations/github/webhook"): PUBLIC,
    ("GET", "/api/v1/notifications/my"): SIGNED_IN,
    ("PATCH", "/api/v1/notifications/{notification_id}/read"): SIGNED_IN,
    ("DELETE", "/api/v1/notifications/{notification_id}"): SIGNED_IN,
    ("POST", "/api/v1/notifications/read-all"): SIGNED_IN,
    ("GET", "/api/v1/users/me/notification-preferences"): SIGNED_IN,
    ("PATCH", "/api/v1/users/me/notification-preferences"): SIGNED_IN,
    ("POST", "/api/v1/notifications/unsubscribe"): PUBLIC,
    ("GET", "/api/v1/forum/posts"): SIGNED_IN,
    ("POST", "/api/v1/forum/posts"): SIGNED_IN,
    ("GET", "/api/v1/forum/posts/{post_id}"): SIGNED_IN,
    ("PATCH", "/api/v1/forum/posts/{post_id}"): SIGNED_IN,
    ("DELETE", "/api/v1/forum/posts/{post_id}"): SIGNED_IN,
    ("GET", "/health"): PUBLIC,
    ("GET", "/ready"): PUBLIC,
}
#: Who holds a role that is *not* allowed, per restricted access.
WRONG_ROLE = {ADMIN: ("learner", "mentor"), LEARNER: ("mentor",), MENTOR: ("learner",)}

# Truncated JSON with a field of the wrong type, and query values no parameter accepts.
MALFORMED_BODY = b'{"role": 42, "title": [], "unexpected": tru'
INVALID_QUERY = {"limit": "-7", "offset": "many", "status": "nonsense", "skills": "", "lat": "north", "k": "0"}


def _operations(app_schema: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, ops in app_schema["paths"].items() for method in ops}


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid4()), path)


async def _call(client: AsyncTestClient[Any], method: str, path: str, headers: dict[str, str]) -> Any:
    return await client.request(
        method,
        _url(path),
        params=INVALID_QUERY,
        content=MALFORMED_BODY,
        headers={**headers, "Content-Type": "application/json"},
    )


def test_the_access_table_covers_every_operation_of_the_document() -> None:
    app = build_test_app(Settings(database_url="memory://", log_level="WARNING"))
    assert _operations(app.openapi_schema.to_schema()) == set(ACCESS)


async def test_anonymous_callers_get_401_before_their_body_or_query_is_read(
    make_settings: Callable[..., Settings],
) -> None:
    protected = [op for op, access in ACCESS.items() if access != PUBLIC]
    assert len(protected) >= 30  # the table is not accidentally empty
    # Anonymous calls all count against one address: a budget large enough for the whole table.
    async with AsyncTestClient(app=build_test_app(make_settings(rate_limit_per_minute=10_000))) as client:
        for method, path in protected:
            for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic dXNlcjpwdw=="}):
                response = await _call(client, method, path, headers)
                assert response.status_code == 401, (method, path, headers, response.text)
                assert response.headers["content-type"].startswith("application/problem+json")
                assert "field" not in response.json(), (method, path)


async def test_callers_of_a_wrong_role_get_403_before_their_body_or_query_is_read(api: Api) -> None:
    headers = {
        "learner": await api.token_for("wrong-learner@example.org"),
        "mentor": await api.token_for("wrong-mentor@example.org", role="mentor"),
    }
    restricted = [(op, access) for op, access in ACCESS.items() if access in WRONG_ROLE]
    assert len(restricted) == 13
    for (method, path), access in restricted:
        for role in WRONG_ROLE[access]:
            response = await _call(api.client, method, path, headers[role])
            assert response.status_code == 403, (method, path, role, response.text)
            assert "field" not in response.json(), (method, path)


@pytest.mark.parametrize(
    ("method", "path", "role", "status"),
    [
        # problems.py: a body that is not JSON is 400; a query value no parameter accepts is 422.
        ("PATCH", "/api/v1/admin/users/{user_id}", "admin", 400),
        ("POST", "/api/v1/matches", "learner", 400),
        ("POST", "/api/v1/forum/posts", "learner", 400),
        ("GET", "/api/v1/users/mentors", "learner", 422),
    ],
)
async def test_positive_control_the_same_request_from_an_allowed_caller_fails_validation(
    api: Api, method: str, path: str, role: str, status: int
) -> None:
    headers = await admin_headers(api) if role == "admin" else await api.token_for(f"ok-{uuid4().hex[:6]}@example.org")
    response = await _call(api.client, method, path, headers)
    assert response.status_code == status, (method, path, response.text)


async def test_a_route_of_another_role_is_403_even_with_a_valid_body(api: Api) -> None:
    mentor = await api.token_for("mentor-asks@example.org", role="mentor")
    response = await api.client.post(
        "/api/v1/matches", json={"learner_needs": {"skills": ["python"], "domain": "web-development"}}, headers=mentor
    )
    assert response.status_code == 403
