"""The schema failures msgspec and Litestar report, as sentences a translator can translate.

msgspec words each failure in English ("Expected `str` of length <= 80"); each known form is matched here
and turned into a marked message id and its values, so the client reads it in its own language. A form not
in this table is passed on in English, as before.
"""

from __future__ import annotations

import re

from skillbridge.domain.texts import N_, Text

_KNOWN: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Expected `(?P<expected>\w+)`, got `(?P<got>\w+)`$"), N_("expected {expected}, got {got}")),
    (re.compile(r"^Expected `str` of length <= (?P<limit>\d+)$"), N_("at most {limit} characters")),
    (re.compile(r"^Expected `str` of length >= (?P<limit>\d+)$"), N_("at least {limit} characters")),
    (re.compile(r"^Expected `(?:array|object)` of length <= (?P<limit>\d+)$"), N_("at most {limit} items")),
    (re.compile(r"^Expected `(?:array|object)` of length >= (?P<limit>\d+)$"), N_("at least {limit} items")),
    # The pattern itself is in the OpenAPI document; the client gets plain words.
    (re.compile(r"^Expected `str` matching regex .*$", re.DOTALL), N_("not in the expected format")),
    (re.compile(r"^Expected `\w+` >= (?P<limit>[-\d.e+]+)$"), N_("must be at least {limit}")),
    (re.compile(r"^Expected `\w+` > (?P<limit>[-\d.e+]+)$"), N_("must be greater than {limit}")),
    (re.compile(r"^Expected `\w+` <= (?P<limit>[-\d.e+]+)$"), N_("must be at most {limit}")),
    (re.compile(r"^Expected `\w+` < (?P<limit>[-\d.e+]+)$"), N_("must be less than {limit}")),
    (re.compile(r"^Invalid enum value (?P<value>.+)$", re.DOTALL), N_("{value} is not one of the allowed values")),
    (re.compile(r"^Invalid UUID$"), N_("not a valid UUID")),
    (re.compile(r"^Invalid RFC3339 encoded (?P<kind>datetime|date|time)$"), N_("not a valid RFC 3339 {kind}")),
    (re.compile(r"^Object contains unknown field `(?P<name>[^`]+)`$"), N_("unknown field {name}")),
    (re.compile(r"^Object missing required field `(?P<name>[^`]+)`$"), N_("the field {name} is required")),
    (
        re.compile(r"^Missing required (?P<source>\w+) parameter '(?P<name>[^']+)'.*$", re.DOTALL),
        N_("the {source} parameter {name} is required"),
    ),
)


def validation_text(message: str) -> Text:
    """``message`` (one failure, without its ``- at `$.path``` suffix) as a translatable sentence."""
    for pattern, message_id in _KNOWN:
        match = pattern.match(message.strip())
        if match:
            return Text(message_id, match.groupdict())
    return Text(message)
