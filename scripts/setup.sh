#!/usr/bin/env bash
# Sets up a fresh Debian machine for autoconv: installs the system packages (OpenCL headers and
# loader, POCL as a CPU OpenCL device, gnuplot for sweep plots) and builds the release binary.
#   scripts/setup.sh             install packages, then build
#   scripts/setup.sh --deps-only install packages only (CI builds through the tests)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clinfo gnuplot-nox)
if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    missing=()
    for p in "${packages[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "setup: installing ${missing[*]}" >&2
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
else
    echo "setup: apt-get not found; install these yourself: ${packages[*]}" >&2
fi

if [ "${1:-}" != "--deps-only" ]; then
    swift build -c release
fi
