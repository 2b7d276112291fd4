"""The API against its own OpenAPI document: schemathesis generates valid and invalid requests per operation.

Every response must be no 5xx, have a documented status code, content type, headers and body (problem+json
errors included), valid requests must not be refused as invalid, and invalid ones must be refused with a 4xx.
The app runs in process over ASGI on a migrated SQLite file, with real bearer tokens (a learner and an admin).

Why not ``schemathesis.pytest.from_fixture``: its lazy parametrization writes ``node._nodeid``, which pytest 9.2
no longer has. Each operation is listed here instead (``test_every_operation_is_fuzzed`` fails when a route is
added without an entry) and driven through ``APIOperation.as_strategy`` with Hypothesis, which also lets each
operation say who calls it and which check does not apply to it.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import unicodedata
import uuid
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pytest
import schemathesis
from dishka import Provider, Scope, provide
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks
from schemathesis.python import asgi

from skillbridge.adapters.http.idempotency import HEADER as IDEMPOTENCY_KEY_HEADER
from skillbridge.adapters.http.schemas.roadmaps import DOMAIN_FIELDS, ROADMAP_FIELDS, VERSION_FIELDS
from skillbridge.adapters.persistence.sqlalchemy.migrate import upgrade
from skillbridge.adapters.places.geonames import _GEONAMES
from skillbridge.adapters.vcs.memory_gateway import MemoryVcsGateway
from skillbridge.application.accounts.administration import CreateAdmin
from skillbridge.application.ports.vcs_gateway import VcsGateway
from skillbridge.domain.accounts.passwords import MIN_PASSWORD_LENGTH, common_passwords
from skillbridge.domain.accounts.profile import MAX_SKILL_LENGTH, MAX_SKILLS, skill_slug
from skillbridge.domain.chat.message import MAX_MESSAGE_LENGTH
from skillbridge.domain.forum.rules import MAX_CATEGORY_LENGTH, MAX_CONTENT_LENGTH
from skillbridge.main import Settings, build_container, create_app
from tests.support.mail import mails_to, token_in
from tests.support.terms import TERMS_VERSION
from tests.support.two_factor import rfc6238

PASSWORD = "kilimanjaro-sunrise-42"
LEARNER_EMAIL = "learner@example.org"
SUBJECT_EMAIL = "subject@example.org"
ADMIN_EMAIL = "root@example.org"
MENTOR_EMAILS = ("mentor-one@example.org", "mentor-two@example.org")
#: Generated cases per operation and mode: 12 by default, which keeps this module within CI's budget (it was the
#: suite's slowest, ~3,750 requests at 25); ``SKILLBRIDGE_FUZZ_EXAMPLES`` raises it for a deeper run.
EXAMPLES_PER_MODE = int(os.environ.get("SKILLBRIDGE_FUZZ_EXAMPLES", "12"))
SEED = 20_240_611

_TIMEZONES = frozenset(zoneinfo.available_timezones())

Caller = Literal["anonymous", "learner", "admin", "fresh-learner", "new-learner"]
#: Which of the fuzzing learner's real matches a case is aimed at: one kept active (read and chatted in), or one
#: left to the PATCH cases (which may end it).
MatchUse = Literal["kept", "changed"]


@dataclass(frozen=True)
class Fuzzed:
    """One operation of the document, who calls it, and the checks that cannot apply to it (each with why)."""

    method: str
    path: str
    caller: Caller
    excluded: tuple[str, ...] = ()
    why: str = ""
    #: Negative mode needs something to make invalid: a parameter or a body.
    modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    #: Aim valid cases at a real user (the subject, whom only this test changes), not a drawn id that never exists.
    real_subject: bool = False
    #: Aim valid cases at the learner's own roadmap.
    real_roadmap: bool = False
    #: Aim valid cases at the learner's own forum thread.
    real_post: bool = False
    #: Aim valid cases at one of the learner's real matches (made in the fixture from POST /matches answers).
    real_match: MatchUse | None = None
    #: Valid cases must succeed at least once (a 2xx): the check itself also lets 404 and 409 pass, which is
    #: all a drawn id or a learner without a location would ever get.
    must_succeed: bool = False

    @property
    def label(self) -> str:
        return f"{self.method} {self.path} as {self.caller}"


def refused_to_learners(method: str, path: str) -> Fuzzed:
    """An admin-only operation called by a learner: refused (403) however valid the request."""
    return Fuzzed(
        method,
        path,
        "learner",
        excluded=("positive_data_acceptance",),
        why="a learner is refused (403) by design, however valid the request",
    )


OPERATIONS: tuple[Fuzzed, ...] = (
    Fuzzed("POST", "/api/v1/auth/register", "anonymous"),
    Fuzzed("POST", "/api/v1/auth/login", "anonymous"),
    Fuzzed("POST", "/api/v1/auth/refresh", "anonymous"),
    # Logging out revokes the token it is called with: every example signs in anew so the others keep theirs.
    Fuzzed("POST", "/api/v1/auth/logout", "fresh-learner"),
    Fuzzed("POST", "/api/v1/auth/password/forgot", "anonymous"),
    Fuzzed(
        "POST",
        "/api/v1/auth/password/reset",
        "anonymous",
        excluded=("positive_data_acceptance",),
        why="a drawn token was never mailed (400 token); tests/integration follows real ones",
    ),
    Fuzzed(
        "POST",
        "/api/v1/auth/password/change",
        "fresh-learner",
        excluded=("positive_data_acceptance",),
        why="a drawn current password is wrong (422 current_password); tests/integration changes real ones",
    ),
    Fuzzed(
        "POST",
        "/api/v1/auth/email/verify",
        "anonymous",
        excluded=("positive_data_acceptance",),
        why="a drawn token was never mailed (400 token); tests/integration follows real ones",
    ),
    Fuzzed(
        "POST",
        "/api/v1/auth/email/resend",
        "learner",
        modes=(GenerationMode.POSITIVE,),
        excluded=("positive_data_acceptance",),
        why="the fuzzing learner is verified already (409)",
    ),
    Fuzzed("GET", "/api/v1/auth/sessions", "learner", modes=(GenerationMode.POSITIVE,)),
    Fuzzed(
        "DELETE",
        "/api/v1/auth/sessions/{session_id}",
        "learner",
        excluded=("positive_data_acceptance",),
        why="a drawn id names no session of the learner (404); tests/integration ends real ones",
    ),
    Fuzzed(
        "POST",
        "/api/v1/auth/logout-all",
        "anonymous",
        modes=(GenerationMode.POSITIVE,),
        excluded=("positive_data_acceptance",),
        why="it would end the sessions the other operations are fuzzed with; tests/integration calls it",
    ),
    # A pending secret changes nothing at login; the learner never enables it here (tests/integration does).
    Fuzzed("POST", "/api/v1/auth/2fa/setup", "learner", modes=(GenerationMode.POSITIVE,)),
    Fuzzed(
        "POST",
        "/api/v1/auth/2fa/enable",
        "learner",
        excluded=("positive_data_acceptance",),
        why="a drawn code is not the secret's (401 code); tests/integration computes real ones",
    ),
    Fuzzed(
        "POST",
        "/api/v1/auth/2fa/disable",
        "learner",
        excluded=("positive_data_acceptance",),
        why="two-factor is off for the fuzzing learner (409); tests/integration turns it off",
    ),
    Fuzzed(
        "POST",
        "/api/v1/auth/2fa/verify",
        "anonymous",
        excluded=("positive_data_acceptance",),
        why="a drawn challenge was never issued (401 challenge_token); tests/integration signs in with real ones",
    ),
    Fuzzed("GET", "/api/v1/users/me", "learner", modes=(GenerationMode.POSITIVE,)),
    Fuzzed("PATCH", "/api/v1/users/me", "learner"),
    Fuzzed("GET", "/api/v1/users/me/export", "learner", modes=(GenerationMode.POSITIVE,)),
    Fuzzed("GET", "/api/v1/users/me/consents", "learner", modes=(GenerationMode.POSITIVE,)),
    Fuzzed("PATCH", "/api/v1/users/me/consents", "learner"),
    # Erasing ends the caller's account: every example signs in anew so the others keep theirs.
    Fuzzed(
        "DELETE",
        "/api/v1/users/me",
        "fresh-learner",
        excluded=("positive_data_acceptance",),
        why="a drawn password is wrong (422 password); tests/integration erases real accounts",
    ),
    Fuzzed("GET", "/api/v1/users/mentors", "learner"),
    Fuzzed("GET", "/api/v1/places", "anonymous"),
    Fuzzed("GET", "/api/v1/admin/users", "admin"),
    Fuzzed("PATCH", "/api/v1/admin/users/{user_id}", "admin", real_subject=True),
    refused_to_learners("GET", "/api/v1/admin/users"),
    refused_to_learners("PATCH", "/api/v1/admin/users/{user_id}"),
    Fuzzed(
        "GET",
        "/api/v1/admin/audit",
        "admin",
        excluded=("positive_data_acceptance",),
        why="subject_id needs subject_type, and until may not come before since: rules the document cannot state",
    ),
    refused_to_learners("GET", "/api/v1/admin/audit"),
    Fuzzed("GET", "/api/v1/admin/jobs/failed", "admin"),
    refused_to_learners("GET", "/api/v1/admin/jobs/failed"),
    Fuzzed(
        "POST",
        "/api/v1/admin/jobs/failed/{failed_job_id}/retry",
        "admin",
        excluded=("positive_data_acceptance",),
        why="a drawn id names no failed job (404); tests/integration retries real ones",
    ),
    refused_to_learners("POST", "/api/v1/admin/jobs/failed/{failed_job_id}/retry"),
    Fuzzed("POST", "/api/v1/roadmaps", "learner"),
    Fuzzed("GET", "/api/v1/roadmaps/my", "learner"),
    Fuzzed("GET", "/api/v1/roadmaps/{roadmap_id}", "learner", real_roadmap=True),
    Fuzzed(
        "PATCH",
        "/api/v1/roadmaps/{roadmap_id}",
        "learner",
        real_roadmap=True,
        excluded=("positive_data_acceptance",),
        why="a valid change names modules the roadmap has (state, not schema): drawn ids are refused, rightly",
    ),
    Fuzzed("GET", "/api/v1/roadmaps/{roadmap_id}/versions", "learner", real_roadmap=True),
    Fuzzed(
        "DELETE",
        "/api/v1/roadmaps/{roadmap_id}",
        "learner",
        excluded=("positive_data_acceptance",),
        why="a drawn id is no roadmap of the caller's: 404 by design (state, not schema)",
    ),
    Fuzzed(
        "POST",
        "/api/v1/roadmaps/{roadmap_id}/restore",
        "learner",
        excluded=("positive_data_acceptance",),
        why="a drawn id is no deleted roadmap of the caller's: 404 by design (state, not schema)",
    ),
    Fuzzed("GET", "/api/v1/domains", "anonymous"),
    # A learner of its own per case: the PATCH /users/me cases may leave the shared one without hours or a place.
    Fuzzed("GET", "/api/v1/matches/recommendations", "new-learner", must_succeed=True),
    # One open request per learner and domain: each case asks as a learner of its own, who has none yet.
    Fuzzed("POST", "/api/v1/matches", "new-learner", must_succeed=True),
    Fuzzed("GET", "/api/v1/matches/my", "learner"),
    Fuzzed("GET", "/api/v1/matches/{match_id}", "learner", real_match="kept", must_succeed=True),
    Fuzzed(
        "PATCH",
        "/api/v1/matches/{match_id}",
        "learner",
        real_match="changed",
        excluded=("positive_data_acceptance",),
        why="a valid change must be legal from the match's current status and name its stored version (state, "
        "not schema): after the first case ends the match, the others are refused (409), rightly",
    ),
    Fuzzed("GET", "/api/v1/matches/{match_id}/schedule.ics", "learner", real_match="kept", must_succeed=True),
    Fuzzed("POST", "/api/v1/matches/{match_id}/chat", "learner", real_match="kept", must_succeed=True),
    Fuzzed("GET", "/api/v1/matches/{match_id}/chat", "learner", real_match="kept", must_succeed=True),
    Fuzzed("POST", "/api/v1/matches/rounds", "admin"),
    refused_to_learners("POST", "/api/v1/matches/rounds"),
    Fuzzed(
        "GET",
        "/api/v1/matches/rounds/{round_id}",
        "admin",
        excluded=("positive_data_acceptance",),
        why="a drawn round id names no round (404); tests/integration polls real rounds",
    ),
    refused_to_learners("GET", "/api/v1/matches/rounds/{round_id}"),
    # Blocks are for mentors: a learner is refused (403) by design.
    refused_to_learners("POST", "/api/v1/matches/blocks"),
    refused_to_learners("GET", "/api/v1/matches/blocks"),
    refused_to_learners("DELETE", "/api/v1/matches/blocks/{learner_id}"),
    Fuzzed("GET", "/api/v1/badges", "anonymous", modes=(GenerationMode.POSITIVE,)),
    Fuzzed("GET", "/api/v1/badges/my", "learner", modes=(GenerationMode.POSITIVE,)),
    Fuzzed(
        "POST",
        "/api/v1/badges/award",
        "admin",
        excluded=("positive_data_acceptance",),
        why="a drawn user id names nobody (404); tests/integration awards real users",
    ),
    refused_to_learners("POST", "/api/v1/badges/award"),
    Fuzzed(
        "POST",
        "/api/v1/progress/log",
        "learner",
        excluded=("positive_data_acceptance",),
        why="a valid event names the caller's own roadmap (state, not schema): drawn ids are refused, rightly",
    ),
    Fuzzed("GET", "/api/v1/progress/{roadmap_id}", "learner", real_roadmap=True),
    Fuzzed(
        "POST",
        "/api/v1/roadmaps/{roadmap_id}/repository",
        "learner",
        real_roadmap=True,
        excluded=("positive_data_acceptance",),
        why="linking needs a GitHub username on the profile and a real public repository (state, not schema)",
    ),
    Fuzzed("DELETE", "/api/v1/roadmaps/{roadmap_id}/repository", "learner", real_roadmap=True),
    Fuzzed(
        "POST",
        "/api/v1/integrations/github/webhook",
        "anonymous",
        modes=(GenerationMode.POSITIVE,),
        excluded=("positive_data_acceptance",),
        why="a delivery must carry GitHub's HMAC signature of its body, which no generated case has",
    ),
    Fuzzed("GET", "/api/v1/auth/github/login", "anonymous"),
    Fuzzed(
        "GET",
        "/api/v1/auth/github/callback",
        "anonymous",
        excluded=("positive_data_acceptance",),
        why="a valid callback carries a state this server issued and a code GitHub issued",
    ),
    Fuzzed("GET", "/api/v1/users/me/notification-preferences", "learner", modes=(GenerationMode.POSITIVE,)),
    Fuzzed("PATCH", "/api/v1/users/me/notification-preferences", "learner"),
    Fuzzed(
        "POST",
        "/api/v1/notifications/unsubscribe",
        "anonymous",
        excluded=("positive_data_acceptance",),
        why="a drawn token was never signed by this server (400 token); tests/integration follows real links",
    ),
    Fuzzed("GET", "/api/v1/notifications/my", "learner"),
    Fuzzed(
        "PATCH",
        "/api/v1/notifications/{notification_id}/read",
        "learner",
        excluded=("positive_data_acceptance",),
        why="a drawn id is no notification of the caller's: 404 by design (state, not schema)",
    ),
    Fuzzed(
        "DELETE",
        "/api/v1/notifications/{notification_id}",
        "learner",
        excluded=("positive_data_acceptance",),
        why="a drawn id is no notification of the caller's: 404 by design (state, not schema)",
    ),
    Fuzzed("POST", "/api/v1/notifications/read-all", "learner", modes=(GenerationMode.POSITIVE,)),
    Fuzzed("POST", "/api/v1/forum/posts", "learner"),
    Fuzzed("GET", "/api/v1/forum/posts", "learner"),
    Fuzzed("GET", "/api/v1/forum/posts/{post_id}", "learner", real_post=True),
    Fuzzed(
        "PATCH",
        "/api/v1/forum/posts/{post_id}",
        "learner",
        real_post=True,
        excluded=("positive_data_acceptance",),
        why="a valid edit names the stored version (state, not schema) and a reply has no title: drawn ones are "
        "refused, rightly",
    ),
    Fuzzed("DELETE", "/api/v1/forum/posts/{post_id}", "learner", real_post=True),
    Fuzzed("GET", "/health", "anonymous", modes=(GenerationMode.POSITIVE,)),
    Fuzzed("GET", "/ready", "anonymous", modes=(GenerationMode.POSITIVE,)),
)


class OfflineGithub(Provider):
    """No fuzzed request reaches GitHub: repositories come from an empty in-memory gateway (none exists)."""

    @provide(scope=Scope.APP)
    def vcs_gateway(self) -> VcsGateway:
        return MemoryVcsGateway()


@dataclass
class Target:
    schema: Any
    headers: dict[Caller, dict[str, str]] = field(default_factory=dict)
    subject_id: str = ""
    roadmap_id: str = ""
    post_id: str = ""
    match_ids: dict[MatchUse, str] = field(default_factory=dict)
    fresh_session: Callable[[], dict[str, str]] = dict
    new_learner: Callable[[], dict[str, str]] = dict


async def _prepare(settings: Settings) -> None:
    await upgrade(settings.database_url)
    container = build_container(settings)
    try:
        async with container() as request:
            await (await request.get(CreateAdmin))(ADMIN_EMAIL, PASSWORD, "Root")
    finally:
        await container.close()


#: A profile matching can work with: a place, skills, free hours and a language (a mentor adds a capacity).
def _profile(**extra: Any) -> dict[str, Any]:
    return {
        "display_name": "Fuzz",
        "skills": ["python", "sql"],
        "location": {"lat": 6.5244, "lon": 3.3792, "city": "Lagos", "country": "NG"},
        "timezone": "Africa/Lagos",
        "hours_per_week": 6,
        "weekly_slots": [18, 19, 20],
        "languages": ["en"],
        **extra,
    }


def _register(schema: Any, outbox: str, email: str, role: str = "learner", **profile: Any) -> None:
    """A new account, verified by following its verification mail, as the owner would."""
    body = {
        "email": email,
        "password": PASSWORD,
        "role": role,
        "accepted_terms_version": TERMS_VERSION,
        "profile": _profile(**profile),
    }
    response = schema["/api/v1/auth/register"]["POST"].Case(body=body).call()
    assert response.status_code == 201, response.text
    [mail] = mails_to(outbox, email)
    response = schema["/api/v1/auth/email/verify"]["POST"].Case(body={"token": token_in(mail)}).call()
    assert response.status_code == 204, response.text


def _ask_for_a_mentor(schema: Any, headers: dict[str, str], mentor_id: str, domain: str) -> str:
    """A real match with ``mentor_id``, pending; its id read from the Location the answer links to."""
    needs = {"skills": ["python", "sql"], "hours_per_week": 3, "domain": domain}
    response = (
        schema["/api/v1/matches"]["POST"]
        .Case(body={"learner_needs": needs, "mentor_id": mentor_id})
        .call(headers=headers)
    )
    assert response.status_code == 201, response.text
    (location,) = response.headers["location"]  # schemathesis gives each header as a list of its values
    assert location.startswith("/api/v1/matches/"), location
    return location.removeprefix("/api/v1/matches/")


def _sign_in(schema: Any, email: str) -> tuple[dict[str, str], str]:
    response = schema["/api/v1/auth/login"]["POST"].Case(body={"email": email, "password": PASSWORD}).call()
    assert response.status_code == 200, response.text
    body = response.json()
    return {"Authorization": f"Bearer {body['access_token']}"}, str(body["user_id"])


def _turn_on_two_factor(schema: Any, headers: dict[str, str]) -> None:
    setup = schema["/api/v1/auth/2fa/setup"]["POST"].Case().call(headers=headers)
    assert setup.status_code == 200, setup.text
    code = rfc6238(setup.json()["secret"], datetime.now(UTC))
    enabled = schema["/api/v1/auth/2fa/enable"]["POST"].Case(body={"code": code}).call(headers=headers)
    assert enabled.status_code == 200, enabled.text


@pytest.fixture(scope="module", autouse=True)
def _gazetteer_loaded() -> None:
    """The gazetteer read once, before any generated request: its first reading takes seconds (more on a
    busy machine) and a fuzzed registration with a place name would wait for it past the client's timeout.
    Cold start is not what this module tests (tests/unit/adapters/test_geonames_places.py does)."""
    _GEONAMES.get()


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "api.db"
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{path}",
        email_outbox=str(path.parent / "outbox"),
        argon2_time_cost=1,
        argon2_memory_kib=8,
        rate_limit_per_minute=100_000,
        auth_rate_limit_per_minute=100_000,
        exports_per_hour=100_000,
        log_level="WARNING",
        github_client_id="fuzz-client",
        github_client_secret="fuzz-secret",
        github_webhook_secret="fuzz-webhook-secret",
    )
    asyncio.run(_prepare(settings))
    app = create_app(settings, OfflineGithub())
    # allow-extra-parameters off: the API ignores query parameters it does not declare, as HTTP APIs do (a
    # client's cache-buster must not fail a request), and schemathesis would count each as invalid data
    # accepted. It also stops unknown *body* fields being generated; tests/integration covers their 422.
    # with-security-parameters off: each call carries a real token, which would replace a generated (or
    # deliberately broken) Authorization header; ignored_auth still probes every route without and with a bad one.
    generation = {
        "deterministic": True,
        "database": "none",
        "allow-extra-parameters": False,
        "with-security-parameters": False,
    }
    config = schemathesis.Config.from_dict({"seed": SEED, "generation": generation})
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app, config=config)
    try:
        for email in (LEARNER_EMAIL, SUBJECT_EMAIL):
            _register(schema, settings.email_outbox, email)
        for email in MENTOR_EMAILS:
            _register(schema, settings.email_outbox, email, role="mentor", mentor_capacity=20)
        learner, _ = _sign_in(schema, LEARNER_EMAIL)
        _, subject_id = _sign_in(schema, SUBJECT_EMAIL)
        admin, _ = _sign_in(schema, ADMIN_EMAIL)
        _turn_on_two_factor(schema, admin)  # an admin without it has no powers
        roadmap = {"domain": "python", "skill_level": "beginner", "time_availability": 5}
        response = schema["/api/v1/roadmaps"]["POST"].Case(body=roadmap).call(headers=learner)
        assert response.status_code == 201, response.text
        roadmap_id = str(response.json()["id"])
        # Two real matches of the learner's, one per mentor and domain: the first accepted, so chat works in it.
        (kept_mentor, kept_mentor_id), (_, changed_mentor_id) = (_sign_in(schema, email) for email in MENTOR_EMAILS)
        kept = _ask_for_a_mentor(schema, learner, kept_mentor_id, "python")
        changed = _ask_for_a_mentor(schema, learner, changed_mentor_id, "sql")
        accept = schema["/api/v1/matches/{match_id}"]["PATCH"].Case(
            path_parameters={"match_id": kept}, body={"status": "active"}
        )
        response = accept.call(headers=kept_mentor)
        assert response.status_code == 200, response.text
        new_learners = itertools.count()

        def new_learner() -> dict[str, str]:
            email = f"new-{next(new_learners)}@example.org"
            _register(schema, settings.email_outbox, email)
            return _sign_in(schema, email)[0]

        thread = {"category": "python", "title": "Reading CSV", "content": "<p>How?</p>"}
        response = schema["/api/v1/forum/posts"]["POST"].Case(body=thread).call(headers=learner)
        assert response.status_code == 201, response.text
        yield Target(
            match_ids={"kept": kept, "changed": changed},
            new_learner=new_learner,
            roadmap_id=roadmap_id,
            post_id=str(response.json()["id"]),
            schema=schema,
            headers={"anonymous": {}, "learner": learner, "admin": admin},
            subject_id=subject_id,
            fresh_session=lambda: _sign_in(schema, LEARNER_EMAIL)[0],
        )
    finally:
        asgi.shutdown_lifespans()  # this process's app only: each xdist worker is its own process


def test_every_operation_is_fuzzed(target: Target) -> None:
    documented = {
        (method.upper(), path)
        for path, item in target.schema.raw_schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    listed = {(op.method, op.path) for op in OPERATIONS}
    assert documented == listed, "add an entry to OPERATIONS for each new route (and drop removed ones)"


_PROBE_ID = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize("caller", ["anonymous", "learner"])
def test_options_lists_every_method_of_each_path(target: Target, caller: Caller) -> None:
    # OPTIONS says which methods a path serves: all the document lists, for anyone (no token needed).
    for path, item in target.schema.raw_schema["paths"].items():
        documented = {method.upper() for method in item if method in {"get", "post", "put", "patch", "delete"}}
        operation = target.schema[path][sorted(documented)[0]]
        names = re.findall(r"\{(\w+)\}", path)
        case = operation.Case(path_parameters=dict.fromkeys(names, _PROBE_ID))
        case.method = "OPTIONS"
        response = case.call(headers=target.headers[caller])
        assert response.status_code == 204, (path, response.status_code, response.text)
        (allow,) = response.headers["allow"]
        assert set(allow.split(", ")) == documented | {"OPTIONS"}, path


_FIELDS_OF = {
    "/api/v1/roadmaps/my": frozenset(ROADMAP_FIELDS),
    "/api/v1/roadmaps/{roadmap_id}": frozenset(ROADMAP_FIELDS),
    "/api/v1/roadmaps/{roadmap_id}/versions": frozenset(VERSION_FIELDS),
    "/api/v1/domains": frozenset(DOMAIN_FIELDS),
}


def _not_a_string_on_the_wire_only(case: schemathesis.Case) -> bool:
    """False for a negative case whose skills, place name or place prefix is (or holds) a number or boolean:
    on the wire that is a valid name (``skills=false``, ``q=12``)."""
    query = case.query if isinstance(case.query, dict) else {}
    skills = query.get("skills")
    if isinstance(skills, list) and any(not isinstance(item, str) for item in skills):
        return False
    return not any(isinstance(query.get(name), bool | int | float) for name in ("skills", "near", "q"))


def _usable_skills(names: str) -> bool:
    return all(not part.strip() or 1 <= len(skill_slug(part)) <= MAX_SKILL_LENGTH for part in names.split(","))


def _within_unstated_rules(case: schemathesis.Case) -> schemathesis.Case:
    """Bring a valid case within the rules no JSON schema states, so valid data is still expected to pass.

    Those rules: the timezone is an IANA name (a list of ~600); at most 50 distinct skills (after normalisation,
    which a schema cannot follow); a learner has no mentor capacity (a rule across two fields, or across the body
    and the caller's role); the password is not a common one nor the email (a list) and has 8 characters after
    NFKC normalisation; a mentor search gives lat and lon together, and within_km only with them (rules across
    parameters), or instead a place by name that the gazetteer knows; a location given by name is such a place;
    ``availability`` and ``hours_per_week`` (two names of one value) agree; PATCH /users/me sends its fields flat
    or under ``profile``, not both; a place autocomplete gets two letters or digits and a real country; a mentor
    search's skills, comma-separated, are each blank or a name whose slug has 1 to 50 characters; the terms
    version accepted is the one in force (a setting); ``?fields=`` names fields of the item (a comma-separated
    list of names); a roadmap is generated for a
    domain the offline catalog covers (the set depends on the generator in use); a mentor is asked for (or
    recommended) in a domain the catalog has, for skills whose names keep a slug; a chat cursor is one the server
    gave; a chat message keeps some text once cleaned; an ``Idempotency-Key`` names one request (a drawn key is
    drawn again for another body, which is a 422 by that rule), so each case sent with one gets a key of its own.
    Everything else a generated value may be, it still is.
    """
    for name in list(case.headers or ()):
        if name.lower() == IDEMPOTENCY_KEY_HEADER.lower():
            case.headers[name] = uuid.uuid4().hex
    if isinstance(case.query, dict):
        _query_within_rules(case.path, case.query)
    if isinstance(case.body, dict):
        _body_within_rules(case.path, case.body)
    return case


def _query_within_rules(path: str, query: dict[str, Any]) -> None:
    if path.endswith("/github/login") and "accepted_terms_version" in query:
        query["accepted_terms_version"] = TERMS_VERSION  # a drawn version is not the one in force
    allowed_fields = _FIELDS_OF.get(path)
    if allowed_fields and isinstance(query.get("fields"), str):
        names = {name.strip() for name in query["fields"].split(",") if name.strip()}
        if not names <= allowed_fields:
            query["fields"] = ",".join(sorted(names & allowed_fields)) or sorted(allowed_fields)[0]
    category = query.get("category")
    if path == "/api/v1/forum/posts" and isinstance(category, str):
        query["category"] = category if 1 <= len(skill_slug(category)) <= MAX_CATEGORY_LENGTH else "python"
    if path.endswith("/recommendations"):
        if "domain" in query:
            query["domain"] = "python"  # a domain is the catalog's or a skill some mentor offers
        if isinstance(query.get("skills"), str) and not (
            _usable_skills(query["skills"]) and skill_slug(query["skills"].replace(",", " "))
        ):
            query["skills"] = "python"
    if path.endswith("/chat"):
        query.pop("before", None)  # a cursor is one the server gave (next_cursor), not any string
    if path.endswith("/mentors"):
        _mentor_query_within_rules(query)
    if path == "/api/v1/places":
        # The start of a name: at least two letters or digits (not any two characters), in a country that exists.
        query["q"] = "La" + "".join(char for char in str(query.get("q", "")) if char.isalnum())[:20]
        if "country" in query:
            query["country"] = "NG"


def _mentor_query_within_rules(query: dict[str, Any]) -> None:
    if isinstance(query.get("skills"), list):
        query["skills"] = [names for names in query["skills"] if _usable_skills(str(names))]
    if ("lat" in query) != ("lon" in query):
        query.pop("lat", None)
        query.pop("lon", None)
    if "near" in query:
        # A place the gazetteer knows (a name is a city of GeoNames, not any string), and not with lat/lon.
        query["near"] = "Lagos, NG"
        query.pop("lat", None)
        query.pop("lon", None)
    if "lat" not in query and "near" not in query:
        query.pop("within_km", None)


def _needs_within_rules(body: dict[str, Any]) -> None:
    """A request for a mentor in a domain the catalog has, with skills whose names keep a slug, and no chosen
    mentor (a drawn id is nobody: 422 on ``mentor_id``)."""
    body.pop("mentor_id", None)
    needs = body.get("learner_needs")
    if isinstance(needs, dict):
        needs["domain"] = "python"
        skills = [name for name in needs.get("skills", []) if _usable_skills(str(name)) and skill_slug(str(name))]
        needs["skills"] = skills or ["python"]


def _profile_within_rules(path: str, body: dict[str, Any]) -> None:
    profile = body.get("profile") if path.endswith("/register") else body
    if path.endswith("/users/me") and isinstance(body.get("profile"), dict):
        # The fields come flat or nested under ``profile``, not both (a rule across fields).
        profile = body["profile"]
        for name in [name for name in body if name != "profile"]:
            del body[name]
    if not isinstance(profile, dict):
        return
    if isinstance(profile.get("location"), str):
        profile["location"] = "Lagos, NG"  # a name is a city of GeoNames, not any string
    if "availability" in profile and "hours_per_week" in profile:
        profile["availability"] = profile["hours_per_week"]  # two names of one value agree
    if isinstance(profile.get("timezone"), str) and profile["timezone"].strip() not in _TIMEZONES:
        profile["timezone"] = "Africa/Lagos"
    if path.endswith("/users/me") or body.get("role") == "learner":
        profile.pop("mentor_capacity", None)
    if isinstance(profile.get("skills"), list):
        profile["skills"] = profile["skills"][:MAX_SKILLS]


def _body_within_rules(path: str, body: dict[str, Any]) -> None:
    if path == "/api/v1/forum/posts":
        # A thread (replies need a post that exists) in a usable category, with a title and content that
        # keep some text once sanitised.
        body.pop("parent_id", None)
        body["category"] = "python"
        body["title"] = "A thread"
        body["content"] = "x" + str(body.get("content", ""))[: MAX_CONTENT_LENGTH // 2]
    if path == "/api/v1/roadmaps" and "domain" in body:
        body["domain"] = "python"
    if path == "/api/v1/matches":
        _needs_within_rules(body)
    if path.endswith("/chat"):
        body["content"] = "x" + str(body.get("content", ""))[: MAX_MESSAGE_LENGTH // 2]
    if path.endswith(("/register", "/users/me")):
        _profile_within_rules(path, body)
    if path.endswith(("/register", "/users/me/consents")) and "accepted_terms_version" in body:
        body["accepted_terms_version"] = TERMS_VERSION  # a drawn version is not the one in force
    if path.endswith("/register"):
        password = unicodedata.normalize("NFKC", str(body.get("password", "")))
        email = str(body.get("email", "")).strip().lower()
        if (
            len(password) < MIN_PASSWORD_LENGTH
            or password.lower() in common_passwords()
            or password.lower() in {email, email.split("@", 1)[0]}
        ):
            body["password"] = PASSWORD


@pytest.mark.parametrize(
    ("operation", "mode"),
    [pytest.param(op, mode, id=f"{op.label} ({mode.value})") for op in OPERATIONS for mode in op.modes],
)
def test_operation_conforms_to_the_document(target: Target, operation: Fuzzed, mode: GenerationMode) -> None:
    api_operation = target.schema[operation.path][operation.method]
    excluded = [getattr(checks, name) for name in operation.excluded]
    strategy = api_operation.as_strategy(generation_mode=mode)
    if mode.is_positive:
        strategy = strategy.map(_within_unstated_rules)
    else:
        strategy = strategy.filter(_not_a_string_on_the_wire_only)

    statuses: list[int] = []

    @settings(
        max_examples=EXAMPLES_PER_MODE,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        if operation.real_subject and mode.is_positive:
            case.path_parameters = {**(case.path_parameters or {}), "user_id": target.subject_id}
        if operation.real_roadmap and mode.is_positive:
            case.path_parameters = {**(case.path_parameters or {}), "roadmap_id": target.roadmap_id}
        if operation.real_post and mode.is_positive:
            case.path_parameters = {**(case.path_parameters or {}), "post_id": target.post_id}
        if operation.real_match and mode.is_positive:
            case.path_parameters = {**(case.path_parameters or {}), "match_id": target.match_ids[operation.real_match]}
        if operation.caller == "fresh-learner":
            headers = target.fresh_session()
        elif operation.caller == "new-learner":
            headers = target.new_learner()
        else:
            headers = target.headers[operation.caller]
        statuses.append(case.call_and_validate(headers=headers, excluded_checks=excluded).status_code)

    run()
    if operation.must_succeed and mode.is_positive:
        assert any(200 <= status < 300 for status in statuses), statuses
