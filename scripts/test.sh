#!/usr/bin/env bash
# The one test command: `scripts/test.sh`. It sets up everything itself — a Python venv with
# the emulators and linters (scripts/venv.sh), moto (DynamoDB + S3) and SeaweedFS (an S3 that
# checks signatures) on free loopback ports — runs every suite against both backends, and
# stops what it started.
#
#   scripts/test.sh            everything
#   scripts/test.sh --quick    Rust tests on the local backend only (no venv, no emulators)
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1

step() { printf '\n==> %s\n' "$*"; }
# Where cargo puts binaries (CARGO_TARGET_DIR is honoured, as cargo does).
bin="${CARGO_TARGET_DIR:-target}/debug/filegate"

if [ "$quick" = 1 ]; then
    step "cargo test (local backend)"
    cargo test --workspace
    bash scripts/smoke.sh "$bin"
    exit 0
fi

step "python tools (.venv)"
# shellcheck source=scripts/venv.sh
source scripts/venv.sh

step "emulators"
# shellcheck source=scripts/emulators.sh
source scripts/emulators.sh
trap emulators_stop EXIT
emulators_start
# With emulators present, suites that need them must run, never skip.
export FILEGATE_REQUIRE_EMULATORS=1

step "cargo test: every crate, the local backend, and the AWS backend on the emulators"
cargo test --workspace

step "the README walkthrough with the real binary and curl"
cargo build -q -p filegate-cli
bash scripts/smoke.sh "$bin"

step "HTTP contract suites again, on the AWS backend (DynamoDB + S3 on moto)"
FILEGATE_TEST_BACKEND=aws cargo test -p filegate-tests --test http_upload --test http_metadata \
    --test http_auth --test http_preview --test http_links --test http_direct_upload \
    --test http_bad_input --test upload_events --test cli_upload

step "the README walkthrough again, with \`filegate serve --backend aws\` on moto"
(
    export FILEGATE_BACKEND=aws FILEGATE_TABLE=filegate-smoke FILEGATE_BUCKET=filegate-smoke \
        FILEGATE_S3_FORCE_PATH_STYLE=1 AWS_ENDPOINT_URL="$FILEGATE_TEST_MOTO_URL" \
        AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
    "$bin" provision
    bash scripts/smoke.sh "$bin"
)

step "template.yaml: cfn-lint, sam validate --lint, dependency/route checks"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}" SAM_CLI_TELEMETRY=0
cfn-lint template.yaml
sam validate --lint --template template.yaml
python3 scripts/check_template.py template.yaml

step "openapi.yaml is a valid OpenAPI document"
openapi-spec-validator openapi.yaml

step "Lambda fixtures through cargo lambda (watch + invoke)"
bash scripts/lambda_invoke_check.sh

step "headless Chromium: inline PDF/PNG, HTML/SVG downloaded, CSV preview escaped"
if [ "${CI:-}" = "true" ]; then
    python3 scripts/browser_check.py --bin "$bin"
else
    python3 scripts/browser_check.py --bin "$bin" --skip-if-missing
fi

step "all suites passed"
