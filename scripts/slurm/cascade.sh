#!/bin/bash
# Runs an autoconv cascade on a Slurm cluster, level by level: every level after level 0 is
# split into M shards run as one job array, merged by one dependent job, which submits the next.
#
#   scripts/slurm/cascade.sh --dir RUN --shards M [--gpus-per-task G] [--sbatch-array "OPTS"]
#                            [--sbatch-merge "OPTS"] [--autoconv BIN] [--max-requeues K]
#                            [--logs DIR] [--local] [-- CASCADE ARGS...]
#
#   e.g. scripts/slurm/cascade.sh --dir /shared/runs/c110 --shards 32 --gpus-per-task 1 \
#            --sbatch-array "--time=4:00:00 --partition=gpu" --sbatch-merge "--time=1:00:00" \
#            -- --n 2 --m 20 --target 1.1 --max-d 16 --backend opencl
#
# RUN must be on a filesystem that every node shares (home, project or scratch space, NFS,
# Lustre, GPFS): every job reads and writes it, and the shard processes of a level lock
# RUN/lock together. A RUN under /tmp or $TMPDIR (node-local) is refused unless --local is
# given (a single-node cluster, tests). The script itself and BIN must be reachable from
# every node too: the merge job runs this script again to submit the next level.
#
# The jobs (each one runs scripts/slurm/cascade.sbatch), for a new RUN (CASCADE ARGS are those
# of `autoconv cascade`: --n, --m, --target, --levels or --max-d, --backend, --threads, ...):
#   level 0      one job: autoconv cascade --dir RUN CASCADE ARGS --one-level --json
#   level L ≥ 1  an array of M tasks, task r: autoconv cascade --resume RUN --shard auto
#                (shard r of M of level L, in RUN/level-L.shard-r-of-M/), then a merge job
#                (--dependency=afterok on the array, --kill-on-invalid-dep=yes, so it is
#                cancelled instead of waiting forever when a task fails):
#                autoconv cascade --resume RUN --one-level --json
# A level job or merge job that exits 4 (level finished, the run goes on) runs this script
# again, which submits the next level's array and merge job; one that exits 0 (PROVEN) or
# 1 (NOT PROVEN: survivors remain at the final level) writes the final JSON to
# RUN/pipeline.json and a line to LOGS/pipeline.log, and the pipeline ends. Check the result
# with `autoconv verify RUN`. The merged level files are byte for byte those of an unsharded
# run.
#
# Files: RUN is autoconv's run directory (plus pipeline.json at the end). LOGS (default
# RUN.logs, beside RUN: autoconv creates RUN itself and refuses a non-empty folder that holds
# no run) gets pipeline.log (what was submitted, how each level ended, the outcome), jobs (the
# job ids of each submission), level-L.log (a level run as one job), level-L.shard-R.log,
# level-L.merge.log and level-L.json (the JSON of each finished level).
#
# Resuming: run the same command again without CASCADE ARGS (they are stored in RUN; given
# again for an existing run they are refused) once no job of the pipeline is left in the
# queue. It continues where RUN stands: the array of the level in progress (finished shards
# are instant) and its merge job; a level that was started whole (level 0, or one resumed by
# hand without --shard) as one job. A run that has ended is reported, nothing is submitted.
# Once a level has been split, --shards must name the same M (RUN/level-L.shards records it).
#
# Time limits: every task and job gets SIGTERM 120 s before its limit (--signal=B:TERM@120),
# passes it on to autoconv, which checkpoints and exits 75, and requeues itself (scontrol
# requeue); the rerun resumes where it stopped. A task already requeued K times
# (SLURM_RESTART_COUNT ≥ K, --max-requeues, default 3) stops the pipeline instead of looping:
# it says so in its log and in pipeline.log and exits 1, so the merge job is cancelled; its
# work is kept, and resubmitting this script continues it (give it a longer --time).
#
# Options: --gpus-per-task G adds --gres=gpu:G to every job that computes (the array tasks
# and a level run as one job), never to the merge job, which only merges files (on the CPU:
# `--one-level` on a sharded level opens no device, so its node needs no GPU and no OpenCL
# platform). --sbatch-array OPTS go to the array and to a level run as
# one job (time limit, partition, account...), --sbatch-merge OPTS to the merge job.
# Usage errors exit 2. Prints what it submitted ("level L array ID merge ID" or "level L
# job ID"), also appended to LOGS/jobs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
usage() {
    echo "usage: cascade.sh --dir RUN --shards M [--gpus-per-task G] [--sbatch-array OPTS] [--sbatch-merge OPTS] [--autoconv BIN] [--max-requeues K] [--logs DIR] [--local] [-- CASCADE ARGS...]" >&2
    exit 2
}
die() { echo "cascade.sh: $*" >&2; exit 2; }
script=cascade.sh
# shellcheck source=checks.sh
. "$here/checks.sh"

run="" shards="" gpus="" sbatch_array="" sbatch_merge="" bin="" max_requeues=3 logs="" local=0
while [ $# -gt 0 ]; do
    case $1 in
        --dir) [ $# -ge 2 ] || usage; run=$2; shift 2 ;;
        --shards) [ $# -ge 2 ] || usage; shards=$2; shift 2 ;;
        --gpus-per-task) [ $# -ge 2 ] || usage; gpus=$2; shift 2 ;;
        --sbatch-array) [ $# -ge 2 ] || usage; sbatch_array=$2; shift 2 ;;
        --sbatch-merge) [ $# -ge 2 ] || usage; sbatch_merge=$2; shift 2 ;;
        --autoconv) [ $# -ge 2 ] || usage; bin=$2; shift 2 ;;
        --max-requeues) [ $# -ge 2 ] || usage; max_requeues=$2; shift 2 ;;
        --logs) [ $# -ge 2 ] || usage; logs=$2; shift 2 ;;
        --local) local=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 0 ;;
        --) shift; break ;;
        *) echo "cascade.sh: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
    esac
done
[ -n "$run" ] && [ -n "$shards" ] || usage
[[ $shards =~ ^[1-9][0-9]*$ ]] || die "--shards must be a positive integer"
[ -z "$gpus" ] || [[ $gpus =~ ^[1-9][0-9]*$ ]] || die "--gpus-per-task must be a positive integer"
[[ $max_requeues =~ ^[0-9]+$ ]] || die "--max-requeues must be a non-negative integer"
for arg in "$@"; do
    case $arg in
        --dir|--dir=*|--resume|--resume=*|--shard|--shard=*|--one-level|--json)
            die "$arg is cascade.sh's to give: pass CASCADE ARGS without it" ;;
    esac
done
bin=$(autoconv_binary "$bin")
run=$(realpath -m "$run")
logs=$(realpath -m "${logs:-$run.logs}")
case $logs/ in
    "$run"/*) die "--logs $logs is inside RUN: autoconv refuses to start a run in a folder that is not empty" ;;
esac
[ "$local" -eq 1 ] || refuse_node_local "$run" "$logs"

# Where the run stands: new, a level in progress (whole or sharded), or ended.
field() { sed -n "s/^$1 //p" "$run/state" | head -n 1; }
if [ -e "$run/manifest" ]; then
    [ $# -eq 0 ] || die "$run already holds a run (its parameters are stored there): to continue it, submit again without the arguments after --"
    [ -f "$run/state" ] || die "$run has a manifest but no state: check it with autoconv verify $run"
    outcome=$(field outcome) level=$(field level) position=$(field position)
    [[ $level =~ ^[0-9]+$ && $position =~ ^[0-9]+$ ]] || die "cannot read the level in progress from $run/state"
    case $outcome in
        running) ;;
        proven|not-proven)
            echo "cascade.sh: the run in $run has ended ($outcome at level $level); nothing to submit. Check it with: autoconv verify $run" >&2
            exit 0 ;;
        *) die "unknown outcome '$outcome' in $run/state" ;;
    esac
    plan=$run/level-$level.shards
    if [ -f "$plan" ]; then
        recorded=$(sed -n 's/^shards //p' "$plan" | head -n 1)
        [ "$recorded" = "$shards" ] || die "level $level of $run is split into $recorded shards ($plan): pass --shards $recorded"
        mode=array
    elif [ "$level" -eq 0 ] || [ "$position" -gt 0 ]; then
        mode=whole   # level 0, or a level started whole: it cannot be split any more
    else
        mode=array
    fi
    command=(cascade --resume "$run")
else
    [ $# -gt 0 ] || die "$run holds no run yet: give the cascade arguments after -- (--n, --m, --target, ...)"
    if [ -d "$run" ] && [ -n "$(ls -A "$run")" ]; then
        die "$run exists, is not empty and holds no run"
    fi
    [ ! -e "$run" ] || [ -d "$run" ] || die "$run exists and is not a directory"
    mkdir -p "$(dirname "$run")"
    level=0 mode=whole
    command=(cascade --dir "$run" "$@")
fi
mkdir -p "$logs"

# Refuse a second pipeline on the same run: the jobs of the last submission must have left the
# queue (except the job running this script, the merge job that submits the next level).
if [ -s "$logs/jobs" ]; then
    for id in $(tail -n 1 "$logs/jobs" | grep -oE '(array|merge|job) [0-9]+' | awk '{print $2}'); do
        [ "$id" = "${SLURM_JOB_ID:-}" ] && continue
        if [ -n "$(squeue -h -j "$id" -o %i 2>/dev/null || true)" ]; then
            die "job $id of the last submission for $run (see $logs/jobs) is still in the queue: wait for it or scancel it, then submit again"
        fi
    done
fi

# What the level job runs after a level that goes on: this script, with the same options.
next=("$here/cascade.sh" --dir "$run" --logs "$logs" --shards "$shards" --autoconv "$bin" --max-requeues "$max_requeues"
      --sbatch-array "$sbatch_array" --sbatch-merge "$sbatch_merge")
[ -n "$gpus" ] && next+=(--gpus-per-task "$gpus")
[ "$local" -eq 1 ] && next+=(--local)
# Called from a job (the merge job submitting the next level), sbatch would hand that job's own
# restart count and array variables on to the new jobs (--export=ALL): they are not theirs.
unset SLURM_RESTART_COUNT SLURM_ARRAY_JOB_ID SLURM_ARRAY_TASK_ID SLURM_ARRAY_TASK_MIN SLURM_ARRAY_TASK_MAX \
    SLURM_ARRAY_TASK_COUNT SLURM_ARRAY_TASK_STEP
gres=()
[ -n "$gpus" ] && gres=(--gres="gpu:$gpus")
note() { echo "$(date -u +%FT%TZ) $*" >> "$logs/pipeline.log"; }

if [ "$mode" = whole ]; then
    # shellcheck disable=SC2086  # $sbatch_array is a list of options
    job=$(sbatch --parsable --job-name="autoconv-L$level" --output="$logs/level-$level.log" --export=ALL \
        "${gres[@]}" $sbatch_array "$here/cascade.sbatch" level "$run" "$logs" "$level" "$max_requeues" \
        "$(printf '%q ' "${next[@]}")" "$bin" "${command[@]}" --one-level --json)
    job=${job%%;*}
    line="level $level job $job"
    note "submitted level $level as one job $job"
else
    # shellcheck disable=SC2086
    array=$(sbatch --parsable --array="0-$((shards - 1))" --job-name="autoconv-L$level" \
        --output="$logs/level-$level.shard-%a.log" --export=ALL "${gres[@]}" $sbatch_array \
        "$here/cascade.sbatch" shard "$run" "$logs" "$level" "$max_requeues" \
        "$(printf '%q ' "${next[@]}")" "$bin" cascade --resume "$run" --shard auto)
    array=${array%%;*}
    # shellcheck disable=SC2086
    merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes --job-name="autoconv-L$level-merge" \
        --output="$logs/level-$level.merge.log" --export=ALL $sbatch_merge \
        "$here/cascade.sbatch" merge "$run" "$logs" "$level" "$max_requeues" \
        "$(printf '%q ' "${next[@]}")" "$bin" "${command[@]}" --one-level --json)
    merge=${merge%%;*}
    line="level $level array $array merge $merge"
    note "submitted level $level: array $array ($shards shards), merge job $merge"
fi
echo "$(date -u +%FT%TZ) $line" >> "$logs/jobs"
echo "$line"
