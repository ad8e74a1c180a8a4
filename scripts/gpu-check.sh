#!/usr/bin/env bash
# GPU check for the OpenCL backend (issues 3 and 4).
#
#   scripts/gpu-check.sh build   on a machine with Swift: builds a stripped release binary with
#                                the Swift standard library linked statically, into
#                                out/gpu-check/ (with this machine's OpenCL ICD loader beside it,
#                                for GPU machines that lack libOpenCL.so.1).
#   scripts/gpu-check.sh run     on the GPU machine (no Swift, no network): registers NVIDIA's
#                                OpenCL library when it is present but not registered, then runs
#                                `devices`, the self-test and the bound benchmarks, writing logs
#                                to $OUT (default out/gpu-check/logs).
#   scripts/gpu-check.sh         build when Swift is here and the binary is missing, then run.
#
# Benchmarks: bound --n 3 --m 50 with --rule flat --max-window d, and with the defaults; then
# cascades from (2, 20) to C >= 1.10 and 1.12 (each capped at CASCADE_SECONDS, default 150).
# Each log holds the kernel build time, the self-test time and the kernel time on stderr, and
# the JSON result on stdout.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundle="$root/out/gpu-check"
binary="$bundle/autoconv"

build() {
    cd "$root"
    swift build -c release --static-swift-stdlib -Xswiftc -Osize --scratch-path .build-gpu-check --product autoconv
    mkdir -p "$bundle"
    cp .build-gpu-check/release/autoconv "$binary"
    strip "$binary"
    # The ICD loader (ocl-icd, ~50 KB, needs only libc): used only when the GPU machine has none.
    loader="$(ldconfig -p | awk '/libOpenCL\.so\.1 .*x86-64/ { print $NF; exit }')"
    if [[ -n "$loader" ]]; then cp -L "$loader" "$bundle/libOpenCL.so.1"; fi
    size=$(stat -c %s "$binary")
    echo "gpu-check: $binary is $((size / 1024 / 1024)) MiB ($size bytes)"
    if (( size > 64 * 1024 * 1024 )); then echo "gpu-check: the binary exceeds 64 MiB" >&2; exit 1; fi
}

run() {
    [[ -x "$binary" ]] || { echo "gpu-check: $binary is missing; run scripts/gpu-check.sh build first" >&2; exit 2; }
    local logs="${OUT:-$bundle/logs}"
    mkdir -p "$logs"
    export POCL_CACHE_DIR="${POCL_CACHE_DIR:-$(mktemp -d)}"

    # Register NVIDIA's OpenCL library when it exists but no .icd names it: a private vendors
    # folder with every registered .icd plus nvidia.icd.
    if ! grep -qs libnvidia-opencl /etc/OpenCL/vendors/*.icd; then
        local nvidia
        nvidia="$(ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so\.1/ { print $NF; exit }')"
        if [[ -z "$nvidia" ]]; then
            nvidia="$(ls /usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1 /usr/lib64/libnvidia-opencl.so.1 /usr/local/nvidia/lib64/libnvidia-opencl.so.1 2>/dev/null | head -1 || true)"
        fi
        if [[ -n "$nvidia" ]]; then
            local vendors
            vendors="$(mktemp -d)"
            cp /etc/OpenCL/vendors/*.icd "$vendors"/ 2>/dev/null || true
            echo "$nvidia" > "$vendors/nvidia.icd"
            export OCL_ICD_VENDORS="$vendors"
            echo "gpu-check: registered $nvidia through OCL_ICD_VENDORS=$vendors" | tee "$logs/icd.log"
        fi
    fi
    if ! ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so\.1 '; then
        export AUTOCONV_OPENCL_LIBRARY="$bundle/libOpenCL.so.1"
        echo "gpu-check: no system libOpenCL.so.1; using the bundled loader" | tee -a "$logs/icd.log"
    fi

    {
        echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "host: $(uname -srm)"
        nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: not available"
    } > "$logs/machine.log"

    "$binary" devices > "$logs/devices.txt" 2>&1 || true
    "$binary" devices --json > "$logs/devices.json" 2> "$logs/devices.err" || true
    cat "$logs/devices.txt"

    # The first GPU in the list; without one, only the self-test runs (on device 0).
    local gpu
    gpu="$(awk -F '  ' '$4 == "gpu" { print $1; exit }' "$logs/devices.txt")"

    # The self-test alone (a small job) with the build options and log.
    "$binary" bound --n 2 --m 10 --backend opencl --device "${gpu:-0}" --verbose > "$logs/selftest.txt" 2>&1 || true
    tail -n 20 "$logs/selftest.txt"
    # The known answers of values.json on the CPU engine and on every OpenCL device.
    "$binary" selftest > "$logs/known-answers.txt" 2>&1 || true
    tail -n 3 "$logs/known-answers.txt"
    if [[ -z "$gpu" ]]; then
        echo "gpu-check: no GPU among the OpenCL devices; benchmarks skipped" | tee "$logs/benchmarks-skipped.txt"
        return 0
    fi

    for settings in "--rule flat --max-window d" ""; do
        local name="bound-n3-m50${settings:+-flat-d}"
        # Twice: the first run includes the driver's first compilation; the second is warm.
        for run in 1 2; do
            # shellcheck disable=SC2086
            timeout 240 "$binary" bound --n 3 --m 50 $settings --backend opencl --device "$gpu" --json \
                > "$logs/$name-$run.json" 2> "$logs/$name-$run.err" || true
            echo "== $name (run $run)"; tr '\r' '\n' < "$logs/$name-$run.err" | grep -v '^bound:' || true; cat "$logs/$name-$run.json"
        done
    done

    # Cascade reach (issue 4): from (2, 20), every level on the GPU, up to d = 16. Each run is
    # capped so that the whole script fits one device session; a capped run says so in its log.
    for target in 1.10 1.12; do
        local name="cascade-n2-m20-$target"
        timeout "${CASCADE_SECONDS:-150}" "$binary" cascade --n 2 --m 20 --target "$target" --max-d 16 \
            --backend opencl --device "$gpu" --dir "$logs/$name.run" --json \
            > "$logs/$name.json" 2> "$logs/$name.err" || echo "gpu-check: $name stopped (exit $?)" >> "$logs/$name.err"
        echo "== $name"; tr '\r' '\n' < "$logs/$name.err" | grep -v '^level [0-9]*: parents' || true; cat "$logs/$name.json"
        rm -rf "$logs/$name.run"
    done
}

case "${1:-auto}" in
    build) build ;;
    run) run ;;
    auto)
        if [[ ! -x "$binary" ]] && command -v swift > /dev/null; then build; fi
        run ;;
    *) echo "usage: scripts/gpu-check.sh [build|run]" >&2; exit 2 ;;
esac
