#!/bin/bash
# Runs a grid of single-level jobs, logs one CSV row per run, and plots the results against m.
#
#   scripts/sweep.sh --n "1 2 3" --m "2 4 6 8 10" [--target "1 1.05 32/25"] [--rule refined]
#                    [--max-window 2d] [--csv sweep.csv] [--plot sweep.png] [-j K]
#                    [--reference docs/reference-bounds.csv] [--autoconv BIN]
#                    [-- EXTRA AUTOCONV OPTIONS, e.g. --backend opencl --threads 8]
#   scripts/sweep.sh --help
#
# For every (n, m) it runs `autoconv bound`, and `autoconv prove` for every target, and appends
# one CSV row per run. n and m must be positive integers; a target is a decimal (0.9, .9, 1.28)
# or a fraction (9/10), compared exactly: 0.9, 0.90 and 9/10 are one target, written 9/10 in the
# CSV (an integer target is written without /1). Anything else is refused (exit 2).
#
# CSV columns (header line written when the file is new or empty):
#   command,n,m,rule,max_window,target,certified_bound,certified_bound_value,min_test,proven,
#   survivors,elapsed_seconds,device,options,exit_code,version,timestamp,message
# The first 13 are the columns of the older format, in the same order. options: the arguments
# after `--`, each shell-quoted (printf %q) and joined by spaces; exit_code: autoconv's exit
# status (0 proven / bound done, 1 not proven, 2 bad input, 3 failure, 128+N killed by signal N);
# version: autoconv's JSON field `version` (`autoconv --version` when there is no JSON);
# timestamp: when the run started, UTC ISO-8601; message: for a failed run (exit 2 or more), the
# first line of its stderr that mentions an error (else "killed by signal N", else its first
# line), otherwise empty. Fields holding a comma or a double quote are quoted the RFC 4180 way
# ("a,""b"); no field holds a line break, so every row is one line. A CSV with any other header
# (the older format included) is refused (exit 2) rather than mixed.
#
# Resume: a run whose key (command, n, m, rule, max_window, target, options) already has a row
# with exit code 0 or 1 is skipped, so an interrupted sweep resumes where it stopped. A run whose
# only rows are failures (exit 2 or more) runs again and gets a new row; the failed rows stay as
# a log. -j K runs K autoconv processes at once; each row is appended as one line under flock(1),
# so rows never interleave (their order then follows completion, not the grid).
#
# Afterwards it plots, for the --rule and --max-window of this call (all options together; for a
# key run more than once, the latest successful row), with gnuplot (Debian: apt-get install -y
# gnuplot-nox) into the PNG: the certified bound against m, one colour per n (solid), b_{n,m}
# (dashed), the prove verdicts as points at (m, target) (filled triangle: proven, cross: not
# proven), and horizontal lines for the reference bounds on C read from --reference (a CSV with
# header name,value,source; default docs/reference-bounds.csv; `--reference none` draws none).
#
# Exit status: 0 when every run that was due gave exit 0 or 1; 2 for bad usage or a refused CSV;
# 3 when some run failed (its row is in the CSV, and the next sweep retries it).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
    cat <<'EOF'
usage: scripts/sweep.sh --n "N..." --m "M..." [--target "T..."] [--rule RULE] [--max-window W]
                        [--csv FILE] [--plot FILE.png] [-j K] [--reference FILE|none]
                        [--autoconv BIN] [-- EXTRA AUTOCONV OPTIONS]

Runs `autoconv bound` (and `autoconv prove` for each target) for every (n, m), appends one CSV row
per run, skips runs that already succeeded in the CSV (resume), and plots the results.

  --n "N..."          levels n (positive integers)
  --m "M..."          grid resolutions m (positive integers)
  --target "T..."     prove targets: decimals or fractions (0.9, 9/10); compared exactly
  --rule RULE         correction rule (default refined)
  --max-window W      largest window length, d or 2d (default 2d)
  --csv FILE          CSV to append to (default sweep.csv)
  --plot FILE         PNG to draw (default: the CSV's name with .png)
  -j, --jobs K        run K autoconv processes at once (default 1)
  --reference FILE    reference bounds on C drawn as horizontal lines (CSV name,value,source;
                      default docs/reference-bounds.csv; none: no lines)
  --autoconv BIN      the autoconv executable (default: build the release binary)
  -h, --help          show this help
  -- OPTIONS          passed to every autoconv run, and part of each row's resume key

Exit status: 0 all runs done (proven or not), 2 bad usage or a refused CSV, 3 some run failed
(logged in the CSV with its exit code and message, and retried by the next sweep).
The CSV columns are described in the header comment of scripts/sweep.sh.
EOF
}
die() { echo "sweep.sh: $*" >&2; exit 2; }

ns="" ms="" targets="" rule=refined window=2d csv=sweep.csv plot="" bin="" jobs=1
reference=$root/docs/reference-bounds.csv
while [ $# -gt 0 ]; do
    case $1 in
        -h | --help) usage; exit 0 ;;
        --) shift; break ;;
        --n | --m | --target | --rule | --max-window | --csv | --plot | --autoconv | --reference | -j | --jobs)
            [ $# -ge 2 ] || die "$1 needs a value (see --help)"
            case $1 in
                --n) ns=$2 ;;
                --m) ms=$2 ;;
                --target) targets=$2 ;;
                --rule) rule=$2 ;;
                --max-window) window=$2 ;;
                --csv) csv=$2 ;;
                --plot) plot=$2 ;;
                --autoconv) bin=$2 ;;
                --reference) reference=$2 ;;
                -j | --jobs) jobs=$2 ;;
            esac
            shift 2 ;;
        -j*) jobs=${1#-j}; shift ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
[ -n "$ns" ] && [ -n "$ms" ] || die "--n and --m are required (see --help)"

# positive_integer WHAT VALUE: VALUE without leading zeros, or exit 2.
positive_integer() {
    [[ $2 =~ ^[0-9]{1,18}$ ]] && [ $((10#$2)) -gt 0 ] ||
        die "$1 must be a positive integer (got '$2')"
    echo $((10#$2))
}

# exact_target T: T as a reduced fraction p/q (just p when q = 1), in integer arithmetic only.
exact_target() {
    local t=$1 num den frac a b r
    if [[ $t =~ ^([0-9]+)/([0-9]+)$ ]]; then
        num=${BASH_REMATCH[1]} den=${BASH_REMATCH[2]}
    elif [[ $t == *[0-9]* ]] && [[ $t =~ ^([0-9]*)(\.([0-9]*))?$ ]]; then
        num=${BASH_REMATCH[1]} frac=${BASH_REMATCH[3]}
        while [[ $frac == *0 ]]; do frac=${frac%0}; done
        num=$num$frac den=1
        for ((r = 0; r < ${#frac}; r++)); do den=${den}0; done
    else
        die "target '$t' is not a decimal like 1.28 or a fraction like 32/25"
    fi
    [[ $num =~ ^0*([0-9]+)$ ]] && num=${BASH_REMATCH[1]}
    [[ $den =~ ^0*([0-9]+)$ ]] && den=${BASH_REMATCH[1]}
    [ ${#num} -le 18 ] && [ ${#den} -le 18 ] ||
        die "target '$t' has too many digits to compare exactly (at most 18 in numerator and denominator)"
    [ "$den" -ne 0 ] || die "target '$t' has denominator 0"
    a=$num b=$den
    while [ "$b" -ne 0 ]; do r=$((a % b)) a=$b b=$r; done
    num=$((num / a)) den=$((den / a))
    if [ "$den" -eq 1 ]; then echo "$num"; else echo "$num/$den"; fi
}

n_list=() m_list=() target_list=() target_text=()
for n in $ns; do n_list+=("$(positive_integer n "$n")"); done
for m in $ms; do m_list+=("$(positive_integer m "$m")"); done
for t in $targets; do target_list+=("$(exact_target "$t")"); target_text+=("$t"); done
[ ${#n_list[@]} -gt 0 ] && [ ${#m_list[@]} -gt 0 ] || die "--n and --m need at least one value each"
[[ $jobs =~ ^[0-9]{1,4}$ ]] && [ $((10#$jobs)) -gt 0 ] || die "-j must be a positive integer (got '$jobs')"
jobs=$((10#$jobs))
plot=${plot:-${csv%.csv}.png}
extra=("$@")
options=""
if [ ${#extra[@]} -gt 0 ]; then printf -v options '%q ' "${extra[@]}"; options=${options% }; fi

header=command,n,m,rule,max_window,target,certified_bound,certified_bound_value,min_test,proven,survivors,elapsed_seconds,device,options,exit_code,version,timestamp,message
old_header=command,n,m,rule,max_window,target,certified_bound,certified_bound_value,min_test,proven,survivors,elapsed_seconds,device
if [ -s "$csv" ]; then
    first=$(head -n 1 "$csv" | tr -d '\r')
    [ "$first" != "$old_header" ] ||
        die "$csv has the older sweep header (no options, exit_code, version or timestamp columns); move it away and start a new CSV rather than mix formats"
    [ "$first" = "$header" ] || die "$csv does not start with the sweep CSV header ($header); not appending to it"
fi

if [ -z "$bin" ]; then
    (cd "$root" && swift build -c release --product autoconv >&2)
    bin=$(cd "$root" && swift build -c release --show-bin-path)/autoconv
fi
[ -x "$bin" ] || die "autoconv executable not found: $bin"
[ -s "$csv" ] || printf '%s\n' "$header" >"$csv"
tool_version=$("$bin" --version 2>/dev/null | head -n 1 || true)

work=$(mktemp -d "${TMPDIR:-/tmp}/sweep.XXXXXX")
mkdir "$work/pids" "$work/failed"
cleanup() { rm -rf "$work"; }
stop() {    # INT/TERM: stop the autoconv processes this sweep started, then leave
    trap - INT TERM
    local f
    for f in "$work"/pids/*; do [ -e "$f" ] && kill -TERM "${f##*/}" 2>/dev/null || true; done
    wait 2>/dev/null || true
    exit 130
}
trap cleanup EXIT
trap stop INT TERM

# The awk CSV reader shared by the resume check and the plot: csv_split(line, f) fills f[1..]
# with the fields of one RFC 4180 line and returns their count; col[name] is a column's index.
csv_awk='
function csv_split(line, f,    n, i, c, field, quoted) {
    if (index(line, "\"") == 0) return split(line, f, ",")
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
{ sub(/\r$/, "") }
NR == 1 { for (i = 1; i <= csv_split($0, h); i++) col[h[i]] = i; next }
'
sep=$'\037'

# Keys (command, n, m, rule, max_window, target, options joined by \037) that already succeeded.
declare -A done_keys=()
while IFS= read -r key; do done_keys[$key]=1; done < <(awk -v s="$sep" "$csv_awk"'
    { csv_split($0, f) }
    f[col["exit_code"]] == "0" || f[col["exit_code"]] == "1" {
        print f[col["command"]] s f[col["n"]] s f[col["m"]] s f[col["rule"]] s f[col["max_window"]] s f[col["target"]] s f[col["options"]]
    }' "$csv")

# json_fields NAME... < JSON: the top-level scalar fields NAME of autoconv's JSON object, one per
# line, whether a string ("227") or a bare number, boolean or null (printed empty). Nested
# objects and arrays are skipped; line breaks inside strings become spaces.
json_fields() {
    awk -v want="$*" '
    { s = s $0 "\n" }
    END {
        n = split(want, w, " ")
        depth = 0; key = ""; i = 1; len = length(s)
        while (i <= len) {
            c = substr(s, i, 1)
            if (c == "\"") {
                str = ""
                for (i++; i <= len; i++) {
                    c = substr(s, i, 1)
                    if (c == "\"") break
                    if (c == "\\") { i++; c = substr(s, i, 1); if (c == "n" || c == "r" || c == "t") c = " "; else if (c == "u") c = "\\u" }
                    str = str c
                }
                for (i++; substr(s, i, 1) ~ /[ \t\r\n]/; i++) ;
                if (depth == 1 && key == "" && substr(s, i, 1) == ":") { key = str; i++ }
                else { if (depth == 1 && key != "") val[key] = str; key = "" }
            } else if (c == "{" || c == "[") { if (depth == 1) key = ""; depth++; i++ }
            else if (c == "}" || c == "]") { depth--; i++ }
            else if (c ~ /[ \t\r\n,:]/) i++
            else {
                for (j = i; j <= len && substr(s, j, 1) !~ /[ \t\r\n,:}\]]/; j++) ;
                if (depth == 1 && key != "") { tok = substr(s, i, j - i); val[key] = (tok == "null" ? "" : tok); key = "" }
                i = j
            }
        }
        for (k = 1; k <= n; k++) { v = val[w[k]]; gsub(/[\r\n]/, " ", v); print v }
    }'
}

# csv_row FIELD...: one CSV line; a field holding a comma or quote is quoted, line breaks dropped.
csv_row() {
    local row="" v comma=""
    for v in "$@"; do
        v=${v//$'\r'/ }
        v=${v//$'\n'/ }
        [[ $v != *[,\"]* ]] || v="\"${v//\"/\"\"}\""
        row+=$comma$v comma=,
    done
    printf '%s' "$row"
}

# append_row LINE: one line appended to the CSV at once, under flock when there is one.
append_row() {
    if command -v flock >/dev/null; then
        { flock -x 9 && printf '%s\n' "$1" >&9; } 9>>"$csv"
    else
        printf '%s\n' "$1" >>"$csv"
    fi
}

# run_one ID COMMAND N M TARGET TARGET_TEXT: run autoconv once and append its row. With -j 1
# its stderr (progress) passes through; with -j K > 1 it is only kept for the message column.
run_one() {
    local id=$1 command=$2 n=$3 m=$4 target=$5 target_text=$6
    local out=$work/$id.out err=$work/$id.err status label timestamp
    local args=("$command" --n "$n" --m "$m" --rule "$rule" --max-window "$window" --json)
    [ "$command" = bound ] || args+=(--target "$target_text")
    args+=("${extra[@]}")
    label="$command n=$n m=$m${target:+ target=$target}"
    timestamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    # autoconv runs in the background so that a signal to the sweep is handled at once (stop).
    local errfd pid tee=""
    if [ "$jobs" -eq 1 ]; then
        exec {errfd}> >(tee "$err" >&2)
        tee=$!
    else
        exec {errfd}>"$err"
    fi
    "$bin" "${args[@]}" >"$out" 2>&"$errfd" &
    pid=$!
    exec {errfd}>&-
    : >"$work/pids/$pid"
    status=0
    wait "$pid" || status=$?
    rm -f "$work/pids/$pid"
    [ -z "$tee" ] || wait "$tee" || true
    local v=() message=""
    mapfile -t v < <(json_fields certified_bound certified_bound_value min_test proven survivors elapsed_seconds device version <"$out")
    [ -n "${v[7]}" ] || v[7]=$tool_version
    if [ "$status" -ge 2 ]; then
        message=$(tr '\r' '\n' <"$err" | awk -v signal=$((status > 128 ? status - 128 : 0)) '
            NF && first == "" { first = $0 }
            NF && tolower($0) ~ /error/ { print; found = 1; exit }
            END { if (!found) print (signal ? "killed by signal " signal : first != "" ? first : "no message on stderr") }')
        : >"$work/failed/$id"
    fi
    append_row "$(csv_row "$command" "$n" "$m" "$rule" "$window" "$target" "${v[@]:0:7}" "$options" "$status" "${v[7]}" "$timestamp" "$message")"
    case $status in
        0) echo "sweep: $label: $([ "$command" = bound ] && echo done || echo proven)" >&2 ;;
        1) echo "sweep: $label: not proven" >&2 ;;
        *) echo "sweep: $label: FAILED (exit $status): $message" >&2 ;;
    esac
    rm -f "$out" "$err"
}

# The runs due, in grid order, without duplicates and without those already done.
declare -A queued=()
due=() skipped=0
consider() {    # consider COMMAND N M TARGET TARGET_TEXT
    local key="$1$sep$2$sep$3$sep$rule$sep$window$sep$4$sep$options"
    [ -z "${queued[$key]:-}" ] || return 0
    queued[$key]=1
    if [ -n "${done_keys[$key]:-}" ]; then
        echo "sweep: $1 n=$2 m=$3${4:+ target=$4}${options:+ [$options]} already done" >&2
        skipped=$((skipped + 1))
    else
        due+=("$1 $2 $3 ${4:--} ${5:--}")
    fi
}
for n in "${n_list[@]}"; do
    for m in "${m_list[@]}"; do
        consider bound "$n" "$m" "" ""
        for i in "${!target_list[@]}"; do consider prove "$n" "$m" "${target_list[$i]}" "${target_text[$i]}"; done
    done
done

id=0
for job in "${due[@]}"; do
    read -r command n m target text <<<"$job"
    [ "$target" != - ] || target="" text=""
    id=$((id + 1))
    if [ "$jobs" -eq 1 ]; then
        run_one "$id" "$command" "$n" "$m" "$target" "$text"
    else
        while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
        run_one "$id" "$command" "$n" "$m" "$target" "$text" &
    fi
done
wait
failed=$(find "$work/failed" -type f | wc -l)
echo "sweep: ran ${#due[@]}, skipped $skipped (already done), failed $failed; rows in $csv" >&2

# ---- Plot: certified bound (solid) and b_{n,m} (dashed) against m, one colour per n; prove
# verdicts as points at (m, target); reference bounds on C as horizontal lines.
draw_plot() {
    if ! command -v gnuplot >/dev/null; then
        echo "sweep: gnuplot not found (apt-get install -y gnuplot-nox); CSV written to $csv, no plot" >&2
        return
    fi
    # One line per latest successful row of this rule and window: "bound N M VALUE B" or
    # "prove N M TARGET_VALUE EXIT".
    awk -v r="$rule" -v w="$window" "$csv_awk"'
        function value(x,    p) { split(x, p, "/"); return (p[2] != "" ? p[1] / p[2] : p[1] + 0) }
        { csv_split($0, f); e = f[col["exit_code"]] }
        f[col["rule"]] != r || f[col["max_window"]] != w || (e != "0" && e != "1") { next }
        f[col["command"]] == "bound" && e == "0" {
            k = "bound " f[col["n"]] " " f[col["m"]]
            last[k] = f[col["certified_bound_value"]] " " value(f[col["min_test"]])
        }
        f[col["command"]] == "prove" {
            k = "prove " f[col["n"]] " " f[col["m"]] " " value(f[col["target"]])
            last[k] = e
        }
        END { for (k in last) print k, last[k] }' "$csv" >"$work/rows"
    local plots=() colour=1 n
    for n in $(awk '{print $2}' "$work/rows" | sort -nu); do
        awk -v n="$n" '$1 == "bound" && $2 == n {print $3, $4, $5}' "$work/rows" | sort -n >"$work/bound$n"
        awk -v n="$n" '$1 == "prove" && $2 == n && $5 == 0 {print $3, $4}' "$work/rows" | sort -n >"$work/proven$n"
        awk -v n="$n" '$1 == "prove" && $2 == n && $5 == 1 {print $3, $4}' "$work/rows" | sort -n >"$work/open$n"
        if [ -s "$work/bound$n" ]; then
            plots+=("'$work/bound$n' using 1:2 with linespoints lw 2 pt 7 ps 0.7 lc $colour title 'certified bound, n = $n (d = $((2 * n)))'")
            plots+=("'$work/bound$n' using 1:3 with lines dt 2 lc $colour title 'b_{n,m}, n = $n'")
        fi
        [ ! -s "$work/proven$n" ] ||
            plots+=("'$work/proven$n' using 1:2 with points pt 9 ps 1.8 lc $colour title 'target proven, n = $n'")
        [ ! -s "$work/open$n" ] ||
            plots+=("'$work/open$n' using 1:2 with points pt 2 ps 1.8 lw 2 lc $colour title 'target not proven, n = $n'")
        colour=$((colour + 1))
    done
    if [ ${#plots[@]} -eq 0 ]; then
        echo "sweep: no successful rows for rule=$rule max-window=$window; no plot" >&2
        return
    fi
    if [ "$reference" != none ]; then
        if [ -r "$reference" ]; then
            # "VALUE<TAB>TITLE" per reference row; gnuplot doubles single quotes in '...' strings.
            local value title dash=3
            while IFS=$'\t' read -r value title; do
                plots+=("$value with lines dt $dash lw 1.5 lc rgb '#444444' title '${title//\'/\'\'}' noenhanced")
                dash=$((dash + 1))
            done < <(awk "$csv_awk"'
                { csv_split($0, f); v = f[col["value"]] }
                v ~ /^[0-9]*\.?[0-9]+$/ {
                    t = f[col["name"]] ": " v
                    if (f[col["source"]] != "") t = t " (" f[col["source"]] ")"
                    gsub(/\t/, " ", t); print v "\t" t
                }' "$reference")
        else
            echo "sweep: reference file $reference not found; plotting without reference lines" >&2
        fi
    fi
    local spec
    spec=$(IFS=,; echo "${plots[*]}")
    gnuplot <<GNUPLOT
set terminal pngcairo size 1100,760 font ',11'
set output '$plot'
set title 'autoconv: single-level lower bounds on C (rule $rule, windows ℓ ≤ $window)'
set xlabel 'm (grid resolution: heights are multiples of 1/m)'
set ylabel 'lower bound / prove target'
set key outside below center horizontal maxcols 2 width -4
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
set grid
plot $spec
GNUPLOT
    echo "sweep: plot written to $plot" >&2
}
draw_plot

[ "$failed" -eq 0 ] || { echo "sweep: $failed run(s) failed (exit_code and message are in $csv; a rerun retries them)" >&2; exit 3; }
