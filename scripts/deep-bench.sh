#!/usr/bin/env bash
# Deep-level child search benchmark (issue 12 §2): times only the expansion of a fixed set of
# parents into their children (`autoconv bench-children`, one Engine.expand), never the levels
# before it, which are created once and cached under .build/deep-bench/.
#
#   scripts/deep-bench.sh [workload] [repeats]
#
# Workloads:
#   d16  (default) the d = 16 level of `cascade --n 2 --m 20 --target 1.12`: its 11 parents
#        (the d = 8 survivors), 18,273,798,236,606,579 children, all pruned. Creating the cache
#        runs the d = 8 level once: about 8 minutes on a quiet 2-core machine, over an hour on a
#        busy one (interrupted, it resumes on the next call).
#   d16s a sample of the d = 16 level of `cascade --n 2 --m 20 --target 1.13`: every 13,792nd of
#        its 275,838 parents (the d = 8 survivors), 20 parents. Creating the cache runs levels 0
#        and 1 of that cascade once (minutes; it resumes when interrupted). Each parent is about
#        0.6 s of an H200, so a run takes many minutes on a small CPU.
#   d8   a sample of the d = 8 level of the same cascade: every 400th of its 16,834 level-0
#        survivors (43 parents, 1.1e10 children, all pruned); its cache takes seconds.
#
# Environment: BASELINE=/path/to/other/autoconv also times that binary, interleaved (A B A B …),
# checks that both give the same counts and survivors, and prints the time ratio (the baseline
# must have `bench-children`: a build of this branch or later). Several baselines, separated by
# colons, are all interleaved, each with its own ratio.
# THREADS (default: all cores), BACKEND (cpu or opencl; default cpu), STATS=1 adds the counters,
# TARGET expands the parents at that target instead of the cascade's (e.g. 1.13 on d8, where
# children survive, to compare survivors).
set -euo pipefail
cd "$(dirname "$0")/.."
workload=${1:-d16}
repeats=${2:-3}
cache=.build/deep-bench
mkdir -p "$cache"

swift build -c release --product autoconv >&2
bin=.build/release/autoconv
flags=(--backend "${BACKEND:-cpu}" --json)
[[ -n "${THREADS:-}" ]] && flags+=(--threads "$THREADS")
[[ "${STATS:-0}" == 1 ]] && flags+=(--stats)
[[ -n "${TARGET:-}" ]] && flags+=(--target "$TARGET")

# The d = 8 survivors of `cascade --n 2 --m 20 --target T` in RUN (created once; an interrupted
# creation resumes): prints the file's path.
level1() {
    local run=$1 target=$2
    if [[ ! -f $run/level-1.surv ]]; then
        echo "deep-bench: creating the d = 8 survivors at target $target once in $run (slow, see the header)" >&2
        if [[ -f $run/state ]]; then
            "$bin" cascade --resume "$run" --quiet >&2 || [[ $? == 1 ]]
        else
            "$bin" cascade --n 2 --m 20 --target "$target" --max-d 8 --dir "$run" --quiet >&2 || [[ $? == 1 ]]
        fi
    fi
    echo "$run/level-1.surv"
}

case "$workload" in
d16)
    args=("$(level1 "$cache/d16-run" 1.12)")
    ;;
d16s)
    args=("$(level1 "$cache/d16s-run" 1.13)" --stride 13792)
    ;;
d8)
    run=$cache/d8-run
    if [[ ! -f $run/level-0.surv ]]; then
        "$bin" cascade --n 2 --m 20 --target 1.12 --max-d 4 --dir "$run" --quiet >&2 || [[ $? == 1 ]]
    fi
    args=("$run/level-0.surv" --stride 400)
    ;;
*)
    echo "deep-bench: unknown workload '$workload' (d16, d16s or d8)" >&2
    exit 2
    ;;
esac

summary() {
    python3 -c 'import json, sys
j = json.load(sys.stdin)
print(j["seconds"][0], j["parents"], j["children"], j["asym_pruned"], j["test_pruned"], j["survivors"], j["survivors_sha256"], json.dumps(j.get("stats")))'
}

baselines=()
[[ -n "${BASELINE:-}" ]] && IFS=: read -r -a baselines <<<"$BASELINE"
binaries=("${baselines[@]}" "$bin")
declare -A total
declare -A counts
echo "binary seconds parents children asym_pruned test_pruned survivors survivors_sha256 stats"
for ((r = 0; r < repeats; r++)); do
    for b in "${binaries[@]}"; do
        line=$("$b" bench-children "${args[@]}" "${flags[@]}" | summary)
        echo "$b $line"
        read -r seconds rest <<<"$line"
        total[$b]=$(python3 -c "print(${total[$b]:-0} + $seconds)")
        key=$(cut -d' ' -f1-6 <<<"$rest")
        if [[ -n "${counts[x]:-}" && "${counts[x]}" != "$key" ]]; then
            echo "deep-bench: counts or survivors differ between runs: '${counts[x]}' vs '$key'" >&2
            exit 1
        fi
        counts[x]=$key
    done
done
for b in "${baselines[@]}"; do
    python3 -c "print('$b / this build, total time over $repeats interleaved runs: %.2f' % (${total[$b]} / ${total[$bin]}))"
done
