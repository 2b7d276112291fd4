"""The outside run of schemathesis, as a client team makes it: every check, every phase (the stateful one
follows the links from what a POST created to its GET, PATCH and DELETE), against ``skillbridge serve`` (what
``make run`` starts), with the repository's ``schemathesis.toml``. It must find no failure at all.

That config signs in as a learner (verified by following the mail, as a person would), and names, per
operation, the refusals that depend on rules no schema can state (each documented on the operation); the
only 503s it lets pass are those of the GitHub login, which this server has not been configured for.

``SKILLBRIDGE_CONTRACT_EXAMPLES`` sets the examples per operation: 8 by default, to keep CI within its
budget (about a minute here); the full run of the issue is ``SKILLBRIDGE_CONTRACT_EXAMPLES=30`` (about 80 s
alone on two cores). The server's request budgets are raised: the run is thousands of requests from one
address, and rate limiting is not what it checks (tests/integration does).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest

from skillbridge.adapters.http.unstated_rules import UNSTATED_RULES
from tests.e2e.test_server_process import running_server
from tests.integration.helpers import PASSWORD
from tests.support.idempotent_operations import TAKING_IDEMPOTENCY_KEY
from tests.support.mail import mails_to, token_in
from tests.support.terms import TERMS_VERSION

SCHEMATHESIS = Path(sys.executable).with_name("st")
CONFIG = Path(__file__).resolve().parents[2] / "schemathesis.toml"
EXAMPLES = int(os.environ.get("SKILLBRIDGE_CONTRACT_EXAMPLES", "8"))
SEED = 20_261_207
RUN_TIMEOUT_SECONDS = 900.0
LEARNER = "outside-run@example.org"

#: Thousands of requests from one address in a few minutes: no budget of the server may refuse them.
UNLIMITED = {
    "rate_limit_per_minute": "1000000",
    "auth_rate_limit_per_minute": "1000000",
    "exports_per_hour": "1000000",
    "login_max_failures_per_address": "1000000",
    "login_max_failures_per_account": "1000000",
    "password_resets_per_address_per_hour": "1000",
    "webhook_max_failures_per_address": "1000000",
}


async def _verified_learner(base_url: str, outbox: Path) -> None:
    profile = {"display_name": "Outside", "skills": ["python", "sql"], "location": "Lagos, NG", "hours_per_week": 6}
    body = {
        "email": LEARNER,
        "password": PASSWORD,
        "role": "learner",
        "profile": profile,
        "accepted_terms_version": TERMS_VERSION,
    }
    async with httpx.AsyncClient(base_url=base_url, timeout=15.0) as client:
        response = await client.post("/api/v1/auth/register", json=body)
        assert response.status_code == 201, response.text
        [mail] = mails_to(outbox, LEARNER)
        response = await client.post("/api/v1/auth/email/verify", json={"token": token_in(mail)})
        assert response.status_code == 204, response.text
        document = (await client.get("/schema/openapi.json")).json()
    operations = sum(
        method in {"get", "post", "put", "patch", "delete"} for item in document["paths"].values() for method in item
    )
    assert operations >= 60, operations


async def _schemathesis(base_url: str, report: Path) -> tuple[int, str]:
    # Run in the report's directory: schemathesis keeps a cache (.schemathesis/) in its working directory.
    # One worker: schemathesis's workers are threads, and on CPython 3.11 two threads parsing source at once
    # (hypothesis describes its lambdas with `ast`) can raise "AST constructor recursion depth mismatch"
    # (python/cpython#106905), which the run reports as an error of whatever operation it was testing.
    env = {**os.environ, "SKILLBRIDGE_FUZZ_EMAIL": LEARNER, "SKILLBRIDGE_FUZZ_PASSWORD": PASSWORD}
    process = await asyncio.create_subprocess_exec(
        str(SCHEMATHESIS), "--config-file", str(CONFIG), "--no-color", "run", f"{base_url}/schema/openapi.json",
        "--checks", "all", "--max-examples", str(EXAMPLES), "--seed", str(SEED), "--workers", "1",
        "--report", "junit", "--report-junit-path", str(report),
        env=env, cwd=report.parent, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        output, _ = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise AssertionError(f"schemathesis ran longer than {RUN_TIMEOUT_SECONDS} s") from None
    assert process.returncode is not None
    return process.returncode, output.decode("utf-8", "replace")


@pytest.mark.asyncio
async def test_an_outside_schemathesis_run_finds_nothing(tmp_path: Path) -> None:
    async with running_server(tmp_path, **UNLIMITED) as server:
        await _verified_learner(server.base_url, tmp_path / "outbox")
        report = tmp_path / "junit.xml"
        returncode, output = await _schemathesis(server.base_url, report)

    suite = ET.parse(report).getroot()  # noqa: S314 - the report schemathesis just wrote here, not outside input
    tested = [case.get("name") for case in suite.iter("testcase")]
    failed = [case.get("name") for case in suite.iter("testcase") if any(c.tag in {"failure", "error"} for c in case)]
    assert failed == [], output
    assert returncode == 0, output
    # Every operation was run (the document has 60; a report of none would pass the checks above), and the
    # stateful phase ran its scenarios.
    assert len(set(tested)) >= 60, tested
    assert "Stateful" in output and "Scenarios:" in output, output


_DEFAULT_ACCEPTED = {"2xx", "3xx", "401", "403", "404", "409", "429", "5xx"}


def _names(entry: dict[str, Any]) -> list[str]:
    names = entry.get("include-name", [])
    return [names] if isinstance(names, str) else list(names)


def test_the_config_allows_only_the_refusals_the_document_describes() -> None:
    # A refusal of valid data is allowed in the outside run only where the operation's description says which
    # rule the schema cannot state, with that status; and every such rule is allowed there (no stale entry).
    # An operation taking Idempotency-Key refuses a key already used with another request: 422.
    config = tomllib.loads(CONFIG.read_text("utf-8"))
    allowed: dict[tuple[str, str], set[str]] = {}
    for entry in config["operations"]:
        accepted = entry.get("checks", {}).get("positive_data_acceptance", {}).get("expected-statuses")
        for name in _names(entry):
            method, path = name.split(" ", 1)
            if accepted is not None:
                allowed[(method, path)] = set(accepted) - _DEFAULT_ACCEPTED
    expected = {operation: {str(status)} for operation, (status, _) in UNSTATED_RULES.items()}
    for operation in TAKING_IDEMPOTENCY_KEY:
        expected[operation] = expected.get(operation, set()) | {"422"}
    assert allowed == expected


def test_the_config_lets_503_pass_only_for_the_unconfigured_github_login() -> None:
    config = tomllib.loads(CONFIG.read_text("utf-8"))
    lenient = {
        name
        for entry in config["operations"]
        if "503" in entry.get("checks", {}).get("not_a_server_error", {}).get("expected-statuses", [])
        for name in _names(entry)
    }
    assert lenient == {"GET /api/v1/auth/github/login", "GET /api/v1/auth/github/callback"}
