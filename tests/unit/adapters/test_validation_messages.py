"""msgspec's and Litestar's schema failures, reworded as message ids a catalog translates (their values kept)."""

from __future__ import annotations

import pytest

from skillbridge.adapters.http.validation_messages import validation_text
from skillbridge.domain.texts import Text


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        ("Expected `int`, got `str`", Text("expected {expected}, got {got}", {"expected": "int", "got": "str"})),
        ("Expected `str` of length <= 80", Text("at most {limit} characters", {"limit": "80"})),
        ("Expected `str` of length >= 1", Text("at least {limit} characters", {"limit": "1"})),
        ("Expected `array` of length <= 10", Text("at most {limit} items", {"limit": "10"})),
        ("Expected `str` matching regex '^[a-z]+$'", Text("not in the expected format")),
        ("Expected `float` >= -90.0", Text("must be at least {limit}", {"limit": "-90.0"})),
        ("Expected `float` > 0.5", Text("must be greater than {limit}", {"limit": "0.5"})),
        ("Expected `int` <= 168", Text("must be at most {limit}", {"limit": "168"})),
        ("Invalid enum value 'astrology'", Text("{value} is not one of the allowed values", {"value": "'astrology'"})),
        ("Invalid UUID", Text("not a valid UUID")),
        ("Invalid RFC3339 encoded datetime", Text("not a valid RFC 3339 {kind}", {"kind": "datetime"})),
        ("Object contains unknown field `colour`", Text("unknown field {name}", {"name": "colour"})),
        ("Object missing required field `email`", Text("the field {name} is required", {"name": "email"})),
        (
            "Missing required query parameter 'q' for path /api/v1/places",
            Text("the {source} parameter {name} is required", {"source": "query", "name": "q"}),
        ),
        ("Something msgspec may say one day", Text("Something msgspec may say one day")),  # passed on as it is
    ],
)
def test_each_known_failure_becomes_a_message_id_with_its_values(reported: str, expected: Text) -> None:
    assert validation_text(reported) == expected
