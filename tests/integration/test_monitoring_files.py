"""The alert rules and the Grafana dashboard under deploy/ against a running app: every metric an expression
names is one the app's ``/metrics`` exports, with the labels the expression matches or groups on where the app
has samples of it, and every rule has the shape the runbook expects (severity, summary). The expressions are
walked with promql-parser (the Rust parser of GreptimeDB). This is what promtool cannot check: it knows
PromQL, not this app's metrics; the rules themselves are checked and unit-tested by promtool in
tests/integration/test_prometheus_rules.py."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from skillbridge.main import Settings
from tests.integration.helpers import register_body
from tests.support.apps import build_test_app

pytestmark = pytest.mark.asyncio

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ALERTS = DEPLOY / "prometheus" / "alerts.yaml"
DASHBOARD = DEPLOY / "grafana" / "skillbridge.json"
#: Series Prometheus makes itself for every scrape target (not the app's to export).
SCRAPE_SERIES = {"up"}
#: The series a metric family of each exposition type is queried by (the Prometheus text format's suffixes).
SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
    "untyped": ("",),
}
ALLOWED_RULE_KEYS = {"alert", "expr", "for", "labels", "annotations"}
SEVERITIES = {"page", "ticket"}


class Exported:
    """What an app's /metrics says: the series names it exports and the label names seen on each."""

    def __init__(self, text: str) -> None:
        self.series: set[str] = set()
        self.labels: dict[str, set[str]] = {}
        for family in text_string_to_metric_families(text):
            self.series |= {family.name + suffix for suffix in SUFFIXES[family.type]}
            for sample in family.samples:
                self.series.add(sample.name)
                self.labels.setdefault(sample.name, set()).update(sample.labels)


@pytest.fixture
async def exported(tmp_path: Path, migrated_sqlite_file: Path) -> AsyncIterator[Exported]:
    database = tmp_path / "metrics.db"
    shutil.copyfile(migrated_sqlite_file, database)
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{database}",
        secret_key_file=str(tmp_path / "secret_key"),
        email_outbox=str(tmp_path / "outbox"),
        argon2_time_cost=1,
        argon2_memory_kib=8,
    )
    async with AsyncTestClient(app=build_test_app(settings)) as client:
        # Some traffic first, so that the request metrics have samples whose labels can be checked.
        assert (await client.post("/api/v1/auth/register", json=register_body("m@example.org"))).status_code == 201
        assert (await client.get("/api/v1/users/me")).status_code == 401
        response = await client.get("/metrics")
        assert response.status_code == 200
        yield Exported(response.text)


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS.read_text("utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def _dashboard_expressions() -> list[tuple[str, str]]:
    dashboard = json.loads(DASHBOARD.read_text("utf-8"))
    return [(panel["title"], target["expr"]) for panel in dashboard["panels"] for target in panel["targets"]]


def _selectors(expression: promql_parser.Expr) -> Iterator[tuple[promql_parser.VectorSelector, set[str]]]:
    """Every vector selector of ``expression``, with the labels the aggregations around it group by."""
    found: list[tuple[promql_parser.VectorSelector, set[str]]] = []

    def visit(node: promql_parser.Expr, grouping: set[str]) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            found.append((node, grouping))
            return
        if isinstance(node, promql_parser.AggregateExpr):
            modifier = node.modifier
            by = (
                set(modifier.labels)
                if modifier is not None and modifier.type == promql_parser.AggModifierType.By
                else set()
            )
            visit(node.expr, grouping | by)
            return
        children: list[promql_parser.Expr] = []
        if isinstance(node, promql_parser.MatrixSelector):
            children = [node.vector_selector]
        elif isinstance(node, promql_parser.Call):
            children = list(node.args)
        elif isinstance(node, promql_parser.BinaryExpr):
            children = [node.lhs, node.rhs]
        elif isinstance(node, promql_parser.ParenExpr | promql_parser.UnaryExpr | promql_parser.SubqueryExpr):
            children = [node.expr]
        for child in children:
            visit(child, grouping)

    visit(expression, set())
    return iter(found)


def _check_expression(where: str, text: str, exported: Exported) -> int:
    """Parse ``text``, check each metric it names against ``exported``; returns how many selectors had their
    labels checked against samples."""
    try:
        expression = promql_parser.parse(text)
    except ValueError as error:
        raise AssertionError(f"{where}: {text!r} is not PromQL: {error}") from None
    checked = 0
    selectors = list(_selectors(expression))
    assert selectors, f"{where}: names no metric"
    for selector, grouping in selectors:
        name = selector.name
        assert name, f"{where}: a selector without a metric name"
        if name in SCRAPE_SERIES:
            continue
        assert name in exported.series, f"{where}: {name} is not on the app's /metrics"
        if name in exported.labels:
            wanted = {matcher.name for matcher in selector.matchers.matchers} | grouping
            missing = wanted - exported.labels[name] - {"__name__"}
            assert not missing, (
                f"{where}: {name} has no label {sorted(missing)} (it has {sorted(exported.labels[name])})"
            )
            checked += 1
    return checked


async def test_every_alert_rule_parses_has_its_structure_and_names_exported_metrics(exported: Exported) -> None:
    rules = _rules()
    assert len(rules) >= 6
    labels_checked = 0
    for rule in rules:
        name = rule["alert"]
        assert set(rule) <= ALLOWED_RULE_KEYS, name
        assert name.isidentifier() and name.startswith("SkillBridge"), name
        if "for" in rule:
            assert promql_parser.parse_duration(rule["for"]).total_seconds() > 0, name
        assert rule["labels"]["severity"] in SEVERITIES, name
        assert rule["annotations"]["summary"].strip(), name
        assert set(rule["annotations"]) <= {"summary", "description", "runbook_url"}, name
        labels_checked += _check_expression(name, rule["expr"], exported)
    # Positive control: the error-rate rule's status_code matcher met real samples.
    assert labels_checked >= 1


async def test_every_dashboard_expression_parses_and_names_exported_metrics(exported: Exported) -> None:
    expressions = _dashboard_expressions()
    assert len(expressions) >= 12
    labels_checked = sum(_check_expression(title, text, exported) for title, text in expressions)
    assert labels_checked >= 1


async def test_the_checks_catch_a_broken_expression_a_missing_metric_and_a_wrong_label(exported: Exported) -> None:
    """The checks above can fail: each kind of mistake they look for is caught."""
    with pytest.raises(AssertionError, match="is not PromQL"):
        _check_expression("unbalanced", "sum(rate(skillbridge_requests_total[5m])", exported)
    with pytest.raises(AssertionError, match="is not PromQL"):
        _check_expression("unknown function", "rates(skillbridge_requests_total[5m])", exported)
    with pytest.raises(AssertionError, match="not on the app's /metrics"):
        _check_expression("typo", "sum(rate(skillbridge_request_total[5m]))", exported)
    with pytest.raises(AssertionError, match=r"has no label \['status'\]"):
        _check_expression("label", 'sum(rate(skillbridge_requests_total{status=~"5.."}[5m]))', exported)
    with pytest.raises(AssertionError, match=r"has no label \['route'\]"):
        _check_expression("grouping", "sum by (route) (rate(skillbridge_requests_total[5m]))", exported)
    # Positive control: the same shapes with the right names pass.
    assert (
        _check_expression("ok", 'sum by (path) (rate(skillbridge_requests_total{status_code=~"5.."}[5m]))', exported)
        == 1
    )
