"""The rules each operation enforces that its JSON schema cannot state, added to its OpenAPI description.

A rule lands here only when no schema keyword can say it: it depends on the stored data (a mailed token, the
roadmap's own module ids, the catalog's domains, the gazetteer's places) or ties several fields or parameters
together. Everything a schema can say (types, enumerations, patterns, lengths) is in the schema instead. The
refusal's status is documented on the operation; ``schemathesis.toml`` allows exactly these refusals, per
operation, in the outside run (tests/api_schema/test_outside_run.py checks the two agree).
"""

from __future__ import annotations

from collections.abc import Mapping

#: (status, the rules) per operation, keyed by (method, path template).
UNSTATED_RULES: Mapping[tuple[str, str], tuple[int, str]] = {
    ("POST", "/api/v1/auth/register"): (
        422,
        "the password is not a common one nor the email; the timezone is an IANA name; a location given by name "
        "is a city the gazetteer knows; only mentors have a mentor_capacity; availability and hours_per_week "
        "agree when both are sent",
    ),
    ("PATCH", "/api/v1/users/me"): (
        422,
        "the fields come flat or under profile, not both; the timezone is an IANA name; a location given by name "
        "is a city the gazetteer knows; only mentors have a mentor_capacity; availability and hours_per_week agree",
    ),
    ("DELETE", "/api/v1/users/me"): (
        422,
        "password is the account's password (an account without one confirms with a recent GitHub sign-in, else 403)",
    ),
    ("PATCH", "/api/v1/users/me/consents"): (422, "accepted_terms_version, when sent, is the version in force"),
    ("POST", "/api/v1/auth/password/change"): (
        422,
        "current_password is the account's password; the new one is not a common one nor the email",
    ),
    ("POST", "/api/v1/auth/email/verify"): (400, "the token is one this server mailed, unused and unexpired"),
    ("POST", "/api/v1/notifications/unsubscribe"): (400, "the token is one this server signed into a mail's link"),
    ("POST", "/api/v1/auth/password/reset"): (
        400,
        "the token is one this server mailed, unused and unexpired (422: the new password is a common one)",
    ),
    ("GET", "/api/v1/auth/github/callback"): (400, "state is one this server issued, unused and unexpired"),
    ("GET", "/api/v1/users/mentors"): (
        422,
        "a place comes as near or as lat and lon together, not both; within_km only with one of them; near is a "
        "city the gazetteer knows; each skill name keeps a letter or digit",
    ),
    ("GET", "/api/v1/places"): (422, "q holds two letters or digits; country is a country the gazetteer knows"),
    ("GET", "/api/v1/forum/posts"): (422, "category keeps 1 to 60 characters once made a slug"),
    ("POST", "/api/v1/forum/posts"): (
        422,
        "the category keeps 1 to 60 characters once made a slug; title and content keep some text once "
        "sanitised; a reply's parent_id is a post that exists",
    ),
    ("PATCH", "/api/v1/forum/posts/{post_id}"): (
        422,
        "an edit sends a new title or content; a reply has no title; the text keeps something once sanitised",
    ),
    ("GET", "/api/v1/matches/recommendations"): (
        422,
        "domain is a catalog domain or a skill some mentor offers; each skill name keeps a letter or digit",
    ),
    ("POST", "/api/v1/matches"): (
        422,
        "the domain is a catalog domain or a skill some mentor offers; each skill name keeps a letter or digit; "
        "mentor_id is a mentor",
    ),
    ("PATCH", "/api/v1/matches/{match_id}"): (
        422,
        "session_schedule (the whole list) or add_sessions/remove_sessions, not both; removed sessions are the "
        "match's; rating and testimonial only by the learner of a completed match",
    ),
    ("GET", "/api/v1/matches/{match_id}/chat"): (422, "before is a next_cursor this conversation gave"),
    ("POST", "/api/v1/matches/{match_id}/chat"): (422, "the message keeps some text once cleaned"),
    ("POST", "/api/v1/roadmaps"): (422, "the domain is one the roadmap generator in use covers (GET /domains)"),
    ("PATCH", "/api/v1/roadmaps/{roadmap_id}"): (
        422,
        "module ids are the roadmap's own; order lists every module exactly once",
    ),
    ("POST", "/api/v1/progress/log"): (
        422,
        "roadmap_id is one of the caller's roadmaps (or left out when exactly one is in progress); module_id is "
        "a module of that roadmap",
    ),
    ("POST", "/api/v1/roadmaps/{roadmap_id}/repository"): (
        422,
        "the learner proved a GitHub account by signing in with it, and the repository is public and theirs",
    ),
    ("GET", "/api/v1/admin/audit"): (422, "subject_id comes with subject_type; until is not before since"),
}

#: The rule of every operation that takes ``Idempotency-Key`` (``openapi.py`` adds it to each of them).
IDEMPOTENCY_KEY_RULE = (
    "an Idempotency-Key names one request: sent within 24 hours with another method, path, query or body, it is refused"
)


def unstated_rules_text(status: int, rules: str) -> str:
    """The sentence added to an operation's description."""
    return f"Rules the schema cannot state (answered with {status} naming the field): {rules}."
