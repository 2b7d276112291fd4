"""Validation of a file against a JSON schema that check-jsonschema ships (``--builtin-schema``: offline)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def validate(builtin_schema: str, path: Path) -> tuple[int, dict[str, Any]]:
    """check-jsonschema's exit status and its JSON report on ``path`` against ``builtin_schema`` (e.g.
    ``vendor.github-workflows``)."""
    command = [
        sys.executable, "-m", "check_jsonschema", "--builtin-schema", builtin_schema,
        "--output-format", "JSON", str(path),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    report: dict[str, Any] = json.loads(result.stdout)
    return result.returncode, report


def refusals(report: dict[str, Any]) -> list[tuple[str, str]]:
    """Where each error of a failed ``report`` is and what it says, as precisely as the report has it (the
    deepest match, for an error under a ``oneOf``)."""
    return [
        (error.get("best_deep_match", error)["path"], error.get("best_deep_match", error)["message"])
        for error in report["errors"]
    ]


def refusals_of_a_copy(
    builtin_schema: str, original: Path, before: str, after: str, copy: Path
) -> list[tuple[str, str]]:
    """The refusals of ``original`` with its one ``before`` replaced by ``after`` (written to ``copy``),
    checked against ``builtin_schema``; asserts the copy fails (and that ``before`` is still there to break)."""
    text = original.read_text("utf-8")
    assert text.count(before) == 1, f"{original.name} no longer holds {before!r}: update this test"
    copy.write_text(text.replace(before, after), "utf-8")
    status, report = validate(builtin_schema, copy)
    assert (status, report["status"]) == (1, "fail")
    return refusals(report)
