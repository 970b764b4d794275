#!/usr/bin/env bash
# Local-server benchmarks that print numbers: `bench/run.sh [seconds]` (default 10 per case).
# Builds the release binary, starts `filegate serve` on a free loopback port over a temp data
# directory, seeds files and links, then runs wrk (Debian package `wrk`) against each route.
# Every request loop is bounded by time and targets 127.0.0.1 only; the server is stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install wrk)" >&2; exit 2; }
cargo build --release -q -p filegate-cli
bin="${CARGO_TARGET_DIR:-target}/release/filegate"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
RUST_LOG=warn "$bin" serve --addr "127.0.0.1:$port" --data-dir "$work/data" >"$work/out.log" 2>"$work/err.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q listening "$work/out.log" 2>/dev/null && break; sleep 0.1; done
key="$(grep -o 'fg_[0-9a-f]*_[0-9a-f]*' "$work/out.log" | head -1)"

head -c 4096 /dev/urandom >"$work/4k.bin"
head -c $((1024 * 1024)) /dev/urandom >"$work/1m.bin"
python3 -c 'print("id,name,amount"); [print(f"{i},name {i},{i*3}") for i in range(20000)]' >"$work/rows.csv"
idof() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
small="$(curl -s -H "X-API-Key: $key" -F "file=@$work/4k.bin" "$base/v1/files" | idof)"
big="$(curl -s -H "X-API-Key: $key" -F "file=@$work/1m.bin" "$base/v1/files" | idof)"
csv="$(curl -s -H "X-API-Key: $key" -F "file=@$work/rows.csv" "$base/v1/files" | idof)"
for i in $(seq 50); do curl -s -o /dev/null -H "X-API-Key: $key" -F "file=@$work/4k.bin;filename=f$i.bin" "$base/v1/files"; done
link="$(curl -s -H "X-API-Key: $key" -H 'content-type: application/json' -d '{"kind":"download"}' "$base/v1/files/$small/links" | python3 -c 'import json,sys; print(json.load(sys.stdin)["path"])')"

# A multipart body for the upload case (64 KiB file), sent by a wrk Lua script.
python3 - "$work" <<'PY'
import os, sys
work = sys.argv[1]
b = "----fgbench"
data = os.urandom(64 * 1024)
body = (f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.bin\"\r\n"
        f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{b}--\r\n".encode()
open(os.path.join(work, "body.bin"), "wb").write(body)
lua = f'''local f = io.open("{work}/body.bin", "rb"); local body = f:read("*a"); f:close()
wrk.method = "POST"; wrk.body = body
wrk.headers["Content-Type"] = "multipart/form-data; boundary={b}"
'''
open(os.path.join(work, "upload.lua"), "w").write(lua)
PY

printf '%-34s %12s %10s %10s %10s\n' case req/s p50 p99 errors
run() { # name, extra wrk args..., url
    local name=$1; shift
    local out
    out="$(wrk -t2 -c16 -d"${secs}s" --latency -H "X-API-Key: $key" "$@" 2>&1)"
    local rps p50 p99 errs
    rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
    p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
    errs="$(awk '/Non-2xx/ {print $5} END {}' <<<"$out")"
    printf '%-34s %12s %10s %10s %10s\n' "$name" "$rps" "$p50" "$p99" "${errs:-0}"
}
run "GET /v1/files/{id}" "$base/v1/files/$small"
run "GET /v1/files?limit=20" "$base/v1/files?limit=20"
run "GET preview (4 KiB)" "$base/v1/files/$small/preview"
run "GET preview (1 MiB)" "$base/v1/files/$big/preview"
run "GET preview Range 0-99 (1 MiB)" -H "Range: bytes=0-99" "$base/v1/files/$big/preview"
run "GET preview If-None-Match (304)" -H "If-None-Match: $(curl -sI -H "X-API-Key: $key" "$base/v1/files/$small/preview" | tr -d '\r' | sed -n 's/^etag: //Ip')" "$base/v1/files/$small/preview"
run "GET preview render=html (20k rows)" "$base/v1/files/$csv/preview?render=html"
run "GET /l/{token} (download)" "$base$link"
run "POST /v1/files (64 KiB)" -s "$work/upload.lua" "$base/v1/files"
echo "machine: $(nproc) cores; wrk -t2 -c16 -d${secs}s against filegate serve (release, local backend)"
