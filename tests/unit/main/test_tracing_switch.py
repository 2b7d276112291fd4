"""Tracing stays off (nothing of OpenTelemetry imported) unless the OTEL_* variables ask for it; asked for
without the tracing extra installed, the process refuses to start and says what to install."""

from __future__ import annotations

import sys

import pytest

from skillbridge.main.tracing import start_tracing, tracing_on

OTEL_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER")


@pytest.fixture(autouse=True)
def no_otel_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OTEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_without_the_variables_tracing_stays_off() -> None:
    assert start_tracing() is False
    assert not tracing_on()


def test_asked_for_without_the_extra_the_start_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    monkeypatch.setitem(sys.modules, "opentelemetry.sdk", None)  # as if the extra were not installed
    with pytest.raises(RuntimeError, match="tracing extra"):
        start_tracing()
    assert not tracing_on()
