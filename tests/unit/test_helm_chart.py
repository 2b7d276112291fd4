"""The Helm chart rendered by Helm itself, offline, and its manifests checked against the Kubernetes schemas.

helm-python-sdk binds Helm's own Go library (v4, ``libhelm_c``): ``lint`` and ``render`` are ``helm lint`` and
``helm template`` without a binary or a cluster. kubernetes-validate checks each rendered object against the
OpenAPI schemas of a Kubernetes release, strictly (an unknown field is an error)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

CHART = Path(__file__).resolve().parents[2] / "deploy" / "helm" / "skillbridge"
#: The oldest Kubernetes release the chart supports (autoscaling/v2, policy/v1 and networking/v1 are GA there).
KUBERNETES = "1.30.0"
SECRETS = {
    "databaseUrl": "postgresql+asyncpg://skillbridge:pw@db:5432/skillbridge",
    "redisUrl": "redis://redis:6379/0",
    "secretKey": "k" * 40,
    "opsToken": "o" * 20,
    "matcherToken": "m" * 20,
}
#: What each component's pods are labelled with (the chart's selector labels, written out).
LABELS = {"app.kubernetes.io/name": "skillbridge", "app.kubernetes.io/instance": "skillbridge"}


def _render(values: dict[str, Any], chart: Path = CHART) -> list[dict[str, Any]]:
    loaded = helm.Chart.load(str(chart))
    try:
        manifests = loaded.render(values, name="skillbridge", namespace="prod", is_install=True)
    finally:
        loaded.close()
    return [document for text in manifests.values() for document in yaml.safe_load_all(text) if document]


def _one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, [(o["kind"], o["metadata"]["name"]) for o in objects]
    return found[0]


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return _render({"secrets": SECRETS})


def _broken_copy(tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "skillbridge"
    shutil.copytree(CHART, copy)
    api = copy / "templates" / "api.yaml"
    api.write_text(api.read_text("utf-8") + "\n{{ if }}\n", "utf-8")
    yield copy


def test_helm_lint_passes_strictly(tmp_path: Path) -> None:
    result = helm.lint(str(CHART), {"secrets": SECRETS}, strict=True, kube_version=KUBERNETES)
    assert result["errors"] == []
    # Severity 1 is informational (Helm's support.InfoSev): only the missing icon.
    assert [(m["severity"], m["error"]) for m in result["messages"]] == [(1, "icon is recommended")]
    # Positive control: a template that does not parse is an error.
    broken = next(_broken_copy(tmp_path))
    assert helm.lint(str(broken), {"secrets": SECRETS}, strict=True)["errors"] != []


def test_every_rendered_object_is_valid_for_kubernetes(objects: list[dict[str, Any]]) -> None:
    kinds = sorted((o["kind"], o["metadata"]["name"]) for o in objects)
    assert kinds == [
        ("Deployment", "skillbridge-api"),
        ("Deployment", "skillbridge-matcher"),
        ("Deployment", "skillbridge-scheduler"),
        ("Deployment", "skillbridge-worker"),
        ("HorizontalPodAutoscaler", "skillbridge-api"),
        ("Job", "skillbridge-migrate-1"),
        ("NetworkPolicy", "skillbridge-matcher"),
        ("PodDisruptionBudget", "skillbridge-api"),
        ("Secret", "skillbridge-secrets"),
        ("Service", "skillbridge-api"),
        ("Service", "skillbridge-matcher"),
    ]
    for obj in objects:
        kubernetes_validate.validate(obj, KUBERNETES, strict=True)


def test_the_validation_catches_a_wrong_manifest(objects: list[dict[str, Any]]) -> None:
    api = _one(objects, "Deployment", "skillbridge-api")
    wrong = {**api, "spec": {**api["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong, KUBERNETES, strict=True)
    unknown = {**api, "spec": {**api["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(unknown, KUBERNETES, strict=True)


def test_migrations_run_first_as_a_hook(objects: list[dict[str, Any]]) -> None:
    job = _one(objects, "Job", "skillbridge-migrate-1")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert "migrate" in container["args"]
    # The hook runs before the release's own objects exist: its Secret must be a hook too, and come first.
    secret = _one(objects, "Secret", "skillbridge-secrets")
    assert secret["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    weight = int(secret["metadata"]["annotations"]["helm.sh/hook-weight"])
    assert weight < int(job["metadata"]["annotations"]["helm.sh/hook-weight"])


def test_the_api_is_probed_scaled_and_kept_available(objects: list[dict[str, Any]]) -> None:
    api = _one(objects, "Deployment", "skillbridge-api")
    (container,) = api["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    readiness = " ".join(container["readinessProbe"]["exec"]["command"])
    assert "/ready" in readiness and "SKILLBRIDGE_OPS_TOKEN" in readiness
    hpa = _one(objects, "HorizontalPodAutoscaler", "skillbridge-api")
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "skillbridge-api"}
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    pdb = _one(objects, "PodDisruptionBudget", "skillbridge-api")
    assert pdb["spec"]["selector"]["matchLabels"] == api["spec"]["selector"]["matchLabels"]


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def test_only_the_api_reaches_the_matcher(objects: list[dict[str, Any]]) -> None:
    policy = _one(objects, "NetworkPolicy", "skillbridge-matcher")["spec"]
    pods = {
        o["metadata"]["name"]: o["spec"]["template"]["metadata"]["labels"] for o in objects if o["kind"] == "Deployment"
    }
    assert _selects(policy["podSelector"]["matchLabels"], pods["skillbridge-matcher"])
    assert policy["policyTypes"] == ["Ingress"]
    (rule,) = policy["ingress"]
    allowed = [
        name
        for name, labels in pods.items()
        if any(_selects(p["podSelector"]["matchLabels"], labels) for p in rule["from"])
    ]
    assert allowed == ["skillbridge-api"]
    assert all("namespaceSelector" not in peer and "ipBlock" not in peer for peer in rule["from"])
    assert pods["skillbridge-api"] == LABELS | {"app.kubernetes.io/component": "api"}


def test_only_the_api_is_told_where_the_matcher_is(objects: list[dict[str, Any]]) -> None:
    """A pod the NetworkPolicy keeps out must not be given the URL: it would try the service first on every
    matching call and wait for its connect timeout."""
    told = {
        o["metadata"]["name"]
        for o in objects
        if o["kind"] in {"Deployment", "Job"}
        for container in o["spec"]["template"]["spec"]["containers"]
        if any(e["name"] == "SKILLBRIDGE_MATCHER_URL" for e in container.get("env", []))
    }
    assert told == {"skillbridge-api"}
    api = _one(objects, "Deployment", "skillbridge-api")
    (container,) = api["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert env["SKILLBRIDGE_MATCHER_URL"]["value"] == "http://skillbridge-matcher:8001"
    assert env["SKILLBRIDGE_MATCHER_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == "MATCHER_TOKEN"
    matcher = _one(objects, "Service", "skillbridge-matcher")
    assert [p["port"] for p in matcher["spec"]["ports"]] == [8001]


def test_an_existing_secret_replaces_the_charts_own() -> None:
    objects = _render({"existingSecret": "managed-elsewhere"})
    assert [o for o in objects if o["kind"] == "Secret"] == []
    for obj in objects:
        kubernetes_validate.validate(obj, KUBERNETES, strict=True)
    api = _one(objects, "Deployment", "skillbridge-api")
    (container,) = api["spec"]["template"]["spec"]["containers"]
    references = {e["name"]: e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"] if "valueFrom" in e}
    assert references["SKILLBRIDGE_SECRET_KEY"] == "managed-elsewhere"
    assert set(references.values()) == {"managed-elsewhere"}


def test_without_secrets_the_render_refuses() -> None:
    with pytest.raises(helm.HelmRenderError, match="secrets"):
        _render({})


def test_the_matcher_takes_its_own_settings() -> None:
    endpoint = "http://otel-collector:4318"
    objects = _render({"secrets": SECRETS, "matcher": {"env": {"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint}}})
    (container,) = _one(objects, "Deployment", "skillbridge-matcher")["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == endpoint
    assert env["MATCHER_BIND"] == "0.0.0.0:8001"
    for obj in objects:
        kubernetes_validate.validate(obj, KUBERNETES, strict=True)
