#!/usr/bin/env bash
# Make Prometheus's promtool available and print its path, without installing (and so starting) a Prometheus
# server: the one on PATH if there is one; else the copy cached in .cache/tools/ (git-ignored); else promtool is
# taken out of the distribution's `prometheus` package (`apt-get download`, then `dpkg-deb`: nothing is
# installed) and cached. Quiet but for the path; a second run only checks that the cached file is there.
#
#   scripts/promtool.sh                 prints e.g. /path/to/repo/.cache/tools/promtool
#   "$(scripts/promtool.sh)" check rules deploy/prometheus/alerts.yaml
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cached="$PWD/.cache/tools/promtool"

fail() {
    echo "scripts/promtool.sh: $*" >&2
    echo "scripts/promtool.sh: put promtool on PATH instead (it is in every Prometheus release archive," \
        "https://prometheus.io/download/, and in the Debian and Ubuntu package prometheus)" >&2
    exit 1
}

if found="$(command -v promtool)"; then
    echo "$found"
    exit 0
fi
if [[ -x "$cached" ]]; then
    echo "$cached"
    exit 0
fi

for tool in apt-get dpkg-deb tar; do
    command -v "$tool" >/dev/null || fail "promtool is not on PATH, nor cached, and $tool is not here to fetch it"
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get run as root downloads as its unprivileged user _apt, which must be able to write the file here.
chmod 0777 "$work"

download() {
    (cd "$work" && apt-get download -qq prometheus) >/dev/null 2>"$work/apt.log"
}

if ! download; then
    # The package lists are missing or stale (a fresh container, or a version the mirror no longer has):
    # refresh them once, which needs root.
    if ((EUID == 0)); then
        refresh=(apt-get update -qq)
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        refresh=(sudo -n apt-get update -qq)
    else
        fail "apt-get download prometheus failed ($(tail -n 1 "$work/apt.log")), and refreshing the package" \
            "lists needs root: run apt-get update as root"
    fi
    "${refresh[@]}" >/dev/null 2>"$work/update.log" ||
        fail "apt-get update failed: $(tail -n 1 "$work/update.log")"
    download || fail "apt-get download prometheus failed: $(tail -n 1 "$work/apt.log")"
fi

# Only the one file: the package also holds the 50 MB server.
package=("$work"/prometheus_*.deb)
dpkg-deb --fsys-tarfile "${package[0]}" | tar -x -C "$work" ./usr/bin/promtool ||
    fail "${package[0]##*/} has no usr/bin/promtool"
"$work/usr/bin/promtool" --version >/dev/null 2>&1 || fail "the promtool of ${package[0]##*/} does not run here"

# Moved into place in one step, so that a concurrent run never sees half a file.
mkdir -p "${cached%/*}"
mv "$work/usr/bin/promtool" "$cached.$$"
mv -f "$cached.$$" "$cached"
echo "$cached"
