#!/usr/bin/env bash
# Runs `sam build` on template.yaml (BuildMethod rust-cargolambda: `cargo lambda build --release
# [--arm64] --bin <Binary>` per function) into a temporary build directory and checks that every
# function got a `bootstrap` that is a stripped 64-bit ELF executable for the architecture asked for.
#
#   scripts/sam_build_check.sh            Architecture=x86_64 (builds with the host's Rust std)
#   scripts/sam_build_check.sh arm64      Architecture=arm64 (needs `rustup target add
#                                         aarch64-unknown-linux-gnu`; checked before building)
#
# Prints `PASS ...`/`FAIL ...` lines with each bootstrap's size, then `N passed, M failed`; exits 1
# on any failure. .aws-sam/ is left alone: the build, SAM's build.toml and the log go to a temp
# directory that is removed at exit (SAM_BUILD_CHECK_KEEP=1 keeps it).
#
# Caching: the Rust builder builds in source (no scratch copy of the repo) and points
# CARGO_TARGET_DIR at the workspace's target/ unless CARGO_TARGET_DIR is already set, so compiled
# dependencies live in target/<triple>/release and are reused by the next run (and by
# `cargo lambda build --release`); when code changes only the changed workspace crates and the
# five LTO links rerun. On 2 cores: cold about 15 minutes, after a change to shared/ about 5,
# nothing changed a few seconds. It is not shared with `cargo build --release` (target/release):
# cargo-lambda always passes --target and target-cpu=haswell. Building once with
# CARGO_LAMBDA_COMPILER=cargo (no zig) and once without invalidates the C dependencies and
# everything above them each time. `sam build --cached` is not used on purpose: it hashes the whole
# CodeUri (the repo root, target/ included) for every function, and target/ changes on every build.
#
# cargo-lambda links with zig from the venv's `ziglang` package (glibc symbols up to 2.30); nothing
# is downloaded. For a fully offline run set CARGO_NET_OFFLINE=true (crates already fetched).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

arch="${1:-x86_64}"
case "$arch" in
    x86_64) triple=x86_64-unknown-linux-gnu elf_machine=62 ;;
    arm64) triple=aarch64-unknown-linux-gnu elf_machine=183 ;;
    -h | --help)
        sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "usage: $0 [x86_64|arm64]" >&2
        exit 2
        ;;
esac

# Logical ids of the rust-cargolambda functions in template.yaml.
functions=(UploadFunction UploadCompleteFunction MetadataFunction PreviewFunction PresignFunction)

# shellcheck disable=SC1091 # venv.sh is checked on its own
source scripts/venv.sh || { echo "sam_build_check: scripts/venv.sh failed" >&2; exit 1; }
export SAM_CLI_TELEMETRY=0
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"

work="$(mktemp -d "${TMPDIR:-/tmp}/sam-build-check.XXXXXX")"
cleanup() {
    if [ "${SAM_BUILD_CHECK_KEEP:-0}" = 1 ]; then
        echo "kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
summary() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}

# The template and this list must agree, or a new function would go unchecked.
n_rust="$(grep -c 'BuildMethod: rust-cargolambda' template.yaml)"
if [ "$n_rust" -eq "${#functions[@]}" ]; then
    ok "template.yaml has ${#functions[@]} rust-cargolambda functions"
else
    bad "template.yaml has $n_rust rust-cargolambda functions, this script checks ${#functions[@]}"
fi

# cargo-lambda runs `rustup target add` by itself when the target's std is missing, which needs
# the network and then fails late with "can't find crate for \`core\`". Say so up front instead.
if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed 2>/dev/null | grep -qx "$triple"; then
    bad "Rust std for $triple is not installed (rustup target add $triple)"
    summary
    exit 1
fi

echo "sam build --parameter-overrides Architecture=$arch (cold: ~15 min on 2 cores)"
start=$SECONDS
sam build --template-file template.yaml --build-dir "$work/build" \
    --parameter-overrides "Architecture=$arch" >"$work/sam.log" 2>&1
rc=$?
elapsed=$((SECONDS - start))
if [ "$rc" -eq 0 ]; then
    ok "sam build ($arch) in ${elapsed}s"
else
    bad "sam build ($arch) exited $rc after ${elapsed}s; end of its output:"
    tail -n 40 "$work/sam.log" | sed 's/^/    /'
fi

# Prints "<size> <what is wrong or empty>" for a file that should be a stripped ELF64 executable
# for machine $2 (62 x86-64, 183 aarch64). PIE executables are ET_DYN with a PT_INTERP.
elf_check() { # path machine
    python - "$1" "$2" <<'EOF'
import os, struct, sys
path, machine = sys.argv[1], int(sys.argv[2])
problems = []
size = os.path.getsize(path)
with open(path, "rb") as f:
    data = f.read()
if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
    print(size, "not a 64-bit little-endian ELF file")
    sys.exit(0)
(e_type, e_machine, _, _, e_phoff, e_shoff, _, _, e_phentsize, e_phnum,
 e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
if e_machine != machine:
    problems.append("e_machine %d, want %d" % (e_machine, machine))
interp = any(struct.unpack_from("<I", data, e_phoff + i * e_phentsize)[0] == 3 for i in range(e_phnum))
if not (e_type == 2 or (e_type == 3 and interp)):
    problems.append("not an executable (e_type %d)" % e_type)
if not os.access(path, os.X_OK):
    problems.append("not executable (mode)")
names = []
if e_shnum and e_shstrndx < e_shnum:
    str_off = struct.unpack_from("<Q", data, e_shoff + e_shstrndx * e_shentsize + 24)[0]
    for i in range(e_shnum):
        name_off = struct.unpack_from("<I", data, e_shoff + i * e_shentsize)[0]
        end = data.index(b"\0", str_off + name_off)
        names.append(data[str_off + name_off:end].decode("ascii", "replace"))
if ".symtab" in names:
    problems.append("not stripped (.symtab present)")
print(size, "; ".join(problems))
EOF
}

for fn in "${functions[@]}"; do
    f="$work/build/$fn/bootstrap"
    if [ ! -f "$f" ]; then
        bad "$fn: no bootstrap"
        continue
    fi
    read -r size problems < <(elf_check "$f" "$elf_machine")
    if [ -z "${size:-}" ]; then
        bad "$fn: could not read bootstrap"
    elif [ -z "$problems" ]; then
        ok "$fn: bootstrap $size bytes ($((size / 1024)) KiB), ELF $arch executable, stripped"
    else
        bad "$fn: bootstrap $size bytes: $problems"
    fi
done

summary
