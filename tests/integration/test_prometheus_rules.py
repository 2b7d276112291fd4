"""The alert rules under deploy/prometheus/ as Prometheus itself reads them, with its own promtool: `promtool
check rules` accepts them (PromQL, durations, the Go templates of the annotations), `promtool test rules` runs
their unit tests (deploy/prometheus/alerts.test.yaml: each alert fired by one set of series, and not by another,
with exact labels and annotations), and the Grafana dashboard's expressions parse as Prometheus parses them.
Each check is shown to fail on a broken copy, so that none can pass for the wrong reason.

promtool is found on PATH or where scripts/promtool.sh caches it (.ci/run runs the script before the tests);
without it these tests fail on CI and are skipped elsewhere."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.promtool import promtool

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ALERTS = DEPLOY / "prometheus" / "alerts.yaml"
ALERT_TESTS = DEPLOY / "prometheus" / "alerts.test.yaml"
DASHBOARD = DEPLOY / "grafana" / "skillbridge.json"


def _run(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    command = [promtool(), *map(str, arguments)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def _alert_names() -> list[str]:
    return [rule["alert"] for group in _load(ALERTS)["groups"] for rule in group["rules"]]


# --- promtool check rules -----------------------------------------------------------------------------------


def test_promtool_accepts_the_alert_rules() -> None:
    result = _run("check", "rules", ALERTS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(_alert_names())} rules found" in result.stdout


#: Broken copies of the rules (text replaced -> by): what `check rules` must refuse, and what it says.
BROKEN_RULES = {
    "unbalanced expression": (
        "max(skillbridge_job_queue_oldest_age_seconds) > 600",
        "max(skillbridge_job_queue_oldest_age_seconds)) > 600",
        'rule 3, "SkillBridgeJobQueueStale": could not parse expression',
    ),
    "unknown function": (
        "max(skillbridge_job_queue_oldest_age_seconds) > 600",
        "maximum(skillbridge_job_queue_oldest_age_seconds) > 600",
        'unknown function with name "maximum"',
    ),
    "unknown template function": (
        "{{ $value | humanizeDuration }}.",
        "{{ $value | humanizeDurations }}.",
        'function "humanizeDurations" not defined',
    ),
    "not a duration": ("for: 10m", "for: ten minutes", 'not a valid duration string: "ten minutes"'),
}


@pytest.mark.parametrize("mistake", sorted(BROKEN_RULES))
def test_promtool_refuses_broken_rules(mistake: str, tmp_path: Path) -> None:
    before, after, message = BROKEN_RULES[mistake]
    text = ALERTS.read_text("utf-8")
    assert text.count(before) == 1, f"the rules no longer hold {before!r}: update this test"
    broken = tmp_path / "alerts.yaml"
    broken.write_text(text.replace(before, after), "utf-8")
    result = _run("check", "rules", broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in result.stderr, result.stderr


# --- promtool test rules ------------------------------------------------------------------------------------


def test_every_alert_has_a_case_that_fires_it_and_one_that_must_not() -> None:
    document = _load(ALERT_TESTS)
    assert document["rule_files"] == [ALERTS.name]
    fired: set[str] = set()
    quiet: set[str] = set()
    for case in document["tests"]:
        for check in case["alert_rule_test"]:
            (fired if check["exp_alerts"] else quiet).add(check["alertname"])
            for alert in check["exp_alerts"]:
                # Exact expectations: the severity and every annotation the rule has.
                assert alert["exp_labels"]["severity"] in {"page", "ticket"}, check["alertname"]
                assert alert["exp_annotations"]["summary"], check["alertname"]
    assert fired == set(_alert_names())
    assert quiet == set(_alert_names())


def test_the_alert_unit_tests_pass() -> None:
    result = _run("test", "rules", ALERT_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
    assert "FAILED" not in result.stdout + result.stderr


def _check(document: dict[str, Any], case_prefix: str, alertname: str, eval_time: str) -> dict[str, Any]:
    """The one expectation of ``alertname`` at ``eval_time`` in the test case whose name starts so."""
    (case,) = [case for case in document["tests"] if case["name"].startswith(case_prefix)]
    (check,) = [
        check for check in case["alert_rule_test"] if (check["alertname"], check["eval_time"]) == (alertname, eval_time)
    ]
    return check  # type: ignore[no-any-return]


def _wrong_annotation(document: dict[str, Any]) -> str:
    check = _check(document, "5% of requests answer 5xx", "SkillBridgeHighErrorRate", "10m")
    check["exp_alerts"][0]["exp_annotations"]["description"] = "6% of requests answered 5xx over 5 minutes."
    return "SkillBridgeHighErrorRate"


def _wrong_label(document: dict[str, Any]) -> str:
    check = _check(document, "the openai breaker is open", "SkillBridgeCircuitBreakerOpen", "10m")
    check["exp_alerts"][0]["exp_labels"]["breaker"] = "matching-remote"
    return "SkillBridgeCircuitBreakerOpen"


def _firing_alert_expected_quiet(document: dict[str, Any]) -> str:
    _check(document, "every request takes between 1 s and 2.5 s", "SkillBridgeSlowRequests", "15m")["exp_alerts"] = []
    return "SkillBridgeSlowRequests"


def _quiet_alert_expected_firing(document: dict[str, Any]) -> str:
    firing = _check(document, "one API process loses the database", "SkillBridgeDatabaseDown", "5m")["exp_alerts"]
    _check(document, "Redis is down and the database is up", "SkillBridgeDatabaseDown", "5m")["exp_alerts"] = firing
    return "SkillBridgeDatabaseDown"


def _pending_alert_expected_firing(document: dict[str, Any]) -> str:
    firing = _check(document, "the oldest job of one worker", "SkillBridgeJobQueueStale", "10m")["exp_alerts"]
    _check(document, "the oldest job of one worker", "SkillBridgeJobQueueStale", "4m")["exp_alerts"] = firing
    return "SkillBridgeJobQueueStale"


#: One expectation changed in a copy of the unit tests: promtool must then fail, naming the alert.
WRONG_EXPECTATIONS: dict[str, Callable[[dict[str, Any]], str]] = {
    "an annotation": _wrong_annotation,
    "a label": _wrong_label,
    "a firing alert expected quiet": _firing_alert_expected_quiet,
    "a quiet alert expected firing": _quiet_alert_expected_firing,
    "a pending alert expected firing": _pending_alert_expected_firing,
}


def _copy_of_the_tests(tmp_path: Path, change: Callable[[dict[str, Any]], str] | None) -> tuple[Path, str | None]:
    document = copy.deepcopy(_load(ALERT_TESTS))
    document["rule_files"] = [str(ALERTS)]  # the copy lives elsewhere: the rules by their absolute path
    changed = change(document) if change is not None else None
    path = tmp_path / "alerts.test.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
    return path, changed


def test_an_unchanged_copy_of_the_alert_unit_tests_passes(tmp_path: Path) -> None:
    """Positive control of the next test: copying the tests (rules by absolute path) breaks nothing."""
    path, _ = _copy_of_the_tests(tmp_path, None)
    result = _run("test", "rules", path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize("wrong", sorted(WRONG_EXPECTATIONS))
def test_the_alert_unit_tests_fail_when_one_expectation_is_wrong(wrong: str, tmp_path: Path) -> None:
    path, alertname = _copy_of_the_tests(tmp_path, WRONG_EXPECTATIONS[wrong])
    result = _run("test", "rules", path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert output.count("FAILED:") == 1, output
    assert f"alertname: {alertname}," in output, output


# --- the dashboard's expressions ----------------------------------------------------------------------------


def _dashboard_as_recording_rules(expressions: list[str]) -> dict[str, Any]:
    """The dashboard's expressions as recording rules, the one form in which promtool checks bare PromQL."""
    rules = [{"record": f"skillbridge_dashboard:panel_{index}", "expr": text} for index, text in enumerate(expressions)]
    return {"groups": [{"name": "dashboard", "rules": rules}]}


def _dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text("utf-8"))
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_promtool_parses_every_dashboard_expression(tmp_path: Path) -> None:
    expressions = _dashboard_expressions()
    assert len(expressions) >= 12
    rules = tmp_path / "dashboard.rules.yaml"
    rules.write_text(yaml.safe_dump(_dashboard_as_recording_rules(expressions)), "utf-8")
    result = _run("check", "rules", rules)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(expressions)} rules found" in result.stdout


def test_promtool_refuses_a_broken_dashboard_expression(tmp_path: Path) -> None:
    """Negative control of the test above: the same file with one expression cut short is refused."""
    expressions = _dashboard_expressions()
    expressions[3] = expressions[3][:-1]
    rules = tmp_path / "dashboard.rules.yaml"
    rules.write_text(yaml.safe_dump(_dashboard_as_recording_rules(expressions)), "utf-8")
    result = _run("check", "rules", rules)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'rule 4, "skillbridge_dashboard:panel_3": could not parse expression' in result.stderr, result.stderr
