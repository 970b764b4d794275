#!/usr/bin/env bash
# Real-browser check of filegate's preview links (see scripts/browser_check.py):
#
#   bash scripts/browser_check.sh [--out DIR] [--skip-if-missing] [--keep] ...
#
# Sets up .venv (selenium) through scripts/venv.sh, builds the debug `filegate` binary (a no-op
# when it is fresh) unless --bin names one, then runs the check; arguments go to the python
# script. Needs Debian's chromium and chromedriver, which this script does not install (that
# takes root: `apt-get install -y chromium chromium-driver`, as .ci/run does).
# Prints `PASS name` / `FAIL name: why` per check and `N passed, M failed`; exits non-zero on
# any failure, or when the browser is missing unless --skip-if-missing is given.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck disable=SC1091 # venv.sh is checked on its own
source scripts/venv.sh

bin_given=0
for a in "$@"; do
    case "$a" in
        --bin | --bin=*) bin_given=1 ;;
    esac
done
if [ "$bin_given" -eq 0 ]; then
    cargo build -q -p filegate-cli
    set -- --bin "${CARGO_TARGET_DIR:-target}/debug/filegate" "$@"
fi

exec python scripts/browser_check.py "$@"
