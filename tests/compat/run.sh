#!/usr/bin/env bash
# Compatibility runner: runs Redis 7.0.15's own TCL test suite against ferrodis,
# or any other server binary, and gates on known passes. External mode (the
# default) runs each unit against one server this script starts; spawn mode
# (--spawn) lets the suite start its own servers from src/redis-server (linked
# to the server under test), as for the persistence, replication and ACL units.
#
# Usage: tests/compat/run.sh [--spawn] [--units "unit/a unit/b" | --all] [--check] [--update] [-v]
#
#   --spawn        spawn mode: units-spawn.txt, passing-spawn.txt, flaky-spawn.txt
#                  and target/compat-spawn/ instead of the external-mode files
#   (default)      run the units listed in tests/compat/units.txt
#   --units LIST   run these units instead (space or comma separated)
#   --all          run every unit of the suite's own ::all_tests list
#   --check        exit non-zero if a test listed in passing.txt (of a unit
#                  that was run) did not come out `ok`  (used by CI)
#   --update       append newly passing tests to passing.txt (never removes)
#   -v, --verbose  stream the suite's output while it runs
#
# Environment:
#   SERVER_BIN     server to test (default: build target/release/ferrodis-server);
#                  SERVER_BIN=/usr/bin/redis-server calibrates against Redis
#   SERVER_ARGS    extra arguments for the server (word-split)
#   CLI_BIN        redis-cli the suite uses as src/redis-cli (/usr/bin/redis-cli)
#   BENCH_BIN      redis-benchmark for src/redis-benchmark (/usr/bin/redis-benchmark)
#   TEST_TIMEOUT   suite's --timeout: seconds without progress before it gives up (60)
#   UNIT_TIMEOUT   wall-clock cap per unit in seconds (900)
#   RUNTEST_ARGS   extra arguments for ./runtest (word-split)
#
# Outputs (all under target/compat/):
#   results.txt        one line per test: STATUS<TAB>UNIT<TAB>TEST NAME
#   table.txt          per-unit counts, same layout as the Redis baseline file
#   summary.txt        the line `compat: N passed, M failed`
#   out/UNIT.log       the suite's output for each unit (colours stripped)
#   server-UNIT.log    server output, kept only for units with failures
#
# Every unit gets its own freshly started server, so a unit that crashes or
# wedges the server, or leaves a config changed, cannot spoil the next one.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=../../scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

COMPAT_DIR="$ROOT/tests/compat"
SUITE_BASE="$ROOT/target/redis-src"

TEST_TIMEOUT=${TEST_TIMEOUT:-60}
UNIT_TIMEOUT=${UNIT_TIMEOUT:-900}
CLI_BIN=${CLI_BIN:-/usr/bin/redis-cli}
BENCH_BIN=${BENCH_BIN:-/usr/bin/redis-benchmark}

usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

UNITS_ARG=
SPAWN=0
ALL=0
CHECK=0
UPDATE=0
VERBOSE=0
while [ $# -gt 0 ]; do
    case $1 in
        --units) [ $# -ge 2 ] || die "--units needs a list"; UNITS_ARG+=" $2"; shift 2 ;;
        --units=*) UNITS_ARG+=" ${1#--units=}"; shift ;;
        --all) ALL=1; shift ;;
        --spawn) SPAWN=1; shift ;;
        --check) CHECK=1; shift ;;
        --update) UPDATE=1; shift ;;
        -v|--verbose) VERBOSE=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[ "$ALL" -eq 1 ] && [ -n "$UNITS_ARG" ] && die "--all and --units exclude each other"

if [ "$SPAWN" -eq 1 ]; then
    MODE=-spawn
else
    MODE=
fi
OUT="$ROOT/target/compat$MODE"
PASSING="$COMPAT_DIR/passing$MODE.txt"
FLAKY="$COMPAT_DIR/flaky$MODE.txt"
UNITS_FILE="$COMPAT_DIR/units$MODE.txt"

# --- prerequisites --------------------------------------------------------

ensure_pkgs tcl redis-tools
if [ "${SERVER_BIN:-}" = /usr/bin/redis-server ]; then
    ensure_pkgs redis-server
fi

if [ -z "${SERVER_BIN:-}" ]; then
    log "building ferrodis-server (release)"
    cargo build --release -p ferrodis-server
    SERVER_BIN="$ROOT/target/release/ferrodis-server"
fi
SERVER_BIN=$(abs_exe "$SERVER_BIN") || die "SERVER_BIN is not an executable: ${SERVER_BIN}"
CLI_BIN=$(abs_exe "$CLI_BIN") || die "CLI_BIN is not an executable: $CLI_BIN"
BENCH_BIN=$(abs_exe "$BENCH_BIN") || die "BENCH_BIN is not an executable: $BENCH_BIN"

SUITE=$(ensure_redis_suite "$SUITE_BASE")

# The suite calls its tools relative to its root, as in a built Redis tree.
mkdir -p "$SUITE/src"
ln -sfn "$CLI_BIN" "$SUITE/src/redis-cli"
ln -sfn "$BENCH_BIN" "$SUITE/src/redis-benchmark"
ln -sfn "$SERVER_BIN" "$SUITE/src/redis-server"

mkdir -p "$OUT"
# One run at a time, in either mode: runs share the suite's tests/tmp.
exec 9>"$ROOT/target/compat.lock"
if ! flock -n 9; then
    log "another compat run holds $OUT/.lock; waiting for it"
    flock 9
fi

# --- choose units -----------------------------------------------------------

# Prints the suite's own list of units (::all_tests in test_helper.tcl).  Redis
# 7.0 spells it out literally; later versions build it by globbing the test
# directories, which is what the fallback does.
suite_all_units() {
    local listed
    listed=$(awk '
        /^set ::all_tests *\{/ { inlist = 1; next }
        inlist && /^\}/ { exit }
        inlist { sub(/#.*/, ""); for (i = 1; i <= NF; i++) print $i }
    ' "$SUITE/tests/test_helper.tcl")
    if [ -n "$listed" ]; then
        printf '%s\n' "$listed"
    else
        (cd "$SUITE/tests" && ls unit/*.tcl unit/type/*.tcl unit/cluster/*.tcl integration/*.tcl 2>/dev/null) |
            sed 's/\.tcl$//'
    fi
}

if [ "$ALL" -eq 1 ]; then
    UNITS=$(suite_all_units)
elif [ -n "$UNITS_ARG" ]; then
    UNITS=$(printf '%s\n' $UNITS_ARG | tr ',' '\n')
else
    [ -f "$UNITS_FILE" ] || die "missing $UNITS_FILE"
    UNITS=$(sed 's/#.*//' "$UNITS_FILE")
fi
# Normalise: accept tests/unit/x.tcl as well as unit/x; drop blanks.
UNITS=$(printf '%s\n' $UNITS | sed -e 's#^tests/##' -e 's#\.tcl$##' | awk 'NF && !seen[$0]++')
[ -n "$UNITS" ] || die "no units to run"
for u in $UNITS; do
    [ -f "$SUITE/tests/$u.tcl" ] || die "unknown unit: $u (no $SUITE/tests/$u.tcl)"
done

# --- server control ---------------------------------------------------------

SERVER_PID=
SERVER_PORT=
RUNTEST_PID=
cleanup() {
    if [ -n "$RUNTEST_PID" ]; then
        kill -TERM "$RUNTEST_PID" 2>/dev/null || true
        wait "$RUNTEST_PID" 2>/dev/null || true
    fi
    stop_pid "$SERVER_PID" 5
    SERVER_PID=
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts the server on a free port with its log in $1; retries a few ports in
# case another process grabbed the one we picked.
start_server() {
    local logf=$1 try
    rm -rf "$OUT/work"
    mkdir -p "$OUT/work"
    for try in 1 2 3 4 5; do
        SERVER_PORT=$(free_port 26000 30000)
        # The server runs inside target/compat/work so that anything it
        # writes (e.g. dump.rdb from DEBUG RELOAD) stays there.
        # shellcheck disable=SC2086
        (cd "$OUT/work" && exec "$SERVER_BIN" --port "$SERVER_PORT" --bind 127.0.0.1 \
            --save '' --appendonly no --enable-debug-command yes \
            --enable-protected-configs yes --enable-module-command yes \
            --daemonize no ${SERVER_ARGS:-}) >"$logf" 2>&1 9>&- &
        SERVER_PID=$!
        if wait_for_ping "$SERVER_PORT" 30 "$SERVER_PID"; then
            return 0
        fi
        log "server did not answer PING on port $SERVER_PORT (try $try); log follows"
        tail -n 20 "$logf" >&2 || true
        stop_pid "$SERVER_PID" 5
        SERVER_PID=
    done
    return 1
}

# --- output parsing ---------------------------------------------------------

strip_colours() { sed 's/\x1b\[[0-9;]*m//g'; }

# Turns the suite's (colour-stripped) output for unit $1 into result lines
# STATUS<TAB>UNIT<TAB>NAME.  A suite timeout is reported as an exception
# naming the test that was in progress.
parse_output() {
    awk -v unit="$1" -v tmo="$TEST_TIMEOUT" '
        function emit(status, name) { printf "%s\t%s\t%s\n", status, unit, name }
        /^\[ok\]: / {
            s = substr($0, 7); sub(/ \([0-9]+ ms\)$/, "", s); emit("ok", s); next
        }
        /^\[err\]: / {
            s = substr($0, 8); sub(/ in tests\/[^ ]*\.tcl$/, "", s); emit("err", s); next
        }
        /^\[ignore\]: / {
            s = substr($0, 11)
            # Test-level ignores read "NAME: REASON"; block-level ones carry
            # only the reason, which we keep in angle brackets as the name.
            r = "(Tag: [^ ]+ denied|Tag: none of the tags allowed|Not supported on external server|Not supported on singledb|Not supported in cluster mode|Not supported in tls mode|large memory flag not provided)$"
            if (s ~ ("^" r)) s = "<" s ">"
            else sub(": " r, "", s)
            emit("ignore", s); next
        }
        /^\[skip\]: / { emit("skip", substr($0, 9)); next }
        /^\[exception\]: / { emit("exception", substr($0, 14)); next }
        /^\[TIMEOUT\]: / { timeout = 1; next }
        timeout && / => \(IN PROGRESS\) / {
            s = $0; sub(/^.* => \(IN PROGRESS\) /, "", s)
            emit("exception", "TIMEOUT (no progress for " tmo "s) in: " s)
            timeout = 2; next
        }
        END { if (timeout == 1) emit("exception", "TIMEOUT (no progress for " tmo "s)") }
    '
}

# --- run the units --------------------------------------------------------------

RESULTS="$OUT/results.txt"
NOTES="$OUT/notes.txt"
rm -rf "$OUT/out"
mkdir -p "$OUT/out"
rm -f "$OUT"/server-*.log
: >"$RESULTS"
: >"$NOTES"
printf '%s\n' "$UNITS" >"$OUT/units-run.txt"

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "server: $SERVER_BIN"
    echo "suite: $SUITE"
    echo "runtest flags: --tags -slow --durable --timeout $TEST_TIMEOUT ${RUNTEST_ARGS:-}"
} >"$OUT/run-info.txt"

nunits=$(printf '%s\n' "$UNITS" | wc -l)
log "server $SERVER_BIN; suite $SUITE; $nunits unit(s)"
i=0
for unit in $UNITS; do
    i=$((i + 1))
    slug=${unit//\//_}
    slog="$OUT/server-$slug.log"
    olog="$OUT/out/$slug.log"
    started=$(date +%s)
    if [ "$SPAWN" -eq 0 ] && ! start_server "$slog"; then
        printf 'exception\t%s\t%s\n' "$unit" "server failed to start" >>"$RESULTS"
        printf '%s\t%s\n' "$unit" "server failed to start" >>"$NOTES"
        continue
    fi

    rc=0
    # `timeout` runs the suite in its own process group and signals the whole
    # group, so the suite's test-server and test-client tclsh processes go
    # together; cleanup() signals it too if this script is interrupted.
    # shellcheck disable=SC2086
    # The suite's own test server picks its port just below --baseport; a random base keeps
    # two runs on one machine (say, a developer's and CI's) from racing for the same port; it stays
    # below the kernel's ephemeral range (32768 and up), where outgoing connections take ports.
    baseport=$((22000 + (RANDOM % 100) * 100))
    if [ "$SPAWN" -eq 1 ]; then
        # The suite starts its servers itself, one test client at a time, as Redis's own
        # spawn-mode baseline was measured.
        target=(--clients 1)
    else
        target=(--host 127.0.0.1 --port "$SERVER_PORT")
    fi
    (cd "$SUITE" && exec timeout -k 15 "$UNIT_TIMEOUT" ./runtest "${target[@]}" \
        --baseport "$baseport" --tags -slow --durable --timeout "$TEST_TIMEOUT" --single "$unit" ${RUNTEST_ARGS:-} \
        </dev/null >"$olog.raw" 2>&1 9>&-) &
    RUNTEST_PID=$!
    TAIL_PID=
    if [ "$VERBOSE" -eq 1 ]; then
        tail -n +1 -f --pid="$RUNTEST_PID" "$olog.raw" | strip_colours &
        TAIL_PID=$!
    fi
    wait "$RUNTEST_PID" || rc=$?
    RUNTEST_PID=
    [ -n "$TAIL_PID" ] && wait "$TAIL_PID" 2>/dev/null
    strip_colours <"$olog.raw" >"$olog"
    rm -f "$olog.raw"

    parse_output "$unit" <"$olog" >>"$RESULTS"
    note=
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        note="unit killed after ${UNIT_TIMEOUT}s wall clock"
        printf 'exception\t%s\t%s\n' "$unit" "$note" >>"$RESULTS"
    fi
    # Did the server survive the unit? (In spawn mode the suite checks its own servers.)
    if [ "$SPAWN" -eq 1 ]; then
        :
    elif ! kill -0 "$SERVER_PID" 2>/dev/null; then
        st=0
        wait "$SERVER_PID" 2>/dev/null || st=$?
        SERVER_PID=
        note="${note:+$note; }server died (exit status $st)"
        printf 'exception\t%s\t%s\n' "$unit" "server died during the unit (exit status $st)" >>"$RESULTS"
    elif [ "$(timeout 5 redis-cli -h 127.0.0.1 -p "$SERVER_PORT" ping 2>/dev/null)" != PONG ]; then
        note="${note:+$note; }server stopped answering PING"
        printf 'exception\t%s\t%s\n' "$unit" "server stopped answering PING" >>"$RESULTS"
    fi
    stop_pid "$SERVER_PID" 10
    SERVER_PID=
    [ -n "$note" ] && printf '%s\t%s\n' "$unit" "$note" >>"$NOTES"

    # Keep the server log only when something went wrong in this unit.
    if ! awk -F '\t' -v u="$unit" '$2 == u && ($1 == "err" || $1 == "exception") { bad = 1 } END { exit !bad }' "$RESULTS"; then
        rm -f "$slog"
    fi

    awk -F '\t' -v u="$unit" -v n="$i/$nunits" -v secs="$(($(date +%s) - started))" -v note="$note" '
        $2 == u { c[$1]++ }
        END {
            printf "%-9s %-36s ok=%d err=%d ignore=%d exception=%d (%ds)%s\n", "[" n "]", u,
                c["ok"], c["err"], c["ignore"], c["exception"], secs, (note != "" ? "  ** " note : "")
        }' "$RESULTS" >&2
done

# --- per-unit table -------------------------------------------------------

awk -F '\t' '
    FILENAME == ARGV[1] { order[++n] = $0; next }
    FILENAME == ARGV[2] { note[$1] = $2; next }
    { c[$2, $1]++; t[$1]++ }
    END {
        for (i = 1; i <= n; i++) {
            u = order[i]
            printf "%-36s ok=%d err=%d ignore=%d exception=%d%s\n", u,
                c[u, "ok"], c[u, "err"], c[u, "ignore"], c[u, "exception"],
                (u in note ? "  ** " note[u] : "")
        }
        printf "%-36s ok=%d err=%d ignore=%d exception=%d%s\n", "TOTAL",
            t["ok"], t["err"], t["ignore"], t["exception"],
            (t["skip"] ? " skip=" t["skip"] : "")
    }' "$OUT/units-run.txt" "$NOTES" "$RESULTS" >"$OUT/table.txt"
echo
cat "$OUT/table.txt"

# --- gate -----------------------------------------------------------------

for f in "$PASSING" "$FLAKY"; do
    [ -f "$f" ] || : >"$f"
done

# Compares the ok results with passing.txt and flaky.txt.  Entries are
# counted, so a name listed twice needs two ok results in its unit.  Prints
# tagged lines: FAIL/FLAKY/NEW/NOTRUN/BAD plus a final SUMMARY line.
gate() {
    awk -F '\t' '
        function body(line) { return line !~ /^[[:space:]]*(#|$)/ }
        FILENAME == ARGV[1] { ran[$0] = 1; next }
        FILENAME == ARGV[2] { if ($1 == "ok") ok[$2 "\t" $3]++; next }
        FILENAME == ARGV[3] {
            if (!body($0)) next
            if (NF < 2) { print "BAD\tpassing.txt:" FNR ": " $0; next }
            want[$0]++; next
        }
        FILENAME == ARGV[4] {
            if (!body($0)) next
            if (NF < 2) { print "BAD\tflaky.txt:" FNR ": " $0; next }
            if ($0 in flaky) { print "BAD\tflaky.txt:" FNR ": listed twice: " $0; next }
            if ($0 in want) { print "BAD\tflaky.txt:" FNR ": also in passing.txt: " $0; next }
            flaky[$0] = 1; next
        }
        END {
            for (k in want) {
                split(k, p, "\t")
                if (!(p[1] in ran)) { notrun += want[k]; continue }
                if (k in flaky) continue
                got = (k in ok) ? ok[k] : 0
                if (got >= want[k]) { passed += want[k] }
                else { passed += got; failed += want[k] - got
                       for (j = got; j < want[k]; j++) print "FAIL\t" k }
            }
            for (k in flaky) {
                split(k, p, "\t")
                if (p[1] in ran) print "FLAKY\t" ((k in ok) ? "ok" : "not ok") "\t" k
            }
            for (k in ok) {
                if (k in flaky) continue
                have = (k in want) ? want[k] : 0
                for (j = have; j < ok[k]; j++) print "NEW\t" k
            }
            if (notrun) print "NOTRUN\t" notrun
            printf "SUMMARY\tcompat: %d passed, %d failed\n", passed, failed
        }' "$OUT/units-run.txt" "$RESULTS" "$PASSING" "$FLAKY" | LC_ALL=C sort
}

GATE=$(gate)
section() { printf '%s\n' "$GATE" | awk -F '\t' -v tag="$1" '$1 == tag { sub(/^[^\t]*\t/, ""); print }'; }

bad=$(section BAD)
[ -n "$bad" ] && { echo; echo "malformed list entries (need UNIT<TAB>TEST NAME, once per list, never in both lists):"; printf '  %s\n' "$bad"; }

# A server that crashed, hung or never started invalidates its unit's results, whatever tests
# came before: the gate fails on it even when every listed test already passed.
broken=$(awk -F '\t' '{ print "  " $1 ": " $2 }' "$NOTES")

flaky=$(section FLAKY)
if [ -n "$flaky" ]; then
    echo
    echo "flaky tests (reported, not gated):"
    printf '%s\n' "$flaky" | sed 's/^/  /'
fi

new=$(section NEW)
if [ -n "$new" ]; then
    nnew=$(printf '%s\n' "$new" | wc -l)
    echo
    if [ "$UPDATE" -eq 1 ]; then
        echo "adding $nnew newly passing test(s) to tests/compat/$(basename "$PASSING"):"
    else
        echo "$nnew newly passing test(s) not yet in tests/compat/$(basename "$PASSING") (add with --update):"
    fi
    printf '%s\n' "$new" | sed 's/^/  /'
    if [ "$UPDATE" -eq 1 ]; then
        # Comments stay on top in their order; entries are kept sorted.
        tmp=$(mktemp)
        {
            grep -E '^[[:space:]]*(#|$)' "$PASSING" || true
            { grep -vE '^[[:space:]]*(#|$)' "$PASSING" || true; printf '%s\n' "$new"; } | LC_ALL=C sort
        } >"$tmp"
        cat "$tmp" >"$PASSING"
        rm -f "$tmp"
    fi
fi

notrun=$(section NOTRUN)
[ -n "$notrun" ] && { echo; echo "$notrun listed test(s) belong to units not run this time (not checked)"; }

fails=$(section FAIL)
if [ -n "$fails" ]; then
    echo
    echo "REGRESSIONS: listed in tests/compat/passing.txt but not ok in this run:"
    printf '%s\n' "$fails" | sed 's/^/  /'
    echo "(server logs of failing units: target/compat/server-*.log; suite output: target/compat/out/)"
fi

summary=$(section SUMMARY)
printf '%s\n' "$summary" >"$OUT/summary.txt"
echo
echo "$summary"

if [ -n "$broken" ]; then
    echo
    echo "SERVER FAILURES (the server crashed, stopped answering or did not start):"
    printf '%s\n' "$broken"
fi

if [ "$CHECK" -eq 1 ] && { [ -n "$fails" ] || [ -n "$bad" ] || [ -n "$broken" ]; }; then
    exit 1
fi
exit 0
