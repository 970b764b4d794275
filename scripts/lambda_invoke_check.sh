#!/usr/bin/env bash
# Runs every events/*.json through its function binary over the Lambda runtime API that
# `cargo lambda watch` emulates, each on a freshly seeded local data directory (`seed-fixtures`:
# the same data tests/tests/events.rs seeds), and checks the status events/README.md expects.
#
#   scripts/lambda_invoke_check.sh              one `watch --only-lambda-apis`; this script starts
#                                               each debug binary itself, once per event
#   scripts/lambda_invoke_check.sh --cargo-run  `watch` starts the functions itself (`cargo run`)
#
# Default mode: one watch process serves the runtime API for all events. Per event the script
# seeds a new data directory, starts target/debug/<function> on it pointed at
# `http://127.0.0.1:<port>/.rt/<function>`, runs `cargo lambda invoke <function>`, and stops the
# function again. A fresh process per event is needed because a function opens SQLite once at
# start: a running one never sees a reseeded data directory (it keeps the old, unlinked database
# open), and watch does not restart a function instance that exits (the next invoke hangs).
#
# --cargo-run: the README's `cargo lambda watch` flow, where watch starts each function with
# `cargo run --bin <function>` on its first invoke and keeps it. Events then share one seeded data
# directory per watch process, so they run in an order where none disturbs a later one, and the
# second delete of the seeded file gets a second watch process on fresh data. `cargo run` rebuilds
# whatever the work tree holds at that moment and waits on cargo's build lock.
#
# Prints `PASS <file> <status>` or `FAIL <file>: expected X got Y <body excerpt>` per event, then
# `N passed, M failed`; exits 1 on any failure. Never builds in release and needs no network
# (watch runs with --offline; binaries are built up front). Settings: LAMBDA_CHECK_TIMEOUT
# (seconds per invoke, default 300), LAMBDA_CHECK_KEEP=1 keeps the temp directory and logs.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=self
case "${1:-}" in
    "") ;;
    --cargo-run) mode=cargo ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "usage: $0 [--cargo-run]" >&2
        exit 2
        ;;
esac

invoke_timeout="${LAMBDA_CHECK_TIMEOUT:-300}"

# event file | function binary | expected: events/README.md's status, for the seeded data.
# The S3 event has no HTTP status: `completed` means the invoke answered `null` and the function
# logged that the object-created event completed the seeded file (so it read the backend).
TABLE="
upload-post-files.json       filegate-upload          201
upload-create-upload.json    filegate-upload          201
upload-complete-upload.json  filegate-upload          200
metadata-list-files.json     filegate-metadata        200
metadata-delete-files.json   filegate-metadata        200
metadata-get-file.json       filegate-metadata        200
metadata-rename-file.json    filegate-metadata        200
metadata-delete-file.json    filegate-metadata        204
preview-get-preview.json     filegate-preview         206
preview-head-preview.json    filegate-preview         200
preview-get-download.json    filegate-preview         200
preview-head-download.json   filegate-preview         200
preview-get-link.json        filegate-preview         200
preview-head-link.json       filegate-preview         200
presign-create-link.json     filegate-presign         201
presign-revoke-link.json     filegate-presign         204
presign-download-url.json    filegate-presign         200
s3-object-created.json       filegate-upload-complete completed
"

# --cargo-run only: one line per watch process (each on its own freshly seeded data directory);
# within a line no event changes what a later one needs. Reads first, then what adds (links,
# files), then rename, revoke, and the deletes; both deletes need the seeded file.
ROUNDS="
metadata-list-files.json metadata-get-file.json preview-get-preview.json preview-head-preview.json preview-get-download.json preview-head-download.json preview-get-link.json preview-head-link.json presign-download-url.json presign-create-link.json upload-create-upload.json upload-complete-upload.json upload-post-files.json s3-object-created.json metadata-rename-file.json presign-revoke-link.json metadata-delete-file.json
metadata-delete-files.json
"

# shellcheck source=scripts/venv.sh
source scripts/venv.sh
# Only what this script sets reaches the functions (no FILEGATE_* / AWS_* from the caller).
for v in $(compgen -v); do
    case "$v" in FILEGATE_* | AWS_*) unset "$v" ;; esac
done
command -v cargo-lambda >/dev/null || {
    echo "lambda_invoke_check: cargo-lambda is not in .venv (scripts/requirements.txt)" >&2
    exit 1
}

now_ns() { date +%s%N; }
secs_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

t_start=$(now_ns)
echo "building the function binaries and seed-fixtures (debug)"
cargo build -q -p filegate-upload -p filegate-metadata -p filegate-preview -p filegate-presign \
    -p filegate-tests --bins
echo "built in $(secs_since "$t_start")s"
seed_bin="${CARGO_TARGET_DIR:-target}/debug/seed-fixtures"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/lambda-invoke-check.XXXXXX")"
watch_pid=""
watch_log=""
port=""
fn_pid=""
inv_pid=""
watch_seen_pids=() # descendants of watch seen so far (its function instances in --cargo-run)
leftover=0

# Every process below the watch process (function instances run in their own sessions, so a
# process-group kill alone would miss them if watch died without stopping them).
descendants() {
    ps -e -o pid= -o ppid= | awk -v root="$1" '
        { parent[$1] = $2; pids[NR] = $1 }
        END {
            for (i in pids) {
                p = pids[i]; q = parent[p]
                while (q != "" && q != 0 && q != 1) {
                    if (q == root) { print p; break }
                    q = parent[q]
                }
            }
        }'
}

remember_watch_tree() {
    [ -n "$watch_pid" ] || return 0
    local p
    for p in $(descendants "$watch_pid"); do
        [[ " ${watch_seen_pids[*]} " == *" $p "* ]] || watch_seen_pids+=("$p")
    done
}

alive() { kill -0 "$1" 2>/dev/null; }

# Checks with ps, right after stopping them, that none of these pids is still there.
verify_gone() {
    local p left=()
    for p in "$@"; do
        if ps -p "$p" >/dev/null 2>&1; then left+=("$p"); fi
    done
    [ "${#left[@]}" = 0 ] && return 0
    echo "lambda_invoke_check: processes left running: ${left[*]}" >&2
    ps -o pid,pgid,cmd -p "$(IFS=,; echo "${left[*]}")" >&2 || true
    leftover=1
}

# Waits up to $1 tenths of a second for every pid after it to end.
wait_gone() {
    local tenths=$1 p left
    shift
    while :; do
        left=0
        for p in "$@"; do alive "$p" && left=1; done
        [ "$left" = 0 ] && return 0
        [ "$tenths" -le 0 ] && return 1
        tenths=$((tenths - 1))
        sleep 0.1
    done
}

stop_function() {
    [ -n "$fn_pid" ] || return 0
    kill -TERM "$fn_pid" 2>/dev/null || true
    wait_gone 50 "$fn_pid" || kill -KILL "$fn_pid" 2>/dev/null || true
    wait "$fn_pid" 2>/dev/null || true
    verify_gone "$fn_pid"
    fn_pid=""
}

stop_watch() {
    [ -n "$watch_pid" ] || return 0
    remember_watch_tree
    # watch was started with setsid: its pid is its process group. SIGTERM lets it stop the
    # function instances it started; anything still there after 10 s gets SIGKILL by pid.
    kill -TERM -- "-$watch_pid" 2>/dev/null || kill -TERM "$watch_pid" 2>/dev/null || true
    if ! wait_gone 100 "$watch_pid" "${watch_seen_pids[@]}"; then
        kill -KILL -- "-$watch_pid" 2>/dev/null || true
        for p in "$watch_pid" "${watch_seen_pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
        wait_gone 50 "$watch_pid" "${watch_seen_pids[@]}" || true
    fi
    wait "$watch_pid" 2>/dev/null || true
    verify_gone "$watch_pid" "${watch_seen_pids[@]}"
    watch_pid=""
    watch_seen_pids=()
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$inv_pid" ]; then
        kill "$inv_pid" 2>/dev/null || true
        wait "$inv_pid" 2>/dev/null || true
        verify_gone "$inv_pid"
    fi
    stop_function
    stop_watch
    [ "$leftover" = 0 ] || rc=1
    if [ "${LAMBDA_CHECK_KEEP:-}" = 1 ]; then
        echo "lambda_invoke_check: kept $tmp" >&2
    else
        rm -rf "$tmp"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# True once watch answers HTTP on the port. Any other request would be taken as an invoke of
# a function (watch queues it until one answers), but a CORS preflight is answered by watch
# itself. A subshell, so a refused connect cannot end the script.
answers() {
    (
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf 'OPTIONS / HTTP/1.0\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1\r\nAccess-Control-Request-Method: POST\r\n\r\n' >&3 || exit 1
        line=""
        IFS= read -r -t 2 line <&3 || true
        [[ "$line" == HTTP/* ]]
    ) 2>/dev/null
}

watch_count=0
t_watch=""
# start_watch [extra watch args...]: a new watch process on a free loopback port.
start_watch() {
    local attempt tenths
    for attempt in 1 2 3; do
        watch_count=$((watch_count + 1))
        port="$(free_port)"
        watch_log="$tmp/watch-$watch_count.log"
        [ -n "$t_watch" ] || t_watch=$(now_ns)
        # setsid: own session and process group (pgid = pid), stopped as a group at exit.
        setsid cargo-lambda lambda watch -A 127.0.0.1 -P "$port" --ignore-changes --offline "$@" \
            >"$watch_log" 2>&1 </dev/null &
        watch_pid=$!
        for ((tenths = 0; tenths < 600; tenths++)); do
            if answers "$port"; then return 0; fi
            alive "$watch_pid" || break
            sleep 0.1
        done
        echo "lambda_invoke_check: watch on port $port did not come up (attempt $attempt):" >&2
        tail -n 5 "$watch_log" >&2 || true
        stop_watch
    done
    echo "lambda_invoke_check: cargo-lambda lambda watch never answered" >&2
    exit 1
}

seed() { # dir
    "$seed_bin" "$1" >/dev/null
}

# Starts target/debug/$1 on data dir $2 against the watch's runtime API, logging to $3.
start_function() {
    env FILEGATE_BACKEND=local FILEGATE_DATA_DIR="$2" \
        AWS_LAMBDA_FUNCTION_NAME="$1" AWS_LAMBDA_FUNCTION_VERSION=1 \
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE=4096 \
        AWS_LAMBDA_RUNTIME_API="http://127.0.0.1:$port/.rt/$1" \
        "${CARGO_TARGET_DIR:-target}/debug/$1" >"$3" 2>&1 </dev/null &
    fn_pid=$!
}

# invoke <binary> <event file> <out> <err> -> 0 answered, 1 invoke failed, 2 function died,
# 3 timed out. Fails fast when the function (self mode) or watch's `cargo run` (--cargo-run)
# exits before answering: watch would otherwise keep the request until the timeout.
invoke() {
    local bin=$1 event=$2 out=$3 err=$4 log_lines=0 tenths=0 rc=0
    [ -n "$watch_log" ] && log_lines=$(wc -l <"$watch_log")
    cargo-lambda lambda invoke "$bin" --data-file "events/$event" \
        --invoke-address 127.0.0.1 --invoke-port "$port" -o json >"$out" 2>"$err" </dev/null &
    inv_pid=$!
    while alive "$inv_pid"; do
        if [ "$mode" = self ] && ! alive "$fn_pid"; then
            sleep 0.2 # it may have answered just before exiting
            alive "$inv_pid" && rc=2 && break
        fi
        if [ "$mode" = cargo ] && [ $((tenths % 5)) = 0 ] &&
            tail -n "+$((log_lines + 1))" "$watch_log" | grep -Eq 'ERROR command (exited|killed)'; then
            rc=2
            break
        fi
        if [ "$tenths" -ge $((invoke_timeout * 10)) ]; then
            rc=3
            break
        fi
        tenths=$((tenths + 1))
        sleep 0.1
    done
    if [ "$rc" != 0 ]; then
        kill "$inv_pid" 2>/dev/null || true
        wait "$inv_pid" 2>/dev/null || true
    elif ! wait "$inv_pid"; then
        rc=1
    fi
    verify_gone "$inv_pid"
    inv_pid=""
    return "$rc"
}

# parse_result <event> <expected> <out> <function log> -> prints "STATUS<TAB>BODY EXCERPT".
# The function log is its own (default) or watch's, which holds every function's (--cargo-run).
parse_result() {
    python3 - "$1" "$2" "$3" "$4" <<'PY'
import base64, json, sys
event, expected, out, fnlog = sys.argv[1:5]
FILE_ID = "0193a6f2-7c1e-7b3a-9c2d-5e8f1a2b3c4d"
def excerpt(s, n=160):
    s = " ".join(s.split())
    return s if len(s) <= n else s[:n] + "..."
raw = open(out, encoding="utf-8", errors="replace").read()
try:
    d = json.loads(raw)
except ValueError:
    print("not-json\t" + excerpt(raw))
    sys.exit()
if expected == "completed":
    log = open(fnlog, encoding="utf-8", errors="replace").read() if fnlog else ""
    done = any("upload completed by object-created event" in l and FILE_ID in l
               for l in log.splitlines())
    if d is None and done:
        print("completed\t")
    elif d is None:
        print("null-without-completion\t" + excerpt(log[-400:]))
    else:
        print("unexpected-payload\t" + excerpt(raw))
    sys.exit()
if not isinstance(d, dict) or "statusCode" not in d:
    print("no-statusCode\t" + excerpt(raw))
    sys.exit()
body = d.get("body") or ""
if d.get("isBase64Encoded"):
    body = base64.b64decode(body).decode("utf-8", "replace")
print(f"{d['statusCode']}\t{excerpt(body)}")
PY
}

passed=0
failed=0
first_ok=""
need_restart=0
declare -A BIN EXPECT

pass() {
    echo "PASS $1 $2"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL $1: $2"
    failed=$((failed + 1))
}

while read -r f b e; do
    [ -n "${f:-}" ] || continue
    BIN[$f]=$b
    EXPECT[$f]=$e
done <<<"$TABLE"

# Every event has a row and every row an event; every expected status appears in the event's
# row of events/README.md, so the table and the README cannot drift apart unnoticed.
declare -A ON_DISK
for path in events/*.json; do ON_DISK[$(basename "$path")]=1; done
for f in "${!ON_DISK[@]}"; do
    [ -n "${BIN[$f]:-}" ] || fail "$f" "no row for it in the table of $0"
done
for f in "${!BIN[@]}"; do
    if [ -z "${ON_DISK[$f]:-}" ]; then
        fail "$f" "in the table of $0 but not in events/"
        unset "BIN[$f]"
        continue
    fi
    exp=${EXPECT[$f]}
    [[ "$exp" =~ ^[0-9]+$ ]] || continue
    cell="$(grep -F "| \`$f\` |" events/README.md | awk -F'|' '{ print $(NF-1) }' || true)"
    if ! [[ "$cell" =~ (^|[^0-9])$exp([^0-9]|$) ]]; then
        fail "$f" "the script expects $exp but events/README.md says:${cell:- nothing}"
        unset "BIN[$f]"
    fi
done

run_event() { # index event data-dir
    local n=$1 f=$2 data=$3 bin=${BIN[$2]} exp=${EXPECT[$2]} out err fnlog rc=0 got body
    out="$tmp/$n-$f.out"
    err="$tmp/$n-$f.err"
    fnlog="$tmp/$n-$f.fn.log"
    if [ "$mode" = self ]; then
        if ! seed "$data" 2>"$err"; then
            fail "$f" "expected $exp got no run: seed-fixtures failed: $(tr '\n' ' ' <"$err" | cut -c1-240)"
            return
        fi
        start_function "$bin" "$data" "$fnlog"
    fi
    invoke "$bin" "$f" "$out" "$err" || rc=$?
    if [ "$mode" = self ]; then
        stop_function
    else
        remember_watch_tree
        # watch relays the function's stderr into its log: give the S3 line a moment to land.
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            [ "$exp" != completed ] || grep -q 'upload completed by object-created event' "$watch_log" && break
            sleep 0.2
        done
        cp "$watch_log" "$fnlog"
    fi
    case "$rc" in
        0) ;;
        1)
            fail "$f" "expected $exp got invoke error: $(tr '\n' ' ' <"$err" | cut -c1-240)"
            return
            ;;
        2)
            need_restart=1
            fail "$f" "expected $exp got no answer: the function process exited: $(tail -n 3 "$fnlog" | tr '\n' ' ' | cut -c1-240)"
            return
            ;;
        3)
            need_restart=1
            fail "$f" "expected $exp got no answer within ${invoke_timeout}s"
            return
            ;;
    esac
    IFS=$'\t' read -r got body < <(parse_result "$f" "$exp" "$out" "$fnlog")
    if [ "$got" = "$exp" ]; then
        pass "$f" "$got"
        if [ -z "$first_ok" ]; then
            first_ok=1
            echo "first successful invoke $(secs_since "$t_watch")s after starting cargo-lambda lambda watch"
        fi
    else
        fail "$f" "expected $exp got $got ${body:-}"
    fi
}

n=0
if [ "$mode" = self ]; then
    echo "mode: one cargo-lambda lambda watch --only-lambda-apis; a new function process and data dir per event"
    start_watch --only-lambda-apis
    for f in $(printf '%s\n' "${!BIN[@]}" | sort); do
        if [ "$need_restart" = 1 ]; then
            # A request that was never answered stays queued in watch: start a clean one.
            stop_watch
            start_watch --only-lambda-apis
            need_restart=0
        fi
        n=$((n + 1))
        run_event "$(printf %02d "$n")" "$f" "$tmp/$(printf %02d "$n")-data"
    done
else
    echo "mode: cargo-lambda lambda watch starts the functions (cargo run); one seeded data dir per watch"
    round=0
    ordered=" "
    while read -r line; do
        [ -n "$line" ] || continue
        round=$((round + 1))
        data="$tmp/round-$round-data"
        seed "$data"
        printf 'FILEGATE_BACKEND=local\nFILEGATE_DATA_DIR=%s\n' "$data" >"$tmp/round-$round.env"
        start_watch --env-file "$tmp/round-$round.env"
        for f in $line; do
            ordered+="$f "
            [ -n "${BIN[$f]:-}" ] || continue
            if [ "$need_restart" = 1 ]; then
                # The unanswered request stays queued and its function is never restarted.
                stop_watch
                start_watch --env-file "$tmp/round-$round.env"
                need_restart=0
            fi
            n=$((n + 1))
            run_event "$(printf %02d "$n")" "$f" "$data"
        done
        stop_watch
    done <<<"$ROUNDS"
    for f in $(printf '%s\n' "${!BIN[@]}" | sort); do
        [[ "$ordered" == *" $f "* ]] || fail "$f" "not in any round of $0 (--cargo-run)"
    done
fi

stop_function
stop_watch
echo "total $(secs_since "$t_start")s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
