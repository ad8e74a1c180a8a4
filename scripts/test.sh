#!/usr/bin/env bash
# Runs the whole test suite: the Swift tests (CPU, POCL OpenCL, CLI) in release mode, which
# compiles once and runs the known-answer enumerations quickly.
set -euo pipefail
cd "$(dirname "$0")/.."
export POCL_CACHE_DIR="${POCL_CACHE_DIR:-$PWD/.build/pocl-cache}"
mkdir -p "$POCL_CACHE_DIR"
swift test -c release "$@"
