#!/usr/bin/env bash
# Plan: estimated vs actual. For each case (n m target max-d), runs `autoconv plan` on that one
# start, then the real `autoconv cascade`, and prints a Markdown table: per level the estimated
# and actual survivors, and per run the estimated and actual seconds (the cascade's
# elapsed_seconds, every level) with their ratio. Release build; every run on the CPU backend.
#   scripts/plan-validate.sh [CASES_FILE]     (default: the cases below; one "n m target max-d" a line)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product autoconv >/dev/null
BIN=.build/release/autoconv
SEED=${SEED:-1}
SAMPLE=${SAMPLE:-32}
CASES=${1:-}
if [ -z "$CASES" ]; then
  CASES=$(mktemp)
  cat >"$CASES" <<'LIST'
1 6 0.9 8
1 10 1 8
1 15 1.03 16
1 20 1.05 16
1 12 1.02 16
2 10 1 16
2 20 1.05 16
2 15 1.04 16
2 12 1.03 16
3 10 1 24
1 6 0.94 16
LIST
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "| start (n, m) | target | max d | per level d: survivors est. / actual | est. s [interval] | actual s | actual / est. | plan s | load |"
echo "|---|---|---|---|---|---|---|---|---|"
while read -r n m t d; do
  [ -z "$n" ] && continue
  "$BIN" plan --target "$t" --n "$n" --m "$m" --max-d "$d" --budget 10m --seed "$SEED" --sample "$SAMPLE" --json --quiet >"$work/plan.json" 2>/dev/null || true
  "$BIN" cascade --n "$n" --m "$m" --target "$t" --max-d "$d" --json --quiet --dir "$work/run" >"$work/run.json" 2>/dev/null || true
  rm -rf "$work/run"
  load=$(cut -d' ' -f1 /proc/loadavg)
  python3 - "$work/plan.json" "$work/run.json" "$n" "$m" "$t" "$d" "$load" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1])); run = json.load(open(sys.argv[2]))
n, m, t, d, load = sys.argv[3:]
c = plan["candidates"][0]
est = {l["d"]: l for l in c["levels"]}
levels = []
for l in run["levels"]:
    e = est.get(l["d"])
    levels.append(f'{l["d"]}: {e["estimated_survivors"] if e else "–"} / {l["survivors"]}')
actual = sum(l["elapsed_seconds"] for l in run["levels"])
lo, hi = c["interval"]
ratio = actual / c["estimated_seconds"] if c["estimated_seconds"] > 0 else float("inf")
print(f'| ({n}, {m}) | {t} | {d} | {"; ".join(levels)} | {c["estimated_seconds"]:.2f} [{lo:.2f}, {hi:.2f}] | {actual:.2f} | {ratio:.2f} | {c["planning_seconds"]:.2f} | {load} |')
PY
done <"$CASES"
