#!/usr/bin/env bash
# Bytes per element of 1M-element collections (list, hash, set, sorted set, stream) of small
# members (stream: entries of two small fields), ferrodis against Debian's redis-server, each
# filled through `redis-cli --pipe` on a fresh server. Prints a markdown table; the figure is the change in INFO's used_memory divided by
# the number of elements.
#
# Usage: scripts/mem-collections.sh [ELEMENTS]     (default 1000000)
# Environment: KINDS (default "list hash set zset stream"),
#              SERVER_BIN (default target/release/ferrodis-server, built if missing),
#              REDIS_BIN (default /usr/bin/redis-server)

set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
N=${1:-1000000}
REDIS_BIN=${REDIS_BIN:-/usr/bin/redis-server}
if [ -z "${SERVER_BIN:-}" ]; then
    cargo build --release -p ferrodis-server >&2
    SERVER_BIN=$ROOT/target/release/ferrodis-server
fi
PORT=${PORT:-7399}

# The commands that fill one collection of N elements, as a RESP stream for --pipe.
fill() {
    python3 - "$1" "$N" <<'PY'
import sys
kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout.buffer
def cmd(*args):
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    out.write(b"".join(parts))
batch = 100
for start in range(0, n, batch):
    ids = range(start, min(n, start + batch))
    if kind == "list":
        cmd("RPUSH", "k", *[f"member:{i}" for i in ids])
    elif kind == "hash":
        args = []
        for i in ids:
            args += [f"field:{i}", f"value:{i}"]
        cmd("HSET", "k", *args)
    elif kind == "set":
        cmd("SADD", "k", *[f"member:{i}" for i in ids])
    elif kind == "zset":
        args = []
        for i in ids:
            args += [str(i), f"member:{i}"]
        cmd("ZADD", "k", *args)
    elif kind == "stream":
        # One entry per command, auto IDs, the same two fields in every entry (the common
        # shape of an event log).
        for i in ids:
            cmd("XADD", "k", "*", "sensor", i % 100, "reading", f"value:{i}")
PY
}

used() { redis-cli -p "$PORT" info memory | tr -d '\r' | awk -F: '$1 == "used_memory" {print $2}'; }

measure() { # BIN KIND
    "$1" --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
    local pid=$!
    for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    local before after
    before=$(used)
    fill "$2" | redis-cli -p "$PORT" --pipe >/dev/null
    after=$(used)
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo $(( (after - before) / N ))
}

echo "| collection ($N elements) | redis B/element | ferrodis B/element | ratio |"
echo "|---|---:|---:|---:|"
for kind in ${KINDS:-list hash set zset stream}; do
    r=$(measure "$REDIS_BIN" "$kind")
    f=$(measure "$SERVER_BIN" "$kind")
    ratio=$(awk -v f="$f" -v r="$r" 'BEGIN { printf "%.2f", (r > 0 ? f / r : 0) }')
    echo "| $kind | $r | $f | $ratio |"
done
