#!/bin/bash
# Re-checks a finished cascade run directory on a Slurm cluster, so that a cluster can check a
# cluster's run: an array of M tasks `autoconv verify RUN --shard auto` (task r re-derives part r
# of every level: its ranks, parents and records; every task also does the cheap whole-run checks)
# and a dependent job `autoconv verify RUN --merge` that joins the parts into the verdict.
#
#   scripts/slurm/verify.sh --dir RUN --parts M [--seed S] [--sample K] [--autoconv BIN]
#                           [--sbatch "EXTRA SBATCH OPTIONS"] [--local]
#
# Prints "array <id>" and "merge <id>". Parts land in RUN/verify/part-r-of-M, the verdict (the
# last line: VERIFIED: C >= t, SPOT-CHECKED, NOT PROVEN or NOT VERIFIED) in RUN/verify/verdict.txt,
# logs in RUN/verify/logs/. No task needs a GPU. RUN must be on a file system every node sees;
# a RUN under /tmp is refused unless --local (a single-node cluster). The parts share one seed
# (default: a random one, printed), so that the check can be repeated. A failing task cancels the
# merge job (--kill-on-invalid-dep=yes) instead of leaving it waiting.
set -euo pipefail
script=verify.sh
# shellcheck source=checks.sh
. "$(cd "$(dirname "$0")" && pwd)/checks.sh"

run="" parts="" seed="" sample="" bin="" sbatch_extra="" local=0
while [ $# -gt 0 ]; do
    case $1 in
        --dir) run=$2; shift 2 ;;
        --parts) parts=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --sample) sample=$2; shift 2 ;;
        --autoconv) bin=$2; shift 2 ;;
        --sbatch) sbatch_extra=$2; shift 2 ;;
        --local) local=1; shift ;;
        *) echo "verify.sh: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
    esac
done
if [ -z "$run" ] || [ -z "$parts" ]; then
    echo "usage: verify.sh --dir RUN --parts M [--seed S] [--sample K] [--autoconv BIN] [--sbatch OPTS] [--local]" >&2
    exit 2
fi
if ! [[ $parts =~ ^[1-9][0-9]*$ ]]; then echo "verify.sh: --parts must be a positive integer" >&2; exit 2; fi
if [ ! -f "$run/state" ]; then echo "verify.sh: '$run' is not a cascade run directory" >&2; exit 2; fi
run=$(cd "$run" && pwd)
[ "$local" -eq 1 ] || refuse_node_local "$run"
bin=$(autoconv_binary "$bin")
seed=${seed:-$(( (RANDOM << 30) | (RANDOM << 15) | RANDOM ))}
echo "verify.sh: seed $seed" >&2
mkdir -p "$run/verify/logs"

options=(--seed "$seed")
[ -n "$sample" ] && options+=(--sample "$sample")
# A part exits 0 (checked) or 1 (failed, and recorded: the merge names it); anything else is a crash.
part_command=$(printf '%q ' "$bin" verify "$run" --shard auto "${options[@]}")
# shellcheck disable=SC2086  # $sbatch_extra is a list of options
array=$(sbatch --parsable --job-name=autoconv-verify --array="0-$((parts - 1))" \
    --output="$run/verify/logs/part-%a.log" $sbatch_extra \
    --wrap="$part_command > /dev/null; status=\$?; [ \$status -le 1 ]")
array=${array%%;*}
merge_command=$(printf '%q ' "$bin" verify "$run" --merge)
verdict=$(printf '%q' "$run/verify/verdict.txt")
# shellcheck disable=SC2086
merge=$(sbatch --parsable --job-name=autoconv-verify-merge --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    --output="$run/verify/logs/merge.log" $sbatch_extra \
    --wrap="$merge_command > $verdict.tmp; status=\$?; mv $verdict.tmp $verdict; tail -n 1 $verdict; [ \$status -le 1 ]")
merge=${merge%%;*}
echo "array $array"
echo "merge $merge"
