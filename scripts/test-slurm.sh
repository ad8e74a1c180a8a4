#!/bin/bash
# End-to-end test of scripts/slurm/ on a REAL single-node Slurm cluster started on this machine.
#
#   scripts/test-slurm.sh            (as root, on Debian; .ci/run calls it)
#
# Installs Debian's slurmctld, slurmd, slurm-client and munge if missing, starts munged,
# slurmctld and slurmd directly (no systemd) with a private configuration under a temporary
# folder, submits small array jobs through scripts/slurm/submit.sh, and checks that:
#   1. the merged bound equals the unsharded run (timing fields aside), and every piece is a
#      partial result that states no bound;
#   2. resubmitting the same run skips every finished piece and merges the same result;
#   3. a sharded prove with certificates (one piece per task: --shard auto) merges to the
#      unsharded counts; `autoconv verify` prints `VERIFIED: C >= t` for a joined certificate
#      that proves t, SPOT-CHECKED for a sampled check and NOT PROVEN when survivors remain;
#   4. SIGTERM makes a task keep its finished pieces and requeue itself, and the rerun resumes;
#   5. a failing array task makes the dependent merge job go away instead of waiting forever;
#   6. inside an array job, autoconv without --shard runs the whole space;
#   7. scripts/slurm/cascade.sh runs a cascade level by level (one array + merge job per level)
#      whose level files equal the unsharded run's byte for byte, with one shard stopped by
#      SIGTERM, requeued and resumed, then stopped again past --max-requeues (the merge job is
#      cancelled) and continued by submitting cascade.sh again; `autoconv verify` accepts it;
#      a second, quick pipeline ends NOT PROVEN, also equal to its unsharded run;
#   8. scripts/slurm/verify.sh re-checks that run as 3 parts and a merge job, ending in the same
#      kind of verdict as the whole check (never a PART line).
# Every wait has a time limit, and the daemons are stopped on any exit.
# AUTOCONV_BIN=path skips the build and tests that executable.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/autoconv-slurm.XXXXXX)
chmod 755 "$work"
export SLURM_CONF=$work/slurm.conf
log() { echo "test-slurm: $*" >&2; }
fail() { log "FAIL: $*"; exit 1; }

stop_pid_file() {   # stop_pid_file FILE: TERM, then KILL after 10 s
    local file=$1 pid
    [ -s "$file" ] || return 0
    pid=$(cat "$file")
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        for f in "$work"/slurmctld.log "$work"/slurmd.log "$work"/runs/*/logs/*.log "$work"/runs/*.logs/*.log; do
            [ -f "$f" ] && { echo "---- $f (last lines)" >&2; tail -n 15 "$f" >&2; }
        done
    fi
    stop_pid_file "$work/slurmd.pid"
    stop_pid_file "$work/slurmctld.pid"
    stop_pid_file "$work/munged.pid"
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every half second until it succeeds.
wait_for() {
    local limit=$1 what=$2
    shift 2
    local deadline=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || fail "timed out after ${limit}s waiting for $what"
        sleep 0.5
    done
}

# ---- Packages and the executable
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
    || ! command -v munged >/dev/null; then
    log "installing slurmctld slurmd slurm-client munge"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi
if [ -n "${AUTOCONV_BIN:-}" ]; then
    bin=$AUTOCONV_BIN
else
    log "building autoconv"
    (cd "$root" && swift build --product autoconv --scratch-path "${SCRATCH_PATH:-.build}" >/dev/null)
    bin=$(cd "$root" && swift build --scratch-path "${SCRATCH_PATH:-.build}" --show-bin-path)/autoconv
fi
[ -x "$bin" ] || fail "no autoconv executable at $bin"

# ---- munge
if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile=/etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key
    chmod 600 /etc/munge/munge.key
fi
mkdir -p /run/munge "$work/munge"
chown munge:munge /run/munge "$work/munge"
chmod 755 /run/munge
runuser -u munge -- munged --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
    --seed-file="$work/munge/munged.seed"
wait_for 10 "munged to write its pid file" test -s "$work/munge/munged.pid"
cp "$work/munge/munged.pid" "$work/munged.pid"
wait_for 10 "munge to answer" sh -c 'munge -n | unmunge'

# ---- Slurm: one node, this machine, no cgroups, no accounting
node=$(hostname -s)
cpus=$(nproc)
mkdir -p "$work/state" "$work/spool" "$work/runs"
cat > "$SLURM_CONF" <<CONF
ClusterName=autoconvtest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=10 State=UP
CONF
slurmctld -c
wait_for 20 "slurmctld to answer" scontrol ping
slurmd
wait_for 30 "the node to become idle" sh -c "sinfo -h -n $node -o %T | grep -Eq '^(idle|mixed|allocated)'"
log "Slurm is up on $node with $cpus CPUs"

# ---- Helpers for the runs
# run_array NAME SHARDS [submit options] -- ARGS...: submits, waits for both jobs to leave the
# queue (at most 120 s), prints the merge job id.
run_array() {
    local name=$1
    shift
    local ids
    ids=$("$root/scripts/slurm/submit.sh" --out "$work/runs/$name" --autoconv "$bin" "$@")
    local array merge
    array=$(awk '/^array/ {print $2}' <<<"$ids")
    merge=$(awk '/^merge/ {print $2}' <<<"$ids")
    wait_for 120 "jobs $array and $merge to finish" sh -c "[ -z \"\$(squeue -h -j $array,$merge 2>/dev/null)\" ]"
    echo "$merge"
}
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1; }
# The result without the fields that differ between runs of the same work.
untimed() { sed -E 's/, "(elapsed_seconds|rate|device)": [^,}]*//g' "$1"; }

# ---- 1. bound: 4 shards of 2 pieces each, merged == unsharded
bound=(bound --n 2 --m 10 --threads 1)
"$bin" "${bound[@]}" --json > "$work/bound.json"
merge=$(run_array bound --shards 4 --pieces 2 -- "${bound[@]}")
[ "$(job_state "$merge")" = COMPLETED ] || fail "bound merge job $merge ended $(job_state "$merge")"
[ "$(ls "$work"/runs/bound/parts/shard-*.json | wc -l)" -eq 8 ] || fail "expected 8 bound pieces"
diff <(untimed "$work/bound.json") <(untimed "$work/runs/bound/merged.json") || fail "merged bound differs from the unsharded run"
for part in "$work"/runs/bound/parts/shard-*.json; do
    grep -q '"partial": true' "$part" || fail "$part is not marked partial"
    ! grep -q '"certified_bound"' "$part" || fail "$part states a certified bound"
done
log "bound: 4 array tasks × 2 pieces merged to exactly the unsharded result; every piece is partial"

# ---- 2. resubmitting skips finished pieces
before=$(stat -c %Y "$work"/runs/bound/parts/shard-*.json | md5sum)
merge=$(run_array bound --shards 4 --pieces 2 -- "${bound[@]}")
[ "$(job_state "$merge")" = COMPLETED ] || fail "second bound merge job $merge ended $(job_state "$merge")"
[ "$(stat -c %Y "$work"/runs/bound/parts/shard-*.json | md5sum)" = "$before" ] || fail "resubmission redid finished pieces"
grep -q "already complete" "$work"/runs/bound/logs/shard-0.log || fail "no skip message in the task log"
diff <(untimed "$work/bound.json") <(untimed "$work/runs/bound/merged.json") || fail "re-merged bound differs"
log "resubmission: every piece skipped, same merged result"

# ---- 3. prove with certificates: counts equal the unsharded run; verify's verdicts
# prove_array NAME TARGET: 3 tasks with certificates at TARGET, merged == unsharded.
prove_array() {
    local name=$1 status=0
    local prove=(prove --n 2 --m 10 --target "$2" --max-window d --threads 1)
    "$bin" "${prove[@]}" --json > "$work/$name.json" || status=$?
    [ "$status" -le 1 ] || fail "unsharded prove failed (exit $status)"
    merge=$(run_array "$name" --shards 3 --certificate -- "${prove[@]}")
    [ "$(job_state "$merge")" = COMPLETED ] || fail "$name merge job $merge ended $(job_state "$merge")"
    grep -q -- "--shard auto: running shard 0/3" "$work/runs/$name/logs/shard-0.log" || fail "task 0 did not use --shard auto"
    diff <(untimed "$work/$name.json") <(untimed "$work/runs/$name/merged.json" | sed -E 's/, "certificate": "[^"]*"//') \
        || fail "merged $name differs from the unsharded run"
}
# 9/10 lies below the certified bound of (2, 10) with windows ℓ ≤ d: proven.
prove_array proven 0.9
verdict=$("$bin" verify "$work/runs/proven/certificate" | tail -n 1)
[ "$verdict" = "VERIFIED: C >= 9/10" ] || fail "verify said: $verdict"
sampled=$("$bin" verify "$work/runs/proven/certificate" --sample 4 --seed 1 | tail -n 1)
[[ $sampled == "SPOT-CHECKED: "* ]] || fail "verify --sample said: $sampled"
log "prove 9/10: 3 tasks (--shard auto) with certificates merged to the unsharded counts; verify: $verdict; sampled: $sampled"
# At 1, survivors remain: the merge is complete (exit 1 is not a failure) and proves nothing.
prove_array unproven 1
status=0
verdict=$("$bin" verify "$work/runs/unproven/certificate" | tail -n 1) || status=$?
[[ $status -eq 1 && $verdict == "NOT PROVEN: consistent, "* ]] || fail "verify of the unproven certificate said: $verdict (exit $status)"
log "prove 1: merged with survivors; verify: $verdict"

# ---- 4. SIGTERM checkpoint: stop a task after its first piece; it requeues and resumes
slow=(bound --n 3 --m 7 --threads 1)
ids=$("$root/scripts/slurm/submit.sh" --out "$work/runs/term" --autoconv "$bin" --shards 1 --pieces 6 -- "${slow[@]}")
array=$(awk '/^array/ {print $2}' <<<"$ids")
merge=$(awk '/^merge/ {print $2}' <<<"$ids")
first=$work/runs/term/parts/shard-000000-of-6.json
wait_for 120 "the first piece of job $array" test -s "$first"
stamp=$(stat -c %Y "$first")
if [ -e "$work/runs/term/parts/shard-000005-of-6.json" ]; then
    fail "all pieces finished before the signal; choose a slower job for this check"
fi
scancel --signal=TERM --batch "${array}_0"
# Slurm delays a requeued job by about two minutes (BeginTime); start it now instead, but not
# within the second of its requeue: slurmd refuses a job whose credential was revoked in that
# same second ("Job credential revoked"), and the task would fail.
wait_for 60 "job ${array}_0 to be requeued" sh -c "squeue -h -j ${array}_0 -o %T | grep -q PENDING"
sleep 2
scontrol update JobId="${array}_0" StartTime=now
wait_for 180 "jobs $array and $merge to finish after the requeue" sh -c "[ -z \"\$(squeue -h -j $array,$merge 2>/dev/null)\" ]"
grep -q "SIGTERM" "$work/runs/term/logs/shard-0.log" || fail "the task did not see SIGTERM"
[ "$(job_state "$merge")" = COMPLETED ] || fail "merge after the requeue ended $(job_state "$merge")"
[ "$(stat -c %Y "$first")" = "$stamp" ] || fail "the requeued task redid a finished piece"
"$bin" "${slow[@]}" --json > "$work/slow.json" 2>/dev/null
diff <(untimed "$work/slow.json") <(untimed "$work/runs/term/merged.json") || fail "merged result after the requeue differs"
log "SIGTERM: the task stopped, requeued, kept its finished pieces and merged the unsharded result"

# ---- 5. a failing task: the merge job must not wait forever
merge=$(run_array broken --shards 2 -- bound --n 0 --m 10)
state=$(job_state "$merge")
[ "$state" != COMPLETED ] || fail "the merge ran although an array task failed"
log "failing task: merge job $merge ended $state instead of waiting"

# ---- 6. Slurm's array variables alone do not shard: each task runs the whole space
mkdir -p "$work/runs/plain"
array=$(sbatch --parsable --array=0-1 --output="$work/runs/plain/out-%a.json" --error="$work/runs/plain/err-%a.log" \
    --wrap="$(printf '%q ' "$bin" "${bound[@]}" --json)")
array=${array%%;*}
wait_for 120 "job $array to finish" sh -c "[ -z \"\$(squeue -h -j $array 2>/dev/null)\" ]"
for task in 0 1; do
    diff <(untimed "$work/bound.json") <(untimed "$work/runs/plain/out-$task.json") || fail "array task $task without --shard did not run the whole space"
done
log "array tasks without --shard: both ran the whole space"
# ---- 7. cascade.sh: a sharded cascade, one shard stopped twice and resubmitted, equals the
# unsharded run byte for byte. Level 2 of (1, 10, 99/100) takes some seconds; its shard 0 is
# the slowest. Its first SIGTERM is passed on (autoconv checkpoints, exit 75) and the task
# requeues itself; the second, after the requeued task has made progress, stops the pipeline
# (--max-requeues 1): the merge job is cancelled, and submitting cascade.sh again continues.
cargs=(--n 1 --m 10 --target 0.99 --levels 2 --backend cpu --threads 1 --checkpoint-seconds 0.25)
crun=$work/runs/cascade
clogs=$crun.logs
cascade_sh() {
    "$root/scripts/slurm/cascade.sh" --dir "$crun" --shards 3 --autoconv "$bin" \
        --sbatch-array "--time=5 --comment=shard" --sbatch-merge "--time=2" "$@"
}
status=0
cascade_sh -- "${cargs[@]}" 2>/dev/null || status=$?
[ "$status" -eq 2 ] && [ ! -e "$clogs" ] || fail "cascade.sh accepted a run directory under /tmp without --local (exit $status)"
"$bin" cascade --dir "$work/unsharded" "${cargs[@]}" >/dev/null 2>&1 &
reference=$!
cascade_sh --local --max-requeues 1 -- "${cargs[@]}" >/dev/null
# Alongside, a quick one that ends NOT PROVEN (survivors at its final level 1), in 2 shards.
nargs=(--n 1 --m 10 --target 1.05 --levels 1 --backend cpu --threads 1)
"$root/scripts/slurm/cascade.sh" --dir "$work/runs/unproven-cascade" --shards 2 --autoconv "$bin" --local -- "${nargs[@]}" >/dev/null
wait_for 60 "level 2's array" grep -q ' level 2 array ' "$clogs/jobs"
array=$(awk '$3 == 2 && $4 == "array" {print $5}' "$clogs/jobs")
merge=$(awk '$3 == 2 && $4 == "array" {print $7}' "$clogs/jobs")
# Level 2 was submitted from level 1's merge job: the same sbatch options reach it.
scontrol show job "${array}_0" | grep -q 'TimeLimit=00:05:00' || fail "level 2's array lost --sbatch-array"
scontrol show job "$merge" | grep -q 'TimeLimit=00:02:00' || fail "level 2's merge job lost --sbatch-merge"
shard=$crun/level-2.shard-0-of-3
position() { sed -n 's/^position //p' "$shard/state"; }
wait_for 60 "shard 0 of level 2 to checkpoint" grep -Eq '^position [1-9]' "$shard/state"
grep -q '^outcome running' "$shard/state" || fail "shard 0 finished before its signal; choose a slower cascade for this check"
scancel --signal=TERM --batch "${array}_0"
wait_for 60 "task ${array}_0 to be requeued" sh -c "scontrol show job ${array}_0 | grep -q 'Restarts=1'"
first=$(position)
# Slurm delays a requeued job by about two minutes; start it now (unless it has started
# already), but not within the second of its requeue (as in check 4).
sleep 2
scontrol update JobId="${array}_0" StartTime=now 2>/dev/null || true
wait_for 60 "the requeued task to go on from position $first" sh -c "[ \"\$(sed -n 's/^position //p' '$shard/state')\" -gt $first ]"
grep -q '^outcome running' "$shard/state" || fail "shard 0 finished before its second signal; choose a slower cascade for this check"
scancel --signal=TERM --batch "${array}_0"
wait_for 60 "jobs $array and $merge to leave the queue" sh -c "[ -z \"\$(squeue -h -j $array,$merge 2>/dev/null)\" ]"
[ "$(job_state "${array}_0")" = FAILED ] || fail "task ${array}_0 ended $(job_state "${array}_0") after its second SIGTERM"
[ "$(job_state "$merge")" != COMPLETED ] || fail "the merge ran although a task stopped"
grep -q 'STOPPED: interrupted after 1 requeues' "$clogs/pipeline.log" || fail "pipeline.log does not say that the pipeline stopped"
[ "$(grep -c 'SIGTERM: passing it on' "$clogs/level-2.shard-0.log")" -eq 2 ] || fail "shard 0 did not see two SIGTERMs"
[ ! -e "$crun/pipeline.json" ] || fail "a stopped pipeline wrote pipeline.json"
ids=$(cascade_sh --local --max-requeues 1)
[[ $ids == "level 2 array "* ]] || fail "resubmitting cascade.sh printed: $ids"
wait_for 90 "the resubmitted pipeline to finish" grep -q 'FINISHED: ' "$clogs/pipeline.log"
grep -q 'FINISHED: PROVEN: C >= 99/100' "$clogs/pipeline.log" || fail "pipeline.log: $(tail -n 1 "$clogs/pipeline.log")"
grep -q '"proven": true' "$crun/pipeline.json" || fail "pipeline.json does not say proven"
wait "$reference" || fail "the unsharded cascade failed"
[ "$(cd "$crun" && ls level-*.surv)" = "$(cd "$work/unsharded" && ls level-*.surv)" ] || fail "the sharded run has other level files than the unsharded one"
for file in "$work"/unsharded/level-*.surv; do
    cmp "$file" "$crun/$(basename "$file")" || fail "$(basename "$file") differs from the unsharded run"
done
wait_for 60 "the unproven pipeline to finish" grep -q 'FINISHED: ' "$work/runs/unproven-cascade.logs/pipeline.log"
grep -q 'FINISHED: NOT PROVEN' "$work/runs/unproven-cascade.logs/pipeline.log" || fail "the unproven pipeline did not end NOT PROVEN"
grep -q '"proven": false' "$work/runs/unproven-cascade/pipeline.json" || fail "the unproven pipeline.json does not say not proven"
"$bin" cascade --dir "$work/unproven-unsharded" "${nargs[@]}" >/dev/null 2>&1 || [ $? -eq 1 ] || fail "the unsharded unproven cascade failed"
for file in "$work"/unproven-unsharded/level-*.surv; do
    cmp "$file" "$work/runs/unproven-cascade/$(basename "$file")" || fail "unproven $(basename "$file") differs from the unsharded run"
done
status=0
verdict=$("$bin" verify "$crun" | tail -n 1) || status=$?
[[ $status -eq 0 && $verdict != "NOT VERIFIED"* ]] || fail "verify of the sharded run said: $verdict (exit $status)"
status=0
cascade_sh --local -- "${cargs[@]}" 2>/dev/null || status=$?
[ "$status" -eq 2 ] || fail "cascade.sh took cascade arguments for an existing run (exit $status)"
cascade_sh --local 2>&1 | grep -q 'has ended' || fail "cascade.sh did not report the ended run"

# ---- 8. verify.sh: the same run re-checked as a Slurm array of 3 parts and a merge job; its
# verdict is of the same kind as the whole check's (VERIFIED or SPOT-CHECKED), never PART.
status=0
"$root/scripts/slurm/verify.sh" --dir "$crun" --parts 3 --autoconv "$bin" 2>/dev/null || status=$?
[ "$status" -eq 2 ] || fail "verify.sh accepted a run directory under /tmp without --local (exit $status)"
"$root/scripts/slurm/verify.sh" --dir "$crun" --parts 3 --seed 7 --autoconv "$bin" --local >/dev/null 2>&1
wait_for 120 "verify.sh's merge job" test -s "$crun/verify/verdict.txt"
parts_verdict=$(tail -n 1 "$crun/verify/verdict.txt")
[ "${parts_verdict%%:*}" = "${verdict%%:*}" ] || fail "verify.sh in parts said '$parts_verdict', the whole check '$verdict'"
[ "$(ls "$crun"/verify/part-*-of-3 | wc -l)" -eq 3 ] || fail "verify.sh did not record 3 parts"
log "cascade.sh: a run ending NOT PROVEN (2 shards) wrote pipeline.json and equals the unsharded run"
log "cascade.sh: levels 0-2 in 3 shards, shard 0 stopped twice (requeued, then the pipeline stopped) and resubmitted: every level file equals the unsharded run's; verify: $verdict"
log "verify.sh: 3 parts and their merge: $parts_verdict"
log "PASS"
