#!/usr/bin/env bash
# Benchmarks that redis-benchmark's built-in tests do not cover: PUBLISH fanned out to many
# subscribers, and stream commands (XADD, XREADGROUP). Same method as scripts/bench.sh (the
# project's benchmark method): each server pinned to its own CPU, redis-benchmark (and the
# subscribers) on the other, servers alternating run by run, server CPU time per request read
# from /proc. Writes a markdown table into docs/BENCHMARKS.md between the
# `bench-extra:begin` / `bench-extra:end` markers.
#
# Usage: scripts/bench-extra.sh [--quick] [--runs N] [--out FILE]
#
#   --quick     smoke run: request counts divided by 10
#   --runs N    runs per server (default 3)
#   --out FILE  markdown file to update (default docs/BENCHMARKS.md)
#
# ONLY=REGEX runs just the workloads whose label matches (grep -E).
# Environment: SERVER_BIN (default: build target/release/ferrodis-server), REDIS_BIN
# (default /usr/bin/redis-server), SERVER_CPUS / BENCH_CPUS (default 0 / 1).
#
# Workloads (one per line of WORKLOADS below: label | subscribers | setup | benchmark):
#   subscribers  connections subscribed to `bench:ch` for the run, reading everything
#   setup        redis-benchmark arguments run before measuring (not counted), or -
#   benchmark    redis-benchmark arguments measured; a custom command ends the line
# XREADGROUP reads entries that the setup line added, one per call, so the stream holds more
# entries than the run reads.

set -euo pipefail
# Workload arguments are split by the shell but never globbed (XADD's `*` is an argument).
set -f

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=lib/common.sh
. "$ROOT/scripts/lib/common.sh"

QUICK=0
RUNS=${RUNS:-3}
OUT=${OUT:-docs/BENCHMARKS.md}
ONLY=${ONLY:-}
REDIS_BIN=${REDIS_BIN:-/usr/bin/redis-server}
SERVER_CPUS=${SERVER_CPUS:-0}
BENCH_CPUS=${BENCH_CPUS:-1}

usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
while [ $# -gt 0 ]; do
    case $1 in
        --quick) QUICK=1; shift ;;
        --runs) [ $# -ge 2 ] || die "--runs needs a number"; RUNS=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || die "--out needs a file"; OUT=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
case $RUNS in ''|*[!0-9]*|0) die "RUNS must be a positive integer" ;; esac

WORKLOADS='
PUBLISH to 100 subscribers, -c 50 | 100 | - | -c 50 -n 200000 PUBLISH bench:ch message-of-32-bytes-0123456789abcd
PUBLISH to 100 subscribers, -c 50 -P 16 | 100 | - | -c 50 -n 400000 -P 16 PUBLISH bench:ch message-of-32-bytes-0123456789abcd
XADD, -c 50 | 0 | - | -c 50 -n 500000 XADD bench:s * field value
XREADGROUP COUNT 1, -c 50 | 0 | -c 50 -n 600000 -P 32 XADD bench:s * field value | -c 50 -n 500000 XREADGROUP GROUP g c COUNT 1 STREAMS bench:s >
'

ensure_pkgs redis-server redis-tools
command -v python3 >/dev/null || ensure_pkgs python3
if [ -z "${SERVER_BIN:-}" ]; then
    log "building ferrodis-server (release)"
    cargo build --release -p ferrodis-server
    SERVER_BIN="$ROOT/target/release/ferrodis-server"
fi
SERVER_BIN=$(abs_exe "$SERVER_BIN") || die "SERVER_BIN is not an executable: $SERVER_BIN"
REDIS_BIN=$(abs_exe "$REDIS_BIN") || die "REDIS_BIN is not an executable: $REDIS_BIN"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

BDIR="$ROOT/target/bench"
mkdir -p "$BDIR"
SAMPLES="$BDIR/extra-samples.tsv"
: >"$SAMPLES"
CLK_TCK=$(getconf CLK_TCK)

SERVER_PID=
SERVER_PORT=
SUBS_PID=
cleanup() { stop_pid "$SUBS_PID" 5; stop_pid "$SERVER_PID" 10; }
trap cleanup EXIT
trap 'exit 130' INT TERM

start_server() { # BIN LOG
    local try
    rm -rf "$BDIR/work" && mkdir -p "$BDIR/work"
    for try in 1 2 3; do
        SERVER_PORT=$(free_port 30000 32000)
        (cd "$BDIR/work" && exec taskset -c "$SERVER_CPUS" "$1" --port "$SERVER_PORT" \
            --bind 127.0.0.1 --save '' --appendonly no --daemonize no) >"$2" 2>&1 &
        SERVER_PID=$!
        wait_for_ping "$SERVER_PORT" 30 "$SERVER_PID" && return 0
        log "server $1 did not answer PING (try $try)"
        stop_pid "$SERVER_PID" 5
    done
    die "could not start $1"
}

cpu_ticks() {
    local stat
    stat=$(cat "/proc/$1/stat") || die "server $1 is gone"
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    echo $((${12} + ${13}))
}

# Starts N subscribers of bench:ch that read and discard everything; returns once all are
# subscribed. They print the bytes they received when stopped.
start_subscribers() { # N
    local ready="$BDIR/subs.ready"
    rm -f "$ready"
    taskset -c "$BENCH_CPUS" python3 - "$SERVER_PORT" "$1" "$ready" >"$BDIR/subs.out" 2>&1 <<'PY' &
import selectors, signal, socket, sys
port, n, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
sel = selectors.DefaultSelector()
received = 0
def stop(*_):
    print(received)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$8\r\nbench:ch\r\n")
    confirmation = b""
    while not confirmation.endswith(b":1\r\n"):
        confirmation += s.recv(4096)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    socks.append(s)
open(ready, "w").close()
while True:
    for key, _ in sel.select():
        received += len(key.fileobj.recv(1 << 20))
PY
    SUBS_PID=$!
    local i
    for i in $(seq 1 300); do
        [ -e "$ready" ] && return 0
        kill -0 "$SUBS_PID" 2>/dev/null || die "subscribers failed: $(cat "$BDIR/subs.out")"
        sleep 0.1
    done
    die "subscribers did not get ready"
}

# Runs redis-benchmark with the given arguments against the current server, pinned.
bench() {
    # shellcheck disable=SC2086
    taskset -c "$BENCH_CPUS" redis-benchmark -h 127.0.0.1 -p "$SERVER_PORT" --csv "$@"
}

scale() { # redis-benchmark args: divides -n by 10 in quick mode
    if [ "$QUICK" = 1 ]; then
        awk '{ for (i = 1; i <= NF; i++) if ($(i-1) == "-n") $i = int($i / 10); print }' <<<"$1"
    else
        printf '%s\n' "$1"
    fi
}

run_one() { # SERVER-NAME BIN RUN LABEL SUBS SETUP ARGS
    local name=$1 bin=$2 run=$3 label=$4 subs=$5 setup=$6 args=$7 t0 t1 csv rps n
    start_server "$bin" "$BDIR/extra-$name.log"
    if [ "$setup" != "-" ]; then
        # shellcheck disable=SC2086
        bench -q $(scale "$setup") >/dev/null
        case $args in
            *XREADGROUP*) redis-cli -p "$SERVER_PORT" XGROUP CREATE bench:s g 0 >/dev/null ;;
        esac
    fi
    [ "$subs" -gt 0 ] && start_subscribers "$subs"
    n=$(awk '{ for (i = 1; i <= NF; i++) if ($(i-1) == "-n") print $i }' <<<"$(scale "$args")")
    t0=$(cpu_ticks "$SERVER_PID")
    # shellcheck disable=SC2086
    csv=$(bench $(scale "$args") | tail -n 1)
    t1=$(cpu_ticks "$SERVER_PID")
    rps=$(awk -F'","' '{ gsub(/"/, "", $2); print $2 }' <<<"$csv")
    case $rps in ''|*[!0-9.]*) die "$name: no throughput for $label: $csv" ;; esac
    printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$name" "$run" "$rps" \
        "$(awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.3f", t / hz * 1e6 / n }')" \
        >>"$SAMPLES"
    if [ -n "$SUBS_PID" ]; then
        stop_pid "$SUBS_PID" 5
        SUBS_PID=
        log "$name $label: subscribers received $(cat "$BDIR/subs.out") bytes"
    fi
    stop_pid "$SERVER_PID" 10
    SERVER_PID=
}

while IFS='|' read -r label subs setup args; do
    label=$(echo "$label" | xargs)
    [ -n "$label" ] || continue
    [ -z "$ONLY" ] || grep -qE "$ONLY" <<<"$label" || continue
    subs=$(echo "$subs" | xargs)
    setup=$(echo "$setup" | xargs)
    args=$(echo "$args" | sed 's/^ *//; s/ *$//')
    for run in $(seq 1 "$RUNS"); do
        log "$label: run $run"
        run_one ferrodis "$SERVER_BIN" "$run" "$label" "$subs" "$setup" "$args"
        run_one redis "$REDIS_BIN" "$run" "$label" "$subs" "$setup" "$args"
    done
done <<<"$WORKLOADS"

CMDLINE="scripts/bench-extra.sh"
[ "$QUICK" = 1 ] && CMDLINE+=" --quick"
[ "$RUNS" = 3 ] || CMDLINE+=" --runs $RUNS"
[ -z "$ONLY" ] || CMDLINE="ONLY='$ONLY' $CMDLINE"
SECTION=$(mktemp)
{
    echo "<!-- bench-extra:begin -->"
    echo "<!-- Generated by scripts/bench-extra.sh; edits between these markers are overwritten. -->"
    echo
    echo "## Pub/sub fan-out and streams"
    echo
    echo "Command: \`$CMDLINE\` on $(date -u +%Y-%m-%d)," \
        "medians of $RUNS alternating runs, each server on CPU $SERVER_CPUS, redis-benchmark and" \
        "subscribers on CPU $BENCH_CPUS. CPU/request is the server's user+system time per request."
    echo
    echo "| workload | redis req/s | ferrodis req/s | redis CPU us/req | ferrodis CPU us/req | CPU ratio |"
    echo "|---|---:|---:|---:|---:|---:|"
    awk -F'\t' '
        function median(list,   a, n, i, j, t) {
            n = split(list, a, " ")
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        !($1 in seen) { seen[$1] = 1; order[++k] = $1 }
        { rps[$1, $2] = rps[$1, $2] " " $4; cpu[$1, $2] = cpu[$1, $2] " " $5 }
        END {
            for (i = 1; i <= k; i++) {
                l = order[i]
                rc = median(cpu[l, "redis"]); fc = median(cpu[l, "ferrodis"])
                printf "| %s | %.0f | %.0f | %.2f | %.2f | %.2f |\n", l, median(rps[l, "redis"]), median(rps[l, "ferrodis"]), rc, fc, (rc > 0 ? fc / rc : 0)
            }
        }' "$SAMPLES"
    echo
    echo "<!-- bench-extra:end -->"
} >"$SECTION"

[ -f "$OUT" ] || printf '# Benchmarks\n' >"$OUT"
if ! grep -q '^<!-- bench-extra:begin -->' "$OUT"; then
    printf '\n<!-- bench-extra:begin -->\n<!-- bench-extra:end -->\n' >>"$OUT"
fi
tmp=$(mktemp)
awk -v sec="$SECTION" '
    /^<!-- bench-extra:begin -->/ && !done { while ((getline line < sec) > 0) print line; skip = 1; next }
    skip && /^<!-- bench-extra:end -->/ { skip = 0; done = 1; next }
    !skip { print }
' "$OUT" >"$tmp"
cat "$tmp" >"$OUT"
rm -f "$tmp" "$SECTION"
log "wrote $OUT (raw samples: $SAMPLES)"
