#!/usr/bin/env bash
# Benchmarks single-level `bound` and `prove`, and small cascades, on the CPU backend and, when an
# OpenCL device is present, on the OpenCL backend, in one run so that ratios are comparable. Prints a Markdown
# table and writes it into BENCHMARKS.md between the bench.sh markers, with the machine's
# description. Figures on a noisy shared machine are best read as ratios.
#   scripts/bench.sh [--no-write] [--repeat K]
set -euo pipefail
cd "$(dirname "$0")/.."

write=1
repeat=3
while [ $# -gt 0 ]; do
    case "$1" in
        --no-write) write=0 ;;
        --repeat) repeat="$2"; shift ;;
        *) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

swift build -c release >&2
bin="$(swift build -c release --show-bin-path)/autoconv"
export POCL_CACHE_DIR="${POCL_CACHE_DIR:-$PWD/.build/pocl-cache}"
mkdir -p "$POCL_CACHE_DIR"

backends=(cpu)
if "$bin" devices >/dev/null 2>&1; then backends+=(opencl); fi

field() { sed -n "s/.*\"$1\": \\([^,}]*\\).*/\\1/p" | tr -d '"'; }

# Best of $repeat runs: prints "seconds rate".
measure() {
    local best="" count="" out s
    for _ in $(seq "$repeat"); do
        out=$("$bin" "$@" --json 2>/dev/null || true)
        s=$(echo "$out" | field elapsed_seconds)
        count=$(echo "$out" | field compositions)
        [ -n "$s" ] || { echo "bench.sh: '$bin $*' failed" >&2; exit 3; }
        if [ -z "$best" ] || awk "BEGIN{exit !($s < $best)}"; then best=$s; fi
    done
    awk -v s="$best" -v c="$count" 'BEGIN{printf "%.4f %.3g\n", s, c / s}'
}

cpu_model=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
machine="${cpu_model:-unknown CPU}, $(nproc) cores, $(date -u +%Y-%m-%d)"
device=$("$bin" devices 2>/dev/null | head -1 || true)

table="| command | n | m | settings | backend | best of $repeat (s) | compositions/s | vs cpu |
|---|---|---|---|---|---|---|---|"
for nm in "2 100" "3 7" "3 10"; do
    set -- $nm
    n=$1 m=$2
    for settings in "--rule flat --max-window d" "--rule refined --max-window 2d"; do
        for cmd in bound "prove --target 1.05"; do
            cpu_s=""
            for backend in "${backends[@]}"; do
                read -r s rate < <(measure $cmd --n "$n" --m "$m" $settings --backend "$backend")
                [ -n "$cpu_s" ] || cpu_s=$s
                ratio=$(awk -v a="$cpu_s" -v b="$s" 'BEGIN{printf "%.2fx", a / b}')
                row="| ${cmd%% *} | $n | $m | \`$settings\` | $backend | $s | $rate | $ratio |"
                echo "$row" >&2
                table+=$'\n'"$row"
            done
        done
    done
done

# The cascade (issue 4): one run each (they take seconds to a minute), all levels to d = 8.
cascade_table="| cascade from | target | backend | proven at d | children | seconds | vs cpu |
|---|---|---|---|---|---|---|"
for target in 1.05 1.07; do
    cpu_s=""
    for backend in "${backends[@]}"; do
        out=$("$bin" cascade --n 2 --m 20 --target "$target" --max-d 8 --backend "$backend" --json 2>/dev/null || true)
        s=$(echo "$out" | field elapsed_seconds)
        [ -n "$s" ] || { echo "bench.sh: cascade --target $target --backend $backend failed" >&2; exit 3; }
        at=$(echo "$out" | field proven_at_d)
        children=$(echo "$out" | grep -o '"children": [0-9]*' | awk '{ total += $2 } END { printf "%.3g", total }')
        [ -n "$cpu_s" ] || cpu_s=$s
        ratio=$(awk -v a="$cpu_s" -v b="$s" 'BEGIN{printf "%.2fx", a / b}')
        row="| (2, 20) | $target | $backend | $at | $children | $(printf '%.2f' "$s") | $ratio |"
        echo "$row" >&2
        cascade_table+=$'\n'"$row"
    done
done

section="<!-- bench.sh:begin -->
### Single level (scripts/bench.sh)

Machine: $machine. ${device:+OpenCL device: $device.}
\"vs cpu\" is the CPU backend's time divided by this row's, measured in the same run.

$table

### Cascade (scripts/bench.sh)

Whole runs (\`elapsed_seconds\`: every level, and for OpenCL its kernel builds and self-tests).

$cascade_table
<!-- bench.sh:end -->"

echo "$section"
if [ "$write" = 1 ]; then
    [ -f BENCHMARKS.md ] || printf '# Benchmarks\n\n' > BENCHMARKS.md
    if grep -q '<!-- bench.sh:begin -->' BENCHMARKS.md; then
        awk -v section="$section" '
            /<!-- bench.sh:begin -->/ { print section; skip = 1; next }
            /<!-- bench.sh:end -->/ { skip = 0; next }
            !skip { print }' BENCHMARKS.md > BENCHMARKS.md.new
        mv BENCHMARKS.md.new BENCHMARKS.md
    else
        printf '\n%s\n' "$section" >> BENCHMARKS.md
    fi
fi
