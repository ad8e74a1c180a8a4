#!/bin/bash
# Runs a grid of single-level jobs and plots the certified bound against m for each n.
#
#   scripts/sweep.sh --n "1 2 3" --m "2 4 6 8 10" [--target "1 1.05"] [--rule refined]
#                    [--max-window 2d] [--csv sweep.csv] [--plot sweep.png] [--autoconv BIN]
#                    [-- EXTRA AUTOCONV OPTIONS, e.g. --backend opencl --threads 8]
#
# For every (n, m) it runs `autoconv bound`, and `autoconv prove` for every target, and appends
# one CSV row per run (parameters, certified bound or verdict, seconds, device). A row that is
# already in the CSV (same command, n, m, rule, window set and target) is not run again, so an
# interrupted sweep resumes where it stopped. Afterwards it draws the certified bound against m,
# one line per n, with gnuplot (Debian: apt-get install -y gnuplot-nox) into the PNG.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
ns="" ms="" targets="" rule=refined window=2d csv=sweep.csv plot="" bin=""
while [ $# -gt 0 ]; do
    case $1 in
        --n) ns=$2; shift 2 ;;
        --m) ms=$2; shift 2 ;;
        --target) targets=$2; shift 2 ;;
        --rule) rule=$2; shift 2 ;;
        --max-window) window=$2; shift 2 ;;
        --csv) csv=$2; shift 2 ;;
        --plot) plot=$2; shift 2 ;;
        --autoconv) bin=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "sweep.sh: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
    esac
done
[ -n "$ns" ] && [ -n "$ms" ] || { echo "usage: sweep.sh --n \"N...\" --m \"M...\" [--target \"T...\"] [options]" >&2; exit 2; }
plot=${plot:-${csv%.csv}.png}
if [ -z "$bin" ]; then
    (cd "$root" && swift build -c release --product autoconv >&2)
    bin=$(cd "$root" && swift build -c release --show-bin-path)/autoconv
fi

header=command,n,m,rule,max_window,target,certified_bound,certified_bound_value,min_test,proven,survivors,elapsed_seconds,device
[ -s "$csv" ] || echo "$header" > "$csv"

# field NAME < JSON: the value of a top-level scalar field of autoconv's one-line JSON.
field() { sed -nE "s/.*\"$1\": \"?([^\",}]*)\"?[,}].*/\1/p"; }

# run COMMAND N M TARGET ARGS...: one row, unless the CSV has it already.
run() {
    local command=$1 n=$2 m=$3 target=$4
    shift 4
    local key="$command,$n,$m,$rule,$window,$target,"
    if awk -v k="$key" 'index($0, k) == 1 {found = 1} END {exit !found}' "$csv"; then
        echo "sweep: $key already done" >&2
        return
    fi
    local json status=0
    json=$("$bin" "$command" --n "$n" --m "$m" --rule "$rule" --max-window "$window" --json "$@") || status=$?
    # prove exits 1 when survivors remain: still a result.
    if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
        echo "sweep: $command n=$n m=$m${target:+ target=$target} failed (exit $status); no row written" >&2
        return
    fi
    local device
    device=$(field device <<<"$json" | tr ',' ';')
    echo "$key$(field certified_bound <<<"$json"),$(field certified_bound_value <<<"$json"),$(field min_test <<<"$json"),$(field proven <<<"$json"),$(field survivors <<<"$json"),$(field elapsed_seconds <<<"$json"),$device" >> "$csv"
    echo "sweep: $command n=$n m=$m${target:+ target=$target} done" >&2
}

for n in $ns; do
    for m in $ms; do
        run bound "$n" "$m" "" "$@"
        for t in $targets; do
            run prove "$n" "$m" "$t" --target "$t" "$@"
        done
    done
done

# ---- Plot: certified bound (solid) and b_{n,m} (dashed) against m, one colour per n.
if ! command -v gnuplot >/dev/null; then
    echo "sweep: gnuplot not found (apt-get install -y gnuplot-nox); CSV written to $csv, no plot" >&2
    exit 0
fi
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
plots=()
colour=1
for n in $(awk -F, -v r="$rule" -v w="$window" 'NR > 1 && $1 == "bound" && $4 == r && $5 == w {print $2}' "$csv" | sort -nu); do
    awk -F, -v n="$n" -v r="$rule" -v w="$window" \
        'NR > 1 && $1 == "bound" && $2 == n && $4 == r && $5 == w {print $3, $8, $9}' "$csv" \
        | awk '{split($3, f, "/"); print $1, $2, (f[2] ? f[1] / f[2] : f[1])}' | sort -n > "$data/n$n"
    plots+=("'$data/n$n' using 1:2 with linespoints lw 2 pt 7 lc $colour title 'certified bound, n = $n (d = $((2 * n)))'")
    plots+=("'$data/n$n' using 1:3 with lines dt 2 lc $colour title 'b_{n,m}, n = $n'")
    colour=$((colour + 1))
done
[ ${#plots[@]} -gt 0 ] || { echo "sweep: no bound rows for rule=$rule max-window=$window; no plot" >&2; exit 0; }
spec=$(IFS=,; echo "${plots[*]}")
gnuplot <<GNUPLOT
set terminal pngcairo size 900,600 font ',11'
set output '$plot'
set title 'autoconv: single-level lower bounds on C (rule $rule, windows ℓ ≤ $window)'
set xlabel 'm (grid resolution: heights are multiples of 1/m)'
set ylabel 'lower bound'
set key bottom right
set grid
plot $spec
GNUPLOT
echo "sweep: plot written to $plot" >&2
