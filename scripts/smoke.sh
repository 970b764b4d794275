#!/usr/bin/env bash
# The README's walkthrough, as a new user types it: `filegate serve`, the printed key, curl.
# Usage: scripts/smoke.sh [path/to/filegate]   (default: target/debug/filegate)
set -uo pipefail
cd "$(dirname "$0")/.."
bin="${1:-${CARGO_TARGET_DIR:-target}/debug/filegate}"
[ -x "$bin" ] || cargo build -q -p filegate-cli
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" # absolute: the checks run elsewhere
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
"$bin" serve --addr "127.0.0.1:$port" --data-dir "$work/data" >"$work/out.log" 2>"$work/err.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q listening "$work/out.log" 2>/dev/null && break; sleep 0.1; done

pass=0 fail=0
check() { # name, command...
    local name=$1; shift
    if "$@" >/dev/null 2>&1; then pass=$((pass + 1)); echo "PASS $name"; else fail=$((fail + 1)); echo "FAIL $name"; fi
}
KEY="$(grep -o 'fg_[0-9a-f]*_[0-9a-f]*' "$work/out.log" | head -1)"
check "serve prints the dev key once" test -n "$KEY"
H=(-H "Authorization: Bearer $KEY")
cd "$work"
printf '%%PDF-1.4\n%s\n' "$(head -c 3000 /dev/zero | tr '\0' 'x')" > "Résumé 2026 — final.pdf"

up="$(curl -s "${H[@]}" -F "file=@Résumé 2026 — final.pdf" "$base/v1/files")"
id="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$up" 2>/dev/null)"
check "upload keeps the Unicode name" python3 -c 'import json,sys; assert json.loads(sys.argv[1])["name"]=="Résumé 2026 — final.pdf"' "$up"
check "list shows it" sh -c "curl -s -H 'X-API-Key: $KEY' '$base/v1/files' | grep -q '$id'"
check "get returns it" sh -c "curl -sf -H 'X-API-Key: $KEY' '$base/v1/files/$id' | grep -q '\"size\"'"
check "range 0-99 is 206 with 100 bytes" sh -c "[ \"\$(curl -s -r 0-99 -o part -w '%{http_code}' -H 'X-API-Key: $KEY' '$base/v1/files/$id/preview')\" = 206 ] && [ \"\$(wc -c < part)\" -eq 100 ]"
check "range past the end is 416" sh -c "[ \"\$(curl -s -r 10000000- -o /dev/null -w '%{http_code}' -H 'X-API-Key: $KEY' '$base/v1/files/$id/preview')\" = 416 ]"
etag="$(curl -sI -H "X-API-Key: $KEY" "$base/v1/files/$id/preview" | tr -d '\r' | sed -n 's/^etag: //Ip')"
check "an ETag round trip gives 304" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'X-API-Key: $KEY' -H 'If-None-Match: $etag' '$base/v1/files/$id/preview')\" = 304 ]"
# curl -J reads only the ASCII `filename=` (it ignores RFC 8187 `filename*`), so it saves the
# transliterated fallback; browsers use `filename*` and save the real name (scripts/browser_check.py).
mkdir dl && check "curl -OJ saves the ASCII fallback name" sh -c "cd dl && curl -s -OJ -H 'X-API-Key: $KEY' '$base/v1/files/$id/download' && [ -f 'Resume 2026 - final.pdf' ]"
check "filename* carries the real UTF-8 name" sh -c "curl -sI -H 'X-API-Key: $KEY' '$base/v1/files/$id/download' | grep -qi \"filename\\*=UTF-8''R%C3%A9sum%C3%A9%202026%20%E2%80%94%20final.pdf\""
if command -v wget >/dev/null 2>&1; then
    mkdir wdl && check "wget --content-disposition saves the real name" sh -c "cd wdl && wget -q --content-disposition --header 'X-API-Key: $KEY' '$base/v1/files/$id/download' && [ -f 'Résumé 2026 — final.pdf' ]"
else
    echo "SKIP wget is not installed"
fi
link="$(curl -s "${H[@]}" -H 'content-type: application/json' -d '{"kind":"download","max_uses":1}' "$base/v1/files/$id/links")"
lpath="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["path"])' "$link" 2>/dev/null)"
check "a 1-use link works once" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$base$lpath')\" = 200 ] && [ \"\$(curl -s -o /dev/null -w '%{http_code}' '$base$lpath')\" = 404 ]"
check "rename" sh -c "curl -s -X PATCH -H 'X-API-Key: $KEY' -H 'content-type: application/json' -d '{\"name\":\"renamed.pdf\"}' '$base/v1/files/$id' | grep -q renamed.pdf"
check "keys create works while serve runs" sh -c "k=\$('$bin' keys create --tenant acme --scopes read --data-dir '$work/data') && curl -sf -H \"X-API-Key: \$k\" '$base/v1/files' >/dev/null"
check "keys list shows both tenants" sh -c "'$bin' keys list --data-dir '$work/data' | grep -q acme"
ukey="$("$bin" keys create --tenant acme --user alice --data-dir "$work/data" 2>/dev/null)"
check "keys create --user binds uploads to that user" sh -c "curl -s -H 'X-API-Key: $ukey' -F 'file=@Résumé 2026 — final.pdf' '$base/v1/files' | grep -q '\"created_by\":\"alice\"'"
check "keys list --tenant shows only that tenant" sh -c "out=\$('$bin' keys list --tenant acme --data-dir '$work/data') && echo \"\$out\" | grep -q alice && ! echo \"\$out\" | grep -q ' dev '"
check "keys revoke from a second process is immediate" sh -c "'$bin' keys revoke '$(echo "$ukey" | cut -d_ -f2)' --data-dir '$work/data' && [ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'X-API-Key: $ukey' '$base/v1/files')\" = 401 ]"
check "a tampered cursor is 400" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'X-API-Key: $KEY' '$base/v1/files?cursor=abc.def')\" = 400 ]"
check "delete is 204" sh -c "[ \"\$(curl -s -X DELETE -o /dev/null -w '%{http_code}' -H 'X-API-Key: $KEY' '$base/v1/files/$id')\" = 204 ]"
check "deleted file is 404" sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'X-API-Key: $KEY' '$base/v1/files/$id')\" = 404 ]"
check "the server logged JSON lines with request ids" grep -q '"request_id"' "$work/err.log"
# A restart on the same data prints no key: the dev key is shown once, on the first start.
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
"$bin" serve --addr "127.0.0.1:$port" --data-dir "$work/data" >"$work/out2.log" 2>"$work/err2.log" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out2.log" 2>/dev/null && break; sleep 0.1; done
check "a restart prints no key" sh -c "grep -q listening '$work/out2.log' && ! grep -q 'fg_' '$work/out2.log' '$work/err2.log'"
echo "smoke: $pass passed, $fail failed"
[ "$fail" = 0 ]
