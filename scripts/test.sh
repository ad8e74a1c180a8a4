#!/usr/bin/env bash
# Runs the whole test suite (what .ci/run calls): the Swift tests (core, CPU, POCL OpenCL,
# cascade, shards and verify, CLI; some mount a small tmpfs, so they need root), then the sweep
# script's tests, then the Slurm integration test, which starts a real single-node Slurm on
# localhost (it installs Debian's slurm packages when missing; needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
export POCL_CACHE_DIR="${POCL_CACHE_DIR:-$PWD/.build/pocl-cache}"
mkdir -p "$POCL_CACHE_DIR"
swift test "$@"
AUTOCONV_BIN="$(swift build --show-bin-path)/autoconv" scripts/test-sweep.sh
AUTOCONV_BIN="$(swift build --show-bin-path)/autoconv" scripts/test-slurm.sh
