# shellcheck shell=bash
# Source me:  source scripts/venv.sh
#
# Makes <repo>/.venv (or $FILEGATE_VENV) hold the Python tools pinned in scripts/requirements.txt
# (moto_server, weed, sam, cfn-lint, cargo-lambda, boto3) and puts its bin/ first on PATH.
# pip runs only when requirements.txt changed since the last install (hash stamp in the venv), so
# sourcing this again is cheap. Needs only python3 with pip; never reads stdin.

_fg_venv_install() { # venv req stamp
    local venv=$1 req=$2 stamp=$3 want
    # A venv whose python no longer runs (python3 upgraded or moved) is rebuilt.
    if [ -e "$venv" ] && ! "$venv/bin/python" -c '' >/dev/null 2>&1; then
        echo "venv.sh: $venv is broken, recreating it" >&2
        rm -rf "$venv"
    fi
    if [ ! -e "$venv/bin/python" ]; then
        echo "venv.sh: creating $venv" >&2
        # Debian's python3 lacks ensurepip unless python3-venv is installed: fall back to
        # virtualenv, which brings its own pip and comes from PyPI.
        if ! python3 -m venv "$venv" >/dev/null 2>&1; then
            rm -rf "$venv"
            python3 -m virtualenv --version >/dev/null 2>&1 ||
                python3 -m pip install --disable-pip-version-check -q --user virtualenv </dev/null ||
                PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --disable-pip-version-check -q --user virtualenv </dev/null ||
                { echo "venv.sh: need python3's venv module or virtualenv" >&2; return 1; }
            python3 -m virtualenv -q "$venv" </dev/null || return 1
        fi
    fi
    want="$("$venv/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$req")" || return 1
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "venv.sh: installing scripts/requirements.txt into $venv (about 1-2 minutes the first time)" >&2
        "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$req" </dev/null ||
            { echo "venv.sh: pip install failed" >&2; return 1; }
        # Written only after success, so an interrupted install is retried next time.
        printf '%s\n' "$want" >"$stamp"
    fi
}

_fg_venv_setup() {
    local root venv rc lockfd=""
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || return 1
    venv="${FILEGATE_VENV:-$root/.venv}"
    # Two test scripts starting at once must not pip-install into the same venv together.
    if command -v flock >/dev/null 2>&1 && mkdir -p "$(dirname "$venv")" && exec {lockfd}>"$venv.lock"; then
        flock "$lockfd"
    fi
    _fg_venv_install "$venv" "$root/scripts/requirements.txt" "$venv/.filegate-requirements.sha256"
    rc=$?
    if [ -n "$lockfd" ]; then exec {lockfd}>&-; fi
    [ "$rc" -eq 0 ] || return "$rc"

    case ":$PATH:" in
        *":$venv/bin:"*) ;;
        *) export PATH="$venv/bin:$PATH" ;;
    esac
    export VIRTUAL_ENV="$venv"
    # SAM CLI otherwise tries to send usage telemetry on every command.
    export SAM_CLI_TELEMETRY=0
}

_fg_venv_setup
_fg_venv_rc=$?
unset -f _fg_venv_setup _fg_venv_install
# `return` when sourced; `exit` if someone runs the file instead.
# shellcheck disable=SC2317
return "$_fg_venv_rc" 2>/dev/null || exit "$_fg_venv_rc"
