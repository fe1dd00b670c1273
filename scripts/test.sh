#!/usr/bin/env bash
# The project's test command (what CI runs through .ci/run): formatting,
# lints, the Rust unit and integration tests, then the Redis compatibility
# gate. Stops at the first failing step. Its last line is
# `compat: N passed, M failed` whenever the compatibility step ran.
#
# Usage: scripts/test.sh            (extra arguments go to tests/compat/run.sh)

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=lib/common.sh
. "$ROOT/scripts/lib/common.sh"

step() { printf '\n==== %s ====\n' "$*"; }

step "prerequisites"
# The Rust toolchain comes with the machine; make sure of the components.
command -v cargo >/dev/null || die "cargo not found: install a Rust toolchain first"
if command -v rustup >/dev/null; then
    cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
    cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
fi
# tcl and redis-tools run the suite; dpkg-dev fetches it with apt-get source;
# redis-server is the reference the suite and the benchmarks calibrate with.
ensure_pkgs tcl redis-tools redis-server dpkg-dev
echo "ok"

step "cargo fmt --all -- --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

step "cargo test --workspace"
cargo test --workspace

step "tests/compat/run.sh --check (external mode, then spawn mode)"
rm -f target/compat/summary.txt target/compat-spawn/summary.txt
rc=0
tests/compat/run.sh --check "$@" || rc=$?
src=0
tests/compat/run.sh --spawn --check "$@" || src=$?

# One line per mode, then the total, which is the last line.
total_passed=0
total_failed=0
for mode in "" -spawn; do
    f=target/compat$mode/summary.txt
    if [ -s "$f" ]; then
        echo "${mode:+spawn mode: }$(cat "$f")"
        read -r passed failed < <(sed -E 's/^compat: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/' "$f")
        total_passed=$((total_passed + passed))
        total_failed=$((total_failed + failed))
    else
        echo "compat${mode}: runner failed before producing a summary"
        [ "$rc" -ne 0 ] || rc=1
    fi
done
echo
echo "compat: $total_passed passed, $total_failed failed"
[ "$rc" -ne 0 ] && exit "$rc"
exit "$src"
