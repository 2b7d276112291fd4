"""The operator's files under deploy/ and .github/ hold together: the alert rules and the dashboard are
well formed and ask only for metrics the service exports, the compose file is the production topology, and
the GitHub workflow runs what .ci/run runs. What tools check besides: promtool checks and unit-tests the alert
rules (tests/integration/test_prometheus_rules.py), the expressions' metrics are checked against a running
app's /metrics (tests/integration/test_monitoring_files.py), and the workflow and the compose file are validated
against their JSON schemas (tests/unit/test_github_workflow_schema.py, in place of actionlint, which has no
package here; tests/unit/test_compose_schema.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

REPOSITORY = Path(__file__).resolve().parents[2]
DEPLOY = REPOSITORY / "deploy"

#: Every metric the service exports that the rules and the dashboard may use, written out by hand.
EXPORTED = {
    "skillbridge_requests_total",
    "skillbridge_request_duration_seconds_bucket",
    "skillbridge_job_runs_total",
    "skillbridge_job_queue_depth",
    "skillbridge_job_queue_oldest_age_seconds",
    "skillbridge_circuit_breaker_state",
    "skillbridge_dependency_up",
    "skillbridge_db_pool_connections",
    "skillbridge_db_pool_waiting",
    "skillbridge_open_streams",
    "skillbridge_openai_tokens_total",
    "skillbridge_matching_calls_total",
    "skillbridge_matching_fallbacks_total",
}
#: What the issue asks alerts for, and the names they have.
REQUIRED_ALERTS = {
    "SkillBridgeHighErrorRate",  # error rate
    "SkillBridgeSlowRequests",  # latency
    "SkillBridgeJobQueueStale",  # queue age
    "SkillBridgeJobsFailing",  # failed jobs
    "SkillBridgeCircuitBreakerOpen",  # breaker open
    "SkillBridgeDatabaseDown",  # database down
}
_METRIC = re.compile(r"\bskillbridge_[a-z_]+\b")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def test_every_exported_metric_is_defined_in_the_source() -> None:
    source = "\n".join(p.read_text("utf-8") for p in (REPOSITORY / "src").rglob("*.py"))
    for name in EXPORTED:
        family = re.sub(r"_(bucket|total)$", "", name)
        assert f'"{family}' in source, name


def test_the_alert_rules_are_well_formed_and_cover_what_is_asked() -> None:
    rules = [rule for group in _load(DEPLOY / "prometheus" / "alerts.yaml")["groups"] for rule in group["rules"]]
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    assert set(names) >= REQUIRED_ALERTS
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert rule["annotations"]["summary"]
        assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]
        if "for" in rule:
            assert re.fullmatch(r"\d+[smh]", rule["for"])
        assert set(_METRIC.findall(rule["expr"])) <= EXPORTED, rule["alert"]


def test_the_dashboard_asks_only_for_exported_metrics() -> None:
    dashboard = json.loads((DEPLOY / "grafana" / "skillbridge.json").read_text("utf-8"))
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    assert len(expressions) >= 12
    used = {name for expression in expressions for name in _METRIC.findall(expression)}
    assert used <= EXPORTED
    assert used == EXPORTED  # every metric has a panel
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))


def test_compose_is_the_production_topology() -> None:
    compose = _load(DEPLOY / "compose.yaml")
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "matcher", "migrate", "api", "worker", "scheduler"}
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in ("api", "worker", "scheduler"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert services[name]["environment"]["SKILLBRIDGE_PROFILE"] == "production", name
        assert "healthcheck" in services[name], name
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "--scheduler" in services["scheduler"]["command"]
    assert "--no-scheduler" in services["worker"]["command"]  # exactly one scheduler
    for name in ("postgres", "redis"):
        assert "healthcheck" in services[name], name
    text = (DEPLOY / "compose.yaml").read_text("utf-8")
    for secret in ("POSTGRES_PASSWORD", "SKILLBRIDGE_SECRET_KEY", "SKILLBRIDGE_OPS_TOKEN", "MATCHER_TOKEN"):
        assert re.search(r"\$\{" + secret + r":\?", text), f"{secret} must be required from the environment"


def test_the_github_workflow_mirrors_ci_run() -> None:
    workflow = _load(REPOSITORY / ".github" / "workflows" / "ci.yml")
    assert set(workflow[True]) >= {"pull_request", "push"}  # YAML 1.1 reads the key `on` as true
    job = workflow["jobs"]["test"]
    assert set(job["services"]) == {"postgres", "redis"}
    assert job["services"]["postgres"]["env"]["POSTGRES_HOST_AUTH_METHOD"] == "trust"
    assert job["env"]["CI"] == "true"
    runs = [step.get("run", "") for step in job["steps"]]
    assert runs[-1] == "bash .ci/run"
    assert "make test" in (REPOSITORY / ".ci" / "run").read_text("utf-8")


CHART = DEPLOY / "helm" / "skillbridge"
_VALUES_PATH = re.compile(r"\.Values\.([A-Za-z0-9_.]+)")


def _has(values: Any, path: str) -> bool:
    for part in path.split("."):
        if not isinstance(values, dict) or part not in values:
            return False
        values = values[part]
    return True


def test_the_helm_templates_use_only_values_the_chart_defines() -> None:
    # The commonest mistake, a template reading a value that values.yaml does not define (Helm renders it as
    # empty). The rendered chart is validated in test_helm_chart.py.
    chart = _load(CHART / "Chart.yaml")
    assert (chart["apiVersion"], chart["name"]) == ("v2", "skillbridge")
    values = _load(CHART / "values.yaml")
    templates = {path.name: path.read_text("utf-8") for path in (CHART / "templates").iterdir()}
    assert set(templates) == {
        "_helpers.tpl", "secret.yaml", "migrations-job.yaml", "api.yaml", "workers.yaml", "matcher.yaml",
    }  # fmt: skip
    used = {path for text in templates.values() for path in _VALUES_PATH.findall(text)}
    assert used, "no template reads a value"
    assert sorted(path for path in used if not _has(values, path)) == []
    everything = "\n".join(templates.values())
    for kind in ("Deployment", "Job", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "Secret"):
        assert f"kind: {kind}" in everything, kind
    assert "helm.sh/hook: pre-install,pre-upgrade" in templates["migrations-job.yaml"]
    assert "path: /health" in templates["api.yaml"]
    assert "/ready" in templates["api.yaml"]
