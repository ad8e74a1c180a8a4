# Checks shared by the submitting scripts (cascade.sh, submit.sh, verify.sh), sourced by them on
# the submitting host; each failure is one line on stderr and exit 2. $script names the caller.

# autoconv_binary [BIN]: prints BIN (default: autoconv on PATH) as an absolute path, since the
# jobs start in other folders.
autoconv_binary() {
    local bin=${1:-$(command -v autoconv || true)}
    if [ -z "$bin" ] || [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
        echo "$script: no autoconv executable; pass --autoconv BIN" >&2
        exit 2
    fi
    echo "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
}

# refuse_node_local PATH…: refuses a path under /tmp or $TMPDIR, which other nodes do not see
# (the callers skip this for --local, a single-node cluster).
refuse_node_local() {
    local path tmp
    for path in "$@"; do
        for tmp in /tmp "${TMPDIR:-/tmp}"; do
            tmp=$(realpath -m "$tmp")
            case $path/ in
                "$tmp"/*)
                    echo "$script: $path is under $tmp, which is not shared between nodes: put it on a shared file system (or pass --local on a single-node cluster)" >&2
                    exit 2 ;;
            esac
        done
    done
}
