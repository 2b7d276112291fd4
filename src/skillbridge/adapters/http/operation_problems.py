"""Which problem+json statuses each operation documents, and which operations take ``Idempotency-Key``.

The statuses follow from what the app knows of a route (its methods, path parameters, body, parameters and
access ``opt``) by the rules below, plus a small table of what a handler raises beyond them:

- 429 and 503 on every operation (request budgets; the database or Redis may be away);
- 401 unless the route is public (an invalid token on a public route makes the request anonymous, not 401),
  and on the public routes that check credentials of their own (``OWN_401``);
- 403 for a route limited to some roles, for a signed-in write under the consent gate (not
  ``consent_exempt``), and where a handler refuses for its own reasons (``RAISES``);
- 404 where the path names something (a path parameter), and where a body names something (``RAISES``);
- 409 for every write (a state conflict, a duplicate, or an ``Idempotency-Key`` whose first request runs);
- 400 and 413 where a body is read (not JSON; too large), 400 where a required query or header parameter
  may be missing;
- 422 where there is a body or any parameter to fail, or an ``Idempotency-Key`` to refuse;
- the status of each rule the schema cannot state (``unstated_rules.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from skillbridge.adapters.http.idempotency import IDEMPOTENT_METHODS
from skillbridge.adapters.http.unstated_rules import UNSTATED_RULES

_READS = frozenset({"GET", "HEAD", "OPTIONS"})
_ALWAYS = frozenset({429, 503})

#: Public routes that answer 401 of their own: credentials, refresh tokens, 2FA challenges, signatures, and
#: a disabled account signing in with GitHub.
OWN_401: frozenset[tuple[str, str]] = frozenset(
    {
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/refresh"),
        ("POST", "/api/v1/auth/2fa/verify"),
        ("GET", "/api/v1/auth/github/callback"),
        ("POST", "/api/v1/integrations/github/webhook"),
    }
)
#: Routes that read their body themselves (not as ``data``), so it may be too large.
READS_RAW_BODY: frozenset[tuple[str, str]] = frozenset({("POST", "/api/v1/integrations/github/webhook")})
#: What a handler raises beyond the rules: a body naming something that is not there (404), a refusal of
#: its own (403: the erasure of an account without password and without a recent GitHub sign-in), and the
#: webhook's missing delivery headers (400).
RAISES: Mapping[tuple[str, str], frozenset[int]] = {
    ("POST", "/api/v1/progress/log"): frozenset({404}),
    ("POST", "/api/v1/badges/award"): frozenset({404}),
    ("POST", "/api/v1/matches/blocks"): frozenset({404}),
    ("DELETE", "/api/v1/users/me"): frozenset({403}),
    ("POST", "/api/v1/integrations/github/webhook"): frozenset({400}),
}


@dataclass(frozen=True, slots=True)
class OperationFacts:
    """What the document already says of an operation, from which its problem statuses follow."""

    method: str
    path: str
    opt: Mapping[str, Any]
    body: bool
    parameters: bool
    required_parameters: bool
    path_parameters: bool
    guarded_by_version: bool


def takes_idempotency_key(facts: OperationFacts) -> bool:
    """Whether the operation takes ``Idempotency-Key``: a signed-in POST, or PATCH not guarded by ``If-Match``
    (a public route's callers are anonymous, whose keys are ignored: see ``idempotency.py``)."""
    return facts.method in IDEMPOTENT_METHODS and not facts.opt.get("public") and not facts.guarded_by_version


def problem_statuses(facts: OperationFacts) -> set[int]:
    """The 4xx and 503 statuses the operation answers with (see the module docs)."""
    opt = facts.opt
    operation = (facts.method, facts.path)
    write = facts.method not in _READS
    body = facts.body or operation in READS_RAW_BODY
    statuses = set(_ALWAYS)
    if not opt.get("public") or operation in OWN_401:
        statuses.add(401)
    if opt.get("roles") or (write and not opt.get("public") and not opt.get("consent_exempt")):
        statuses.add(403)
    if facts.path_parameters:
        statuses.add(404)
    if write:
        statuses.add(409)
    if body:
        statuses |= {400, 413, 422}
    if facts.parameters:
        statuses.add(422)
    if facts.required_parameters:
        statuses.add(400)
    if takes_idempotency_key(facts):
        statuses |= {409, 422}
    if operation in UNSTATED_RULES:
        statuses.add(UNSTATED_RULES[operation][0])
    return statuses | RAISES.get(operation, frozenset())
