#!/usr/bin/env bash
# Benchmark harness: measures ferrodis against Debian's redis-server the way
# /work/shared/bench/README.md (the project's benchmark method) describes, and
# writes a table of medians and ratios into docs/BENCHMARKS.md.
#
# Usage: scripts/bench.sh [--quick] [--runs N] [--both-cores] [--no-memory]
#                         [--workloads FILE] [--out FILE]
#
#   --quick         smoke run: every -n divided by 20, 100k keys for memory
#   --runs N        runs per server (default 3); servers alternate A B A B ...
#   --both-cores    add a table with ferrodis on CPUs 0,1 (redis-benchmark
#                   then shares CPU 1 with one of its threads; Redis stays on 0)
#   --no-memory     skip the bytes-per-key measurements
#   --workloads F   workload list, one redis-benchmark option set per line
#   --out FILE      markdown file to update (default docs/BENCHMARKS.md)
#
# Environment (same meaning as the flags): QUICK=1 RUNS=N BOTH_CORES=1
#   MEMORY=0 WORKLOADS=FILE OUT=FILE, and
#   SERVER_BIN     candidate server (default: build target/release/ferrodis-server)
#   CAND_NAME      its column name (default: ferrodis, or "candidate" when
#                  SERVER_BIN is not a ferrodis binary)
#   REDIS_BIN      reference server (default /usr/bin/redis-server)
#   MEM_KEYS       keys for the memory measurements (1000000; 100000 quick)
#   SERVER_CPUS / BENCH_CPUS   pinning (default 0 / 1)
#
# For each workload it records req/s and p50/p99 latency (from
# `redis-benchmark --csv`) and server CPU time per request: the server's
# utime+stime from /proc/PID/stat before and after the run, divided by the
# requests. Each test of a `-t a,b,c` line runs as its own redis-benchmark
# invocation, so its CPU time is its own. The lrange_N tests run LRANGE on a
# prefilled 600-element list as a plain command, so that the LPUSH phase that
# redis-benchmark would otherwise run first does not count.
#
# Raw samples go to target/bench/samples.tsv; server logs to target/bench/.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=lib/common.sh
. "$ROOT/scripts/lib/common.sh"

ORIG_ARGS=("$@")
QUICK=${QUICK:-0}
RUNS=${RUNS:-3}
BOTH_CORES=${BOTH_CORES:-0}
MEMORY=${MEMORY:-1}
WORKLOADS=${WORKLOADS:-}
OUT=${OUT:-docs/BENCHMARKS.md}
REDIS_BIN=${REDIS_BIN:-/usr/bin/redis-server}
SERVER_CPUS=${SERVER_CPUS:-0}
BENCH_CPUS=${BENCH_CPUS:-1}

usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

while [ $# -gt 0 ]; do
    case $1 in
        --quick) QUICK=1; shift ;;
        --runs) [ $# -ge 2 ] || die "--runs needs a number"; RUNS=$2; shift 2 ;;
        --both-cores) BOTH_CORES=1; shift ;;
        --no-memory) MEMORY=0; shift ;;
        --workloads) [ $# -ge 2 ] || die "--workloads needs a file"; WORKLOADS=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || die "--out needs a file"; OUT=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
case $RUNS in ''|*[!0-9]*|0) die "RUNS must be a positive integer" ;; esac

if [ "$QUICK" = 1 ]; then
    MEM_KEYS=${MEM_KEYS:-100000}
else
    MEM_KEYS=${MEM_KEYS:-1000000}
fi

# The workloads the benchmark method asks for, at least.
DEFAULT_WORKLOADS='
-c 50 -n 500000 -t set,get,incr,lpush,rpop,sadd,hset,zadd,lrange_100
-c 50 -n 4000000 -P 16 -t set,get
-c 50 -n 500000 -d 1024 -t set,get
-c 1000 -n 500000 -t set,get
-c 1 -n 100000 -t ping
'

# --- prerequisites ------------------------------------------------------------

ensure_pkgs redis-server redis-tools
command -v taskset >/dev/null || ensure_pkgs util-linux

if [ -z "${SERVER_BIN:-}" ]; then
    log "building ferrodis-server (release)"
    cargo build --release -p ferrodis-server
    SERVER_BIN="$ROOT/target/release/ferrodis-server"
fi
SERVER_BIN=$(abs_exe "$SERVER_BIN") || die "SERVER_BIN is not an executable: $SERVER_BIN"
REDIS_BIN=$(abs_exe "$REDIS_BIN") || die "REDIS_BIN is not an executable: $REDIS_BIN"
if [ -z "${CAND_NAME:-}" ]; then
    case ${SERVER_BIN##*/} in
        ferrodis*) CAND_NAME=ferrodis ;;
        *) CAND_NAME=candidate ;;
    esac
fi

taskset -c "$SERVER_CPUS" true 2>/dev/null || die "cannot pin to CPU(s) $SERVER_CPUS"
taskset -c "$BENCH_CPUS" true 2>/dev/null || die "cannot pin to CPU(s) $BENCH_CPUS"

# -c 1000 needs more descriptors than the usual 1024 on both sides.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

if [ -n "$WORKLOADS" ]; then
    [ -f "$WORKLOADS" ] || die "no such workload file: $WORKLOADS"
    WL_TEXT=$(cat "$WORKLOADS")
else
    WL_TEXT=$DEFAULT_WORKLOADS
fi
WL_TEXT=$(printf '%s\n' "$WL_TEXT" | sed 's/#.*//' | awk 'NF')
[ -n "$WL_TEXT" ] || die "empty workload list"

CLK_TCK=$(getconf CLK_TCK)
BDIR="$ROOT/target/bench"
mkdir -p "$BDIR"
SAMPLES="$BDIR/samples.tsv"
: >"$SAMPLES"

# --- server control -----------------------------------------------------------

SERVER_PID=
SERVER_PORT=
SERVER_EXTRA=()
cleanup() { stop_pid "$SERVER_PID" 10; SERVER_PID=; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server BIN CPUS LOG: starts BIN pinned to CPUS on a free port.
start_server() {
    local bin=$1 cpus=$2 logf=$3 try
    rm -rf "$BDIR/work"
    mkdir -p "$BDIR/work"
    for try in 1 2 3 4 5; do
        SERVER_PORT=$(free_port 30000 32000)
        (cd "$BDIR/work" && exec taskset -c "$cpus" "$bin" --port "$SERVER_PORT" --bind 127.0.0.1 \
            --save '' --appendonly no --enable-debug-command yes --daemonize no \
            "${SERVER_EXTRA[@]}") >"$logf" 2>&1 &
        SERVER_PID=$!
        wait_for_ping "$SERVER_PORT" 30 "$SERVER_PID" && return 0
        log "server $bin did not answer PING (try $try)"
        tail -n 20 "$logf" >&2 || true
        stop_pid "$SERVER_PID" 5
        SERVER_PID=
    done
    die "could not start $bin"
}

stop_server() { stop_pid "$SERVER_PID" 10; SERVER_PID=; }

# Prints utime+stime of process $1 in clock ticks.  The command name in
# /proc/PID/stat may contain spaces, so fields are counted after its ')'.
cpu_ticks() {
    local stat
    stat=$(cat "/proc/$1/stat") || die "server $1 is gone"
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    echo $((${12} + ${13}))
}

cli() { redis-cli -h 127.0.0.1 -p "$SERVER_PORT" "$@"; }

# Prints the value of field $1 of INFO memory, or nothing.
info_mem() { cli info memory | tr -d '\r' | awk -F: -v k="$1" '$1 == k { print $2 }'; }

rss_bytes() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$SERVER_PID/status"; }

# --- measurements -----------------------------------------------------------------

# sample SERIES RUN SERVER LABEL METRIC VALUE
sample() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$SAMPLES"; }

# Expands the workload lines into "LABEL<TAB>TEST<TAB>OPTIONS" lines, one per
# test; QUICK divides every request count by 20.
expand_workloads() {
    printf '%s\n' "$WL_TEXT" | awk -v quick="$QUICK" '
        {
            tests = ""; opts = ""; desc = ""
            for (i = 1; i <= NF; i++) {
                if ($i == "-t") { tests = $(++i); continue }
                if ($i == "-n") {
                    n = $(++i); if (quick == 1) { n = int(n / 20); if (n < 1000) n = 1000 }
                    opts = opts " -n " n; continue
                }
                opts = opts " " $i; desc = desc " " $i
            }
            if (tests == "") { print "workload without -t: " $0 > "/dev/stderr"; exit 1 }
            if (opts !~ / -n /) opts = opts " -n 100000"
            m = split(tests, t, ",")
            for (j = 1; j <= m; j++) {
                name = t[j]
                # "ping" means both PING variants, each measured on its own.
                if (name == "ping") { print "PING_INLINE" desc "\tping_inline\t" opts; name = "ping_mbulk" }
                print toupper(name) desc "\t" name "\t" opts
            }
        }'
}

# run_workload SERIES RUN SERVER LABEL TEST OPTIONS: one redis-benchmark run
# against the current server, recording rps, p50, p99 and CPU per request.
run_workload() {
    local series=$1 run=$2 who=$3 label=$4 test=$5 opts=$6 n cmd=() csv t0 t1
    n=$(printf '%s\n' "$opts" | awk '{ for (i = 1; i < NF; i++) if ($i == "-n") print $(i + 1) }')
    case $test in
        lrange_[0-9]*)
            cli del mylist >/dev/null
            taskset -c "$BENCH_CPUS" redis-benchmark -h 127.0.0.1 -p "$SERVER_PORT" \
                -c 1 -n 600 -t lpush -q >/dev/null 2>&1
            cmd=(LRANGE mylist 0 $((${test#lrange_} - 1)))
            ;;
        *) cmd=(-t "$test") ;;
    esac
    t0=$(cpu_ticks "$SERVER_PID")
    # shellcheck disable=SC2086
    csv=$(taskset -c "$BENCH_CPUS" redis-benchmark -h 127.0.0.1 -p "$SERVER_PORT" $opts --csv "${cmd[@]}" 2>/dev/null) ||
        log "redis-benchmark failed: $label ($who)"
    t1=$(cpu_ticks "$SERVER_PID")
    # The CSV header names the columns; the last row is the measured test.
    printf '%s\n' "$csv" | tr -d '"\r' | awk -F, -v s="$series" -v r="$run" -v w="$who" -v l="$label" \
        -v cpu="$(( (t1 - t0) ))" -v tck="$CLK_TCK" -v n="$n" '
        $1 == "test" { for (i = 1; i <= NF; i++) col[$i] = i; next }
        NF > 1 { last = $0 }
        END {
            if (last == "" || !("rps" in col)) { print "no CSV result for " l > "/dev/stderr"; exit }
            split(last, f, ",")
            printf "%s\t%s\t%s\t%s\trps\t%s\n", s, r, w, l, f[col["rps"]]
            printf "%s\t%s\t%s\t%s\tp50\t%s\n", s, r, w, l, f[col["p50_latency_ms"]]
            printf "%s\t%s\t%s\t%s\tp99\t%s\n", s, r, w, l, f[col["p99_latency_ms"]]
            printf "%s\t%s\t%s\t%s\tcpu\t%.3f\n", s, r, w, l, cpu * 1000000 / tck / n
        }' >>"$SAMPLES"
}

# run_memory SERIES RUN SERVER BIN CPUS: bytes per key after DEBUG POPULATE
# and after MEM_KEYS SETs through redis-cli --pipe, each on a fresh server.
run_memory() {
    local series=$1 run=$2 who=$3 bin=$4 cpus=$5 u0 r0 u1 r1 load
    for load in populate pipe; do
        start_server "$bin" "$cpus" "$BDIR/server-$who-mem.log"
        u0=$(info_mem used_memory); r0=$(rss_bytes)
        if [ "$load" = populate ]; then
            cli debug populate "$MEM_KEYS" >/dev/null
        else
            awk -v n="$MEM_KEYS" 'BEGIN {
                for (i = 0; i < n; i++) {
                    k = "key:" i
                    printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$3\r\nval\r\n", length(k), k
                }
            }' | redis-cli -h 127.0.0.1 -p "$SERVER_PORT" --pipe >/dev/null
        fi
        [ "$(cli dbsize)" = "$MEM_KEYS" ] || log "memory/$load ($who): dbsize is $(cli dbsize), expected $MEM_KEYS"
        u1=$(info_mem used_memory); r1=$(rss_bytes)
        if [ -n "$u0" ] && [ -n "$u1" ]; then
            sample "$series" "$run" "$who" "mem:$load" used "$(awk -v a="$u0" -v b="$u1" -v n="$MEM_KEYS" 'BEGIN { printf "%.1f", (b - a) / n }')"
        fi
        sample "$series" "$run" "$who" "mem:$load" rss "$(awk -v a="$r0" -v b="$r1" -v n="$MEM_KEYS" 'BEGIN { printf "%.1f", (b - a) / n }')"
        stop_server
    done
}

# run_series SERIES REDIS_CPUS CAND_CPUS: RUNS rounds, alternating servers.
run_series() {
    local series=$1 rcpus=$2 ccpus=$3 run who bin cpus label test opts
    local wl
    wl=$(expand_workloads)
    for run in $(seq 1 "$RUNS"); do
        for who in redis cand; do
            if [ "$who" = redis ]; then bin=$REDIS_BIN; cpus=$rcpus; else bin=$SERVER_BIN; cpus=$ccpus; fi
            # Given both cores, ferrodis runs one worker thread per core (io-threads).
            SERVER_EXTRA=()
            if [ "$who" = cand ] && [ "$series" = both ] && [ "$CAND_NAME" = ferrodis ]; then
                SERVER_EXTRA=(--io-threads 2)
            fi
            log "series $series, run $run/$RUNS: $who ($bin on CPU $cpus)"
            start_server "$bin" "$cpus" "$BDIR/server-$who.log"
            while IFS=$'\t' read -r label test opts; do
                run_workload "$series" "$run" "$who" "$label" "$test" "$opts"
            done <<<"$wl"
            stop_server
            if [ "$MEMORY" = 1 ] && [ "$series" = core ]; then
                run_memory "$series" "$run" "$who" "$bin" "$cpus"
            fi
        done
    done
}

started=$(date -u '+%Y-%m-%d %H:%M UTC')
run_series core "$SERVER_CPUS" "$SERVER_CPUS"
if [ "$BOTH_CORES" = 1 ]; then
    run_series both "$SERVER_CPUS" "$SERVER_CPUS,$BENCH_CPUS"
fi

# --- report -----------------------------------------------------------------------

# Medians per series/label/metric/server, as "SERIES LABEL METRIC SERVER VALUE",
# keeping the workloads in the order they were run.
medians() {
    awk -F '\t' '
        {
            k = $1 SUBSEP $4 SUBSEP $5 SUBSEP $3
            if (!(k in cnt)) order[++nk] = k
            v[k, ++cnt[k]] = $6 + 0
        }
        END {
            for (i = 1; i <= nk; i++) {
                k = order[i]; c = cnt[k]
                for (a = 1; a <= c; a++) x[a] = v[k, a]
                for (a = 2; a <= c; a++) {          # insertion sort; c is small
                    t = x[a]; for (b = a - 1; b >= 1 && x[b] > t; b--) x[b + 1] = x[b]; x[b + 1] = t
                }
                med = (c % 2) ? x[(c + 1) / 2] : (x[c / 2] + x[c / 2 + 1]) / 2
                split(k, p, SUBSEP)
                printf "%s\t%s\t%s\t%s\t%s\n", p[1], p[2], p[3], p[4], med
            }
        }' "$SAMPLES"
}

MED=$(medians)
printf '%s\n' "$MED" >"$BDIR/medians.tsv"

# table SERIES: the throughput table of one series, in markdown.
table() {
    printf '%s\n' "$MED" | awk -F '\t' -v s="$1" -v cn="$CAND_NAME" '
        function fmt(x, m) {
            if (x == "") return "–"
            if (m == "rps") return (x + 0 >= 10000) ? sprintf("%.0fk", x / 1000) : sprintf("%.0f", x)
            if (m == "cpu") return sprintf("%.2f", x)
            return sprintf("%.3f", x)
        }
        function ratio(a, b) { return (a == "" || b == "" || a + 0 == 0) ? "–" : sprintf("%.2f", b / a) }
        $1 == s && $2 !~ /^mem:/ {
            if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
            val[$2, $3, $4] = $5
        }
        END {
            printf "| workload | redis req/s | %s req/s | ratio | redis CPU µs/req | %s CPU µs/req | ratio | redis p50 ms | %s p50 ms | redis p99 ms | %s p99 ms |\n", cn, cn, cn, cn
            print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
            for (i = 1; i <= n; i++) {
                l = order[i]
                printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", l,
                    fmt(val[l, "rps", "redis"], "rps"), fmt(val[l, "rps", "cand"], "rps"),
                    ratio(val[l, "rps", "redis"], val[l, "rps", "cand"]),
                    fmt(val[l, "cpu", "redis"], "cpu"), fmt(val[l, "cpu", "cand"], "cpu"),
                    ratio(val[l, "cpu", "redis"], val[l, "cpu", "cand"]),
                    fmt(val[l, "p50", "redis"], "ms"), fmt(val[l, "p50", "cand"], "ms"),
                    fmt(val[l, "p99", "redis"], "ms"), fmt(val[l, "p99", "cand"], "ms")
            }
        }'
}

mem_table() {
    printf '%s\n' "$MED" | awk -F '\t' -v cn="$CAND_NAME" -v keys="$MEM_KEYS" '
        function ratio(a, b) { return (a == "" || b == "" || a + 0 == 0) ? "–" : sprintf("%.2f", b / a) }
        function f(x) { return (x == "") ? "–" : sprintf("%.0f", x) }
        $1 == "core" && $2 ~ /^mem:/ { val[$2, $3, $4] = $5 }
        END {
            printf "| load (%d keys) | redis used_memory B/key | %s used_memory B/key | ratio | redis RSS B/key | %s RSS B/key | ratio |\n", keys, cn, cn
            print "|---|---:|---:|---:|---:|---:|---:|"
            split("populate pipe", loads, " ")
            name["populate"] = "DEBUG POPULATE"; name["pipe"] = "SET key:N val (redis-cli --pipe)"
            for (i = 1; i <= 2; i++) {
                l = "mem:" loads[i]
                printf "| %s | %s | %s | %s | %s | %s | %s |\n", name[loads[i]],
                    f(val[l, "used", "redis"]), f(val[l, "used", "cand"]), ratio(val[l, "used", "redis"], val[l, "used", "cand"]),
                    f(val[l, "rss", "redis"]), f(val[l, "rss", "cand"]), ratio(val[l, "rss", "redis"], val[l, "rss", "cand"])
            }
        }'
}

# The exact command line, with the settings that came from the environment.
cmdline="scripts/bench.sh"
for a in ${ORIG_ARGS[@]+"${ORIG_ARGS[@]}"}; do cmdline+=" $(printf '%q' "$a")"; done
envs=
for v in QUICK RUNS BOTH_CORES MEMORY WORKLOADS OUT SERVER_BIN CAND_NAME REDIS_BIN MEM_KEYS SERVER_CPUS BENCH_CPUS; do
    if printenv "$v" >/dev/null 2>&1; then envs+="$v=$(printf '%q' "$(printenv "$v")") "; fi
done
cmdline="$envs$cmdline"

redis_ver=$("$REDIS_BIN" --version 2>/dev/null | head -n 1)
cand_ver=$(timeout 5 "$SERVER_BIN" --version </dev/null 2>/dev/null | head -n 1 || true)
git_rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no commit")
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)

SECTION="$BDIR/section.md"
{
    echo "<!-- bench:begin -->"
    echo "<!-- Generated by scripts/bench.sh; edits between these markers are overwritten. -->"
    echo
    echo "Measured $started on $(nproc) CPUs (${cpu_model:-unknown CPU}), ferrodis tree at \`$git_rev\`."
    echo
    echo "Command: \`$cmdline\`"
    echo
    echo "- redis: \`$REDIS_BIN\` (${redis_ver:-version unknown})"
    echo "- $CAND_NAME: \`$SERVER_BIN\`${cand_ver:+ ($cand_ver)}"
    echo "- Medians of $RUNS runs per server, servers alternated run by run; both started with"
    echo "  \`--save '' --appendonly no\`. Ratios are $CAND_NAME / redis: above 1 is better for"
    echo "  req/s, below 1 is better for CPU time, latency and memory."
    echo "- CPU µs/req is the server's utime+stime (/proc/PID/stat) over the run divided by"
    echo "  its requests; it is the figure that separates servers on 2 cores, where one"
    echo "  redis-benchmark thread saturates before the server does."
    [ "$QUICK" = 1 ] && echo "- QUICK mode: request counts divided by 20; a smoke run, not a measurement."
    echo
    echo "### One core each (server on CPU $SERVER_CPUS, redis-benchmark on CPU $BENCH_CPUS)"
    echo
    table core
    if [ "$MEMORY" = 1 ]; then
        echo
        echo "### Memory per key (change in used_memory and in process RSS, divided by keys)"
        echo
        mem_table
    fi
    if [ "$BOTH_CORES" = 1 ]; then
        echo
        echo "### $CAND_NAME on CPUs $SERVER_CPUS,$BENCH_CPUS, Redis on CPU $SERVER_CPUS"
        echo
        echo "redis-benchmark stays on CPU $BENCH_CPUS, so it shares that core with $CAND_NAME;"
        echo "Redis is single-threaded and gains nothing from a second core. Redis figures are"
        echo "from this series' own alternating runs."
        echo
        table both
    fi
    echo
    echo "<!-- bench:end -->"
} >"$SECTION"

# Replace the generated section, keeping any prose around it.
mkdir -p "$(dirname "$OUT")"
if [ ! -f "$OUT" ]; then
    printf '# Benchmarks\n\nferrodis against Redis 7.0.15, measured by `scripts/bench.sh` with the method in\nthe project benchmark notes. The section below is generated.\n\n<!-- bench:begin -->\n<!-- bench:end -->\n' >"$OUT"
fi
if ! grep -q '^<!-- bench:begin -->' "$OUT" || ! grep -q '^<!-- bench:end -->' "$OUT"; then
    printf '\n<!-- bench:begin -->\n<!-- bench:end -->\n' >>"$OUT"
fi
tmp=$(mktemp)
awk -v sec="$SECTION" '
    /^<!-- bench:begin -->/ && !done { while ((getline line < sec) > 0) print line; skip = 1; next }
    skip && /^<!-- bench:end -->/ { skip = 0; done = 1; next }
    !skip { print }
' "$OUT" >"$tmp"
cat "$tmp" >"$OUT"
rm -f "$tmp"

cat "$SECTION"
log "wrote $OUT (raw samples: $SAMPLES)"
