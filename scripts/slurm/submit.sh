#!/bin/bash
# Submits an autoconv bound/prove run as a Slurm job array plus a dependent merge job.
#
#   scripts/slurm/submit.sh --out DIR --shards M [--pieces K] [--autoconv BIN] [--certificate]
#                           [--sbatch "EXTRA SBATCH OPTIONS"] -- COMMAND ARGS...
#
#   e.g. scripts/slurm/submit.sh --out runs/n3m10 --shards 16 -- prove --n 3 --m 10 --target 1.1
#
# Prints "array <id>" and "merge <id>". The merged result lands in DIR/merged.json, logs in
# DIR/logs/. Submitting again with the same DIR redoes only the missing pieces. The merge job
# depends on the whole array (afterok) and is cancelled, instead of waiting forever, when a
# task fails (--kill-on-invalid-dep=yes).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
script=submit.sh
# shellcheck source=checks.sh
. "$here/checks.sh"
out="" shards="" pieces=1 bin="" certificate=0 sbatch_extra=""
while [ $# -gt 0 ]; do
    case $1 in
        --out) out=$2; shift 2 ;;
        --shards) shards=$2; shift 2 ;;
        --pieces) pieces=$2; shift 2 ;;
        --autoconv) bin=$2; shift 2 ;;
        --certificate) certificate=1; shift ;;
        --sbatch) sbatch_extra=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "submit.sh: unknown option $1 (see the header of $0)" >&2; exit 2 ;;
    esac
done
if [ -z "$out" ] || [ -z "$shards" ] || [ $# -eq 0 ]; then
    echo "usage: submit.sh --out DIR --shards M [--pieces K] [--autoconv BIN] [--certificate] [--sbatch OPTS] -- COMMAND ARGS..." >&2
    exit 2
fi
if ! [[ $shards =~ ^[1-9][0-9]*$ && $pieces =~ ^[1-9][0-9]*$ ]]; then
    echo "submit.sh: --shards and --pieces must be positive integers" >&2
    exit 2
fi
bin=$(autoconv_binary "$bin")
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)

export AUTOCONV_PIECES=$pieces AUTOCONV_CERTIFICATE=$certificate
# shellcheck disable=SC2086  # $sbatch_extra is a list of options
array=$(sbatch --parsable --array="0-$((shards - 1))" --output="$out/logs/shard-%a.log" \
    --export=ALL $sbatch_extra "$here/shard.sbatch" "$out" "$bin" "$@")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    --output="$out/logs/merge.log" --export=ALL $sbatch_extra "$here/merge.sbatch" "$out" "$bin")
merge=${merge%%;*}
echo "array $array"
echo "merge $merge"
