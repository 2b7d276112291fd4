"""Where promtool is: on PATH, or where ``scripts/promtool.sh`` caches it (CI runs the script first)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.support.databases import service_unavailable

REPOSITORY = Path(__file__).resolve().parents[2]
#: Where scripts/promtool.sh leaves the promtool it takes out of the Debian package.
CACHED_PROMTOOL = REPOSITORY / ".cache" / "tools" / "promtool"


def promtool() -> str:
    """The path of promtool; fails the test on CI when there is none, skips it elsewhere."""
    found = shutil.which("promtool")
    if found is None and os.access(CACHED_PROMTOOL, os.X_OK):
        found = str(CACHED_PROMTOOL)
    if found is None:
        service_unavailable("promtool is neither on PATH nor in .cache/tools/ (run scripts/promtool.sh to fetch it)")
    return found
