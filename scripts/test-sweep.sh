#!/bin/bash
# Tests scripts/sweep.sh end to end with small real runs (n = 1, m ≤ 6: milliseconds each) and a
# few fake autoconv executables, in a temporary folder that is removed afterwards. It checks
# usage and input errors, resume (also across equal targets and -j), that the options after `--`
# are part of the resume key, that -j 2 writes the same rows as -j 1 without interleaving, that
# failed runs are logged and retried, JSON parsing (counts as strings, quotes and commas), CSV
# quoting, the refusal of an older CSV, and the plot. Prints one line per numbered assertion and
# ends with `test-sweep: N passed, M failed`; exits 1 if any failed.
#
#   scripts/test-sweep.sh            (scripts/test.sh calls it)
# AUTOCONV_BIN=path skips the build and tests that executable.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
sweep=$root/scripts/sweep.sh
if [ -n "${AUTOCONV_BIN:-}" ]; then
    bin=$AUTOCONV_BIN
else
    (cd "$root" && swift build --product autoconv >&2)
    bin=$(cd "$root" && swift build --show-bin-path)/autoconv
fi
[ -x "$bin" ] || { echo "test-sweep: autoconv executable not found: $bin" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/test-sweep.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

passed=0 failed=0 number=0
pass() { number=$((number + 1)) passed=$((passed + 1)); echo "test-sweep: ok $number - $1"; }
fail() { number=$((number + 1)) failed=$((failed + 1)); echo "test-sweep: FAIL $number - $1" >&2; }
# check DESCRIPTION COMMAND...: one numbered assertion; DESCRIPTION says what should hold.
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

# sweep ARGS...: runs sweep.sh with the binary under test; sets rc, out and err (its stdout and
# stderr).
sweep() {
    rc=0
    "$sweep" --autoconv "$bin" "$@" >"$work/stdout" 2>"$work/stderr" || rc=$?
    out=$(cat "$work/stdout") err=$(cat "$work/stderr")
}
# tsv FILE: the CSV's data rows as tab-separated fields (RFC 4180 quoting undone).
tsv() {
    awk '
    function csv_split(line, f,    n, i, c, field, quoted) {
        split("", f); n = 0; field = ""; quoted = 0
        for (i = 1; i <= length(line); i++) {
            c = substr(line, i, 1)
            if (quoted) {
                if (c != "\"") field = field c
                else if (substr(line, i + 1, 1) == "\"") { field = field "\""; i++ }
                else quoted = 0
            } else if (c == "\"") quoted = 1
            else if (c == ",") { f[++n] = field; field = "" }
            else field = field c
        }
        f[++n] = field
        return n
    }
    NR > 1 { n = csv_split($0, f); line = f[1]; for (i = 2; i <= n; i++) line = line "\t" f[i]; print line }' "$1"
}
# column FILE NAME: that column of every data row.
column() {
    local i
    i=$(head -n 1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1)
    tsv "$1" | cut -f "$i"
}
rows() { echo $(($(cat "$1" 2>/dev/null | wc -l) - 1)); }
# expect WHAT ACTUAL EXPECTED: true if equal, else says what differed.
expect() { [ "$2" = "$3" ] || { echo "test-sweep:   $1: got '$2', expected '$3'" >&2; return 1; }; }

# ---- Usage and input errors
sweep --help
check "--help exits 0 and prints the usage" eval '[ "$rc" -eq 0 ] && grep -q "^usage: " <<<"$out"'
check "-h exits 0" eval '"$sweep" -h >/dev/null'

for bad in 0.9x 1/0 -1 1.2.3 1e0; do
    sweep --n 1 --m 2 --target "$bad" --csv bad.csv
    check "a malformed target '$bad' exits 2 with a one-line message and writes no CSV" \
        eval '[ "$rc" -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && [ ! -e bad.csv ]'
done
sweep --n 0 --m 2 --csv bad.csv
check "n = 0 exits 2" eval '[ "$rc" -eq 2 ] && [ ! -e bad.csv ]'
sweep --n 1 --m "2 x" --csv bad.csv
check "m = x exits 2" eval '[ "$rc" -eq 2 ] && [ ! -e bad.csv ]'

# ---- A first sweep, then resumes
sweep --n 1 --m "2 3" --target "0.9 1" --csv a.csv
check "a first sweep of 2 bounds and 4 proves exits 0 with 6 rows" \
    eval '[ "$rc" -eq 0 ] && expect rows "$(rows a.csv)" 6'
check "every row has 18 fields" eval '[ "$(tsv a.csv | awk -F"\t" "NF != 18" | wc -l)" -eq 0 ]'
check "every row has a UTC ISO-8601 timestamp" \
    eval '[ "$(column a.csv timestamp | grep -cE "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")" -eq 6 ]'
version=$("$bin" --version | head -n 1)
check "every row has the autoconv version ($version)" \
    eval '[ "$(column a.csv version | grep -cxF "$version")" -eq 6 ]'
check "every row has exit code 0 (bound) or 1 (not proven)" \
    eval 'expect "exit codes" "$(tsv a.csv | cut -f1,15 --output-delimiter=: | sort | uniq -c | tr -s " " | tr "\n" ";")" " 2 bound:0; 4 prove:1;"'
check "targets are written as reduced fractions" \
    eval 'expect targets "$(column a.csv target | sort -u | tr "\n" " ")" " 1 9/10 "'

before=$(cat a.csv 2>/dev/null || true)
sweep --n 1 --m "2 3" --target "0.9 1" --csv a.csv
check "resuming the same sweep runs nothing and exits 0" \
    eval '[ "$rc" -eq 0 ] && [ "$(cat a.csv)" = "$before" ] && grep -q "already done" <<<"$err"'
sweep --n 1 --m "2 3" --target "0.90 9/10 18/20 .9 1/1 1.000" --csv a.csv
check "0.90, 9/10, 18/20, .9 resume as target 0.9 and 1/1, 1.000 as target 1" \
    eval '[ "$rc" -eq 0 ] && [ "$(cat a.csv)" = "$before" ]'
sweep --n 01 --m "002 3" --csv a.csv
check "n = 01 and m = 002 resume as 1 and 2" eval '[ "$rc" -eq 0 ] && [ "$(cat a.csv)" = "$before" ]'

sweep --n 1 --m "2 3" --target "0.9 1" --csv a.csv -- --threads 1
check "different options after -- (--threads 1) run every row again" \
    eval '[ "$rc" -eq 0 ] && expect rows "$(rows a.csv)" 12 && expect options "$(column a.csv options | sort | uniq -c | tr -s " " | tr "\n" ";")" " 6 ; 6 --threads 1;"'
sweep --n 1 --m "2 3" --target "0.9 1" --csv a.csv -- --threads 1
check "the same options resume" eval '[ "$rc" -eq 0 ] && expect rows "$(rows a.csv)" 12'

# ---- -j 2 against -j 1
sweep --n 1 --m "2 3 4 5 6" --target "0.9 1" --csv j1.csv -j 1
rc1=$rc
sweep --n 1 --m "2 3 4 5 6" --target "0.9 1" --csv j2.csv -j 2
check "-j 1 and -j 2 both exit 0 with 15 rows" \
    eval '[ "$rc1" -eq 0 ] && [ "$rc" -eq 0 ] && expect "-j 1 rows" "$(rows j1.csv)" 15 && expect "-j 2 rows" "$(rows j2.csv)" 15'
check "-j 2 writes the same rows as -j 1 (timestamp and seconds aside)" \
    eval '[ -s j1.csv ] && [ -s j2.csv ] && diff <(tsv j1.csv | cut -f1-11,13-16,18 | sort) <(tsv j2.csv | cut -f1-11,13-16,18 | sort) >&2'
check "-j 2 writes whole lines: each has 18 fields and starts with bound or prove" \
    eval '[ "$(tsv j2.csv | awk -F"\t" "NF != 18 || (\$1 != \"bound\" && \$1 != \"prove\")" | wc -l)" -eq 0 ] && [ "$(grep -c "" j2.csv)" -eq 16 ]'
before=$(cat j2.csv 2>/dev/null || true)
sweep --n 1 --m "2 3 4 5 6" --target "0.9 1" --csv j2.csv -j 2
check "-j 2 resumes (runs nothing again)" eval '[ "$rc" -eq 0 ] && [ "$(cat j2.csv)" = "$before" ]'

# ---- Failed runs are logged, and retried
sweep --n 1 --m "2 3" --csv f.csv -j 2 -- --backend nosuch
check "runs that fail (autoconv exit 2) make the sweep exit 3 and are logged with exit code 2" \
    eval '[ "$rc" -eq 3 ] && expect rows "$(rows f.csv)" 2 && expect "exit codes" "$(column f.csv exit_code | sort -u)" 2'
check "a failed row has autoconv's error line as its message and a version" \
    eval '[ "$(column f.csv message | grep -c "nosuch")" -eq 2 ] && [ "$(column f.csv version | grep -cxF "$version")" -eq 2 ]'
sweep --n 1 --m "2 3" --csv f.csv -- --backend nosuch
check "a resumed sweep runs the failed rows again" eval '[ "$rc" -eq 3 ] && expect rows "$(rows f.csv)" 4'

# A flaky autoconv: fails (exit 3) while the file 'broken' exists, then works.
cat >flaky <<EOF
#!/bin/bash
if [ -e "$work/broken" ] && [ "\$1" != --version ]; then echo "first line" >&2; echo "autoconv: error: simulated failure" >&2; exit 3; fi
exec "$bin" "\$@"
EOF
chmod +x flaky
touch broken
rc=0; "$sweep" --autoconv ./flaky --n 1 --m 2 --target 0.9 --csv g.csv 2>/dev/null || rc=$?
check "an autoconv failure (exit 3) is logged with its exit code and its error line" \
    eval '[ "$rc" -eq 3 ] && expect rows "$(rows g.csv)" 2 && expect "exit codes" "$(column g.csv exit_code | sort -u)" 3 && expect message "$(column g.csv message | sort -u)" "autoconv: error: simulated failure"'
rm broken
rc=0; "$sweep" --autoconv ./flaky --n 1 --m 2 --target 0.9 --csv g.csv 2>/dev/null || rc=$?
check "after the failure is fixed, the resumed sweep reruns those rows and exits 0" \
    eval '[ "$rc" -eq 0 ] && expect rows "$(rows g.csv)" 4 && expect "last exit codes" "$(tsv g.csv | tail -n 2 | cut -f 15 | tr "\n" " ")" "0 1 "'
rc=0; "$sweep" --autoconv ./flaky --n 1 --m 2 --target 0.9 --csv g.csv 2>/dev/null || rc=$?
check "once they succeeded, they are skipped" eval '[ "$rc" -eq 0 ] && expect rows "$(rows g.csv)" 4'

# ---- JSON parsing: counts as strings, a nested field of the same name, quotes and a comma
cat >fake <<'EOF'
#!/bin/bash
[ "$1" != --version ] || { echo "0.0.0-fallback"; exit 0; }
cat <<'JSON'
{"schema_version": 1, "command": "prove", "nested": {"survivors": "999", "version": "no"},
 "device": "GPU \"X\", rev 2", "version": "9.9.9-test", "target": "9/10",
 "canonical_survivors": "4", "survivors": "227", "survivors_total": 5, "proven": false, "elapsed_seconds": 0.5}
JSON
exit 1
EOF
chmod +x fake
rc=0; "$sweep" --autoconv ./fake --n 1 --m 2 --target 0.9 --csv k.csv 2>/dev/null || rc=$?
check "JSON: survivors given as a string \"227\" is read as 227 (not a neighbour or nested field)" \
    eval 'expect survivors "$(column k.csv survivors | tail -n 1)" 227 && expect proven "$(column k.csv proven | tail -n 1)" false'
check "JSON: a device with a comma and escaped quotes survives the CSV; version comes from the JSON" \
    eval 'expect device "$(column k.csv device | tail -n 1)" "GPU \"X\", rev 2" && expect version "$(column k.csv version | tail -n 1)" 9.9.9-test'

# ---- Options holding a comma and a quote stay one CSV field
sweep --n 1 --m 2 --csv q.csv -- --device 'a,"b'
printf -v want '%q ' --device 'a,"b'
check "options with a comma and a quote are one quoted field, read back exactly" \
    eval 'expect options "$(column q.csv options)" "${want% }" && [ "$(tsv q.csv | awk -F"\t" "NF != 18" | wc -l)" -eq 0 ]'

# ---- An older CSV is refused
printf '%s\n' command,n,m,rule,max_window,target,certified_bound,certified_bound_value,min_test,proven,survivors,elapsed_seconds,device \
    bound,1,2,refined,2d,,7/16,0.4375,1,,,0.003,CPU >old.csv
cp old.csv old.orig
sweep --n 1 --m 2 --csv old.csv
check "a CSV with the older header is refused (exit 2, one line) and left alone" \
    eval '[ "$rc" -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && cmp -s old.csv old.orig'

# ---- Plot
if command -v gnuplot >/dev/null; then
    check "the plot is a PNG next to the CSV" eval '[ "$(head -c 4 j1.png | tail -c 3)" = PNG ]'
    rm -f a.png
    sweep --n 1 --m 2 --target 0.9 --csv a.csv --reference "$work/none.csv"
    check "a missing reference file is reported, and the plot still drawn" \
        eval '[ "$rc" -eq 0 ] && grep -q "reference file .* not found" <<<"$err" && [ -s a.png ]'
else
    echo "test-sweep: gnuplot not installed; plot assertions skipped" >&2
fi

echo "test-sweep: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
