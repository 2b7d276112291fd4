"""The GitHub workflow (.github/workflows/ci.yml) is one GitHub accepts: validated against the GitHub workflow
JSON schema (SchemaStore's) that check-jsonschema ships, offline (``--builtin-schema vendor.github-workflows``),
in place of actionlint, which no package brings here. That it runs what .ci/run runs is
tests/unit/test_deploy_files.py's. A copy broken in each of a few ways is refused, at the place broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.schemas import refusals_of_a_copy, validate

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "ci.yml"
SCHEMA = "vendor.github-workflows"


def test_the_workflow_is_valid_against_the_github_workflow_schema() -> None:
    status, report = validate(SCHEMA, WORKFLOW)
    assert (status, report) == (0, {"status": "ok", "errors": []})


#: Broken copies of the workflow (text replaced -> by), and where the schema says they are wrong.
BROKEN = {
    "a job key misspelt": ("\n    services:\n", "\n    service:\n", "$.jobs.test", "'service' was unexpected"),
    "a step key misspelt": (
        "- uses: actions/checkout@v4",
        "- use: actions/checkout@v4",
        "$.jobs.test.steps[0]",
        "'uses' is a required property",
    ),
    "a timeout in words": (
        "timeout-minutes: 30",
        "timeout-minutes: thirty",
        "$.jobs.test['timeout-minutes']",
        "'thirty' is not of type 'number'",
    ),
    "an unknown permission level": (
        "contents: read",
        "contents: readd",
        "$.permissions.contents",
        "'readd' is not one of ['read', 'write', 'none']",
    ),
    "an unknown event": ("\n  pull_request:\n", "\n  pull_requests:\n", "$.on", "is not of type 'string'"),
}


@pytest.mark.parametrize("mistake", sorted(BROKEN))
def test_a_broken_workflow_is_refused_where_it_is_broken(mistake: str, tmp_path: Path) -> None:
    before, after, where, message = BROKEN[mistake]
    refused = refusals_of_a_copy(SCHEMA, WORKFLOW, before, after, tmp_path / "ci.yml")
    assert any(path == where and message in said for path, said in refused), refused
