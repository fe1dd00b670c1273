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

step "tests/compat/run.sh --check"
rm -f target/compat/summary.txt
rc=0
tests/compat/run.sh --check "$@" || rc=$?

echo
if [ -s target/compat/summary.txt ]; then
    cat target/compat/summary.txt
else
    echo "compat: runner failed before producing a summary (exit status $rc)"
fi
exit "$rc"
