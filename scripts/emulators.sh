# shellcheck shell=bash
# Local AWS stand-ins for the tests, on free loopback ports. Source me, then:
#
#   source scripts/emulators.sh
#   trap emulators_stop EXIT      # the caller's job: this library installs no trap
#   emulators_start               # both; or `emulators_start moto` / `emulators_start seaweed`
#
# moto_server   DynamoDB + S3 (and every other service) on ONE endpoint; checks no signatures.
#               Run through moto_serial.py (one request at a time: atomic conditional writes).
#               -> FILEGATE_TEST_MOTO_URL
# SeaweedFS     `weed mini`, an S3 server that does verify SigV4: presigned URL expiry, signed
#               headers (content-length, content-type, x-amz-checksum-*), tampering.
#               -> FILEGATE_TEST_SEAWEED_URL, FILEGATE_TEST_SEAWEED_ACCESS_KEY,
#                  FILEGATE_TEST_SEAWEED_SECRET_KEY (fresh per start; any region works)
#
# Call emulators_start in the test script's own shell (not in `$(...)`), so the exports and the
# recorded process ids stay there. Each server runs in its own session (setsid) and
# emulators_stop kills exactly those process groups, then removes the temp dir (data, logs).
# Tools come from scripts/venv.sh, sourced here when they are not on PATH.
# Settings: FILEGATE_EMULATOR_TIMEOUT (seconds to wait for readiness, default 60),
# FILEGATE_EMULATOR_KEEP=1 (keep the temp dir with data and logs after stop).

_FGEMU_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Prints N distinct free loopback ports, held open together so they differ; the first one also
# has port+10000 free (weed's admin worker dials admin port + 10000, whatever -admin.port.grpc says).
_fgemu_ports() {
    python3 - "$1" <<'PY'
import socket, sys
n, held, out = int(sys.argv[1]), [], []
def grab(port=0):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        s.close()
        return None
    held.append(s)
    return s.getsockname()[1]
while not out:
    p = grab()
    if p + 10000 <= 65535 and grab(p + 10000):
        out.append(p)
while len(out) < n:
    out.append(grab())
print(" ".join(map(str, out)))
PY
}

# _fgemu_spawn NAME CMD... : runs CMD in a new session, output to $dir/NAME.log, and records
# "NAME:PGID:CHILD". The session leader writes its own pid: setsid forks when the caller has
# job control, so $! is not always the server.
_fgemu_spawn() {
    local name=$1 pidfile="$_FGEMU_DIR/$1.pid" child
    shift
    # shellcheck disable=SC2016 # expanded by the inner sh
    setsid sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >"$_FGEMU_DIR/$name.log" 2>&1 </dev/null &
    child=$!
    for _ in $(seq 1 100); do
        [ -s "$pidfile" ] && break
        sleep 0.05
    done
    if [ ! -s "$pidfile" ]; then
        echo "emulators: $name did not start" >&2
        return 1
    fi
    _FGEMU_PROCS="${_FGEMU_PROCS:-} $name:$(cat "$pidfile"):$child"
    export _FGEMU_PROCS
}

# True while a process of group $1 lives (zombies do not count: they are dead, just unreaped).
_fgemu_group_alive() {
    ps -e -o pgid=,stat= 2>/dev/null | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# _fgemu_wait NAME PGID CHECK... : runs CHECK until it succeeds, the server dies, or time is up.
_fgemu_wait() {
    local name=$1 pgid=$2 deadline
    shift 2
    deadline=$(($(date +%s) + ${FILEGATE_EMULATOR_TIMEOUT:-60}))
    while :; do
        if "$@"; then
            return 0
        fi
        if ! _fgemu_group_alive "$pgid"; then
            echo "emulators: $name exited during start-up; last log lines:" >&2
            break
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "emulators: $name not ready after ${FILEGATE_EMULATOR_TIMEOUT:-60}s; last log lines:" >&2
            break
        fi
        sleep 0.2
    done
    tail -n 40 "$_FGEMU_DIR/$name.log" >&2
    return 1
}

_fgemu_moto_ready() {
    curl -sf -o /dev/null --max-time 2 "$FILEGATE_TEST_MOTO_URL/moto-api/"
}

# Ready = a signed ListBuckets answers 200: S3 gateway, filer and our identity are all up.
_fgemu_seaweed_ready() {
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --aws-sigv4 "aws:amz:us-east-1:s3" \
        --user "$FILEGATE_TEST_SEAWEED_ACCESS_KEY:$FILEGATE_TEST_SEAWEED_SECRET_KEY" \
        "$FILEGATE_TEST_SEAWEED_URL/") || true
    [ "$code" = 200 ]
}

_fgemu_start_moto() {
    local port
    port=$(_fgemu_ports 1) || return 1
    export FILEGATE_TEST_MOTO_URL="http://127.0.0.1:$port"
    # S3 allows parts under 5 MiB only last; the tests use tiny parts, so let moto accept them.
    # moto_serial.py: moto_server one request at a time, so conditional writes are atomic.
    _fgemu_spawn moto env S3_UPLOAD_PART_MIN_SIZE=1 python "$_FGEMU_SCRIPTS/moto_serial.py" \
        -H 127.0.0.1 -p "$port" || return 1
    _fgemu_wait moto "$(_fgemu_pgid moto)" _fgemu_moto_ready
}

_fgemu_start_seaweed() {
    local p keys
    # admin (its +10000 is the worker's), master, master gRPC, volume, volume gRPC,
    # filer, filer gRPC, s3, s3 gRPC. Every port explicit: defaults are fixed numbers.
    read -r -a p <<<"$(_fgemu_ports 9)" || return 1
    [ "${#p[@]}" -eq 9 ] || return 1
    read -r -a keys <<<"$(python3 -c 'import secrets; print("FGTEST" + secrets.token_hex(7).upper(), secrets.token_urlsafe(30))')"
    export FILEGATE_TEST_SEAWEED_ACCESS_KEY="${keys[0]}"
    export FILEGATE_TEST_SEAWEED_SECRET_KEY="${keys[1]}"
    export FILEGATE_TEST_SEAWEED_URL="http://127.0.0.1:${p[7]}"
    _FGEMU_WEED_GRPC_PORTS="$((p[0] + 10000)) ${p[2]} ${p[4]} ${p[6]} ${p[8]}"
    export _FGEMU_WEED_GRPC_PORTS
    mkdir -p "$_FGEMU_DIR/seaweed-data" || return 1
    cat >"$_FGEMU_DIR/s3.json" <<JSON
{"identities": [{"name": "filegate-test",
  "credentials": [{"accessKey": "$FILEGATE_TEST_SEAWEED_ACCESS_KEY", "secretKey": "$FILEGATE_TEST_SEAWEED_SECRET_KEY"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON
    # TMPDIR: weed writes its glog files there. Telemetry off: it would phone home.
    # No WebDAV, admin UI, Iceberg or Lance servers: not needed, fewer ports.
    # autoCreateBucket off: a PUT to a missing bucket fails, as on AWS.
    _fgemu_spawn seaweed env TMPDIR="$_FGEMU_DIR" weed mini \
        -dir="$_FGEMU_DIR/seaweed-data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
        -master.telemetry=false -webdav=false -admin.ui=false \
        -s3.port.iceberg=0 -s3.port.lance=0 -s3.autoCreateBucket=false \
        -admin.port="${p[0]}" \
        -master.port="${p[1]}" -master.port.grpc="${p[2]}" \
        -volume.port="${p[3]}" -volume.port.grpc="${p[4]}" \
        -filer.port="${p[5]}" -filer.port.grpc="${p[6]}" \
        -s3.port="${p[7]}" -s3.port.grpc="${p[8]}" \
        -filer.localSocket="$_FGEMU_DIR/filer.sock" -s3.localSocket="$_FGEMU_DIR/s3.sock" \
        -s3.config="$_FGEMU_DIR/s3.json" || return 1
    _fgemu_wait seaweed "$(_fgemu_pgid seaweed)" _fgemu_seaweed_ready
}

_fgemu_pgid() {
    local e
    for e in ${_FGEMU_PROCS:-}; do
        if [ "${e%%:*}" = "$1" ]; then
            e=${e#*:}
            echo "${e%%:*}"
            return 0
        fi
    done
    return 1
}

emulators_start() {
    local which=("$@") w
    [ ${#which[@]} -gt 0 ] || which=(moto seaweed)
    if [ -n "${_FGEMU_DIR:-}" ]; then
        echo "emulators: already started (emulators_stop first)" >&2
        return 1
    fi
    if ! command -v moto_server >/dev/null 2>&1 || ! command -v weed >/dev/null 2>&1; then
        # shellcheck source=scripts/venv.sh disable=SC2317
        source "$_FGEMU_SCRIPTS/venv.sh" || return 1
    fi
    _FGEMU_DIR="$(mktemp -d -t filegate-emu.XXXXXX)" || return 1
    export _FGEMU_DIR
    for w in "${which[@]}"; do
        case "$w" in
            moto) _fgemu_start_moto ;;
            seaweed) _fgemu_start_seaweed ;;
            *) echo "emulators: unknown emulator '$w' (moto, seaweed)" >&2; false ;;
        esac || {
            # Leave nothing behind even if the caller set no trap.
            emulators_stop
            return 1
        }
    done
    echo "emulators: ${which[*]} ready (${FILEGATE_TEST_MOTO_URL:-} ${FILEGATE_TEST_SEAWEED_URL:-})" >&2
}

emulators_stop() {
    local e name pgid child port
    for e in ${_FGEMU_PROCS:-}; do
        name=${e%%:*} e=${e#*:} pgid=${e%%:*} child=${e#*:}
        kill -TERM -- "-$pgid" 2>/dev/null || true
        # weed takes a few seconds to flush and stop its servers.
        for _ in $(seq 1 75); do
            _fgemu_group_alive "$pgid" || break
            sleep 0.2
        done
        if _fgemu_group_alive "$pgid"; then
            echo "emulators: $name (group $pgid) ignored SIGTERM, killing it" >&2
            kill -KILL -- "-$pgid" 2>/dev/null || true
            sleep 0.2
        fi
        wait "$child" 2>/dev/null || true # reap it if it is our child
    done
    # weed puts its gRPC unix sockets in /tmp whatever TMPDIR says; a killed weed leaves them.
    for port in ${_FGEMU_WEED_GRPC_PORTS:-}; do
        rm -f /tmp/seaweedfs-*-grpc-"$port".sock
    done
    if [ -n "${_FGEMU_DIR:-}" ] && [ -d "$_FGEMU_DIR" ]; then
        if [ "${FILEGATE_EMULATOR_KEEP:-0}" = 1 ]; then
            echo "emulators: kept $_FGEMU_DIR" >&2
        else
            rm -rf "$_FGEMU_DIR"
        fi
    fi
    unset _FGEMU_PROCS _FGEMU_DIR _FGEMU_WEED_GRPC_PORTS \
        FILEGATE_TEST_MOTO_URL FILEGATE_TEST_SEAWEED_URL \
        FILEGATE_TEST_SEAWEED_ACCESS_KEY FILEGATE_TEST_SEAWEED_SECRET_KEY
    return 0
}
