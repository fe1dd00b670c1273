# Shared helpers for the ferrodis scripts (sourced, never executed).
#
# Everything here must work on a fresh Debian bookworm machine, so the only
# tools assumed are bash, coreutils, util-linux, GNU sed, mawk/gawk and apt.

# Prints a message on stderr, prefixed with the calling script's name.
log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

# Prints a message and exits with status 1.
die() { log "error: $*"; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# Succeeds when the Debian package $1 is installed.
pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# Remembers whether this process already refreshed the apt lists, so that
# several ensure_pkgs calls cost at most one `apt-get update`.
_APT_UPDATED=0

apt_update_once() {
    if [ "$_APT_UPDATED" -eq 0 ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        _APT_UPDATED=1
    fi
}

# Installs the named Debian packages that are missing; does nothing (and does
# not touch the network) when all of them are present.
ensure_pkgs() {
    local missing=() p
    for p in "$@"; do
        pkg_installed "$p" || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    log "installing missing packages: ${missing[*]}"
    apt_update_once
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Succeeds when apt knows at least one deb-src entry.
have_deb_src() {
    grep -rqsE '^(Types:.*\bdeb-src\b|deb-src[[:space:]])' \
        /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}

# Adds deb-src entries derived from the machine's own Debian sources, so that
# `apt-get source` uses the same mirror (and snapshot, if pinned) as binaries.
ensure_deb_src() {
    have_deb_src && return 0
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
            as_root tee /etc/apt/sources.list.d/debian-src.sources >/dev/null
    elif [ -f /etc/apt/sources.list ] && grep -q '^deb ' /etc/apt/sources.list; then
        sed -n 's/^deb /deb-src /p' /etc/apt/sources.list |
            as_root tee /etc/apt/sources.list.d/debian-src.list >/dev/null
    else
        die "cannot derive a deb-src entry: no Debian apt sources found"
    fi
    # The new entry is useless until the lists are fetched again.
    _APT_UPDATED=0
    apt_update_once
}

# Prints the directory of the Redis test suite under $1, fetching the Debian
# source package `redis` into it first when no suite is there yet.  The
# version can be pinned with REDIS_SRC_VERSION (e.g. 5:7.0.15-1~deb12u10).
ensure_redis_suite() {
    local base=$1 dir
    dir=$(find_redis_suite "$base")
    if [ -z "$dir" ]; then
        ensure_pkgs dpkg-dev xz-utils patch
        ensure_deb_src
        mkdir -p "$base"
        log "fetching the Redis source package (test suite) into $base"
        local spec=redis
        [ -n "${REDIS_SRC_VERSION:-}" ] && spec="redis=${REDIS_SRC_VERSION#*:}"
        # apt-get source may fall back to an unsandboxed download as root and
        # says so on stderr; that warning is harmless here.
        (cd "$base" && apt-get source -qq "$spec") >&2 ||
            die "apt-get source $spec failed"
        dir=$(find_redis_suite "$base")
        [ -n "$dir" ] || die "no runtest found under $base after apt-get source"
    fi
    printf '%s\n' "$dir"
}

# Prints the newest redis-*/ directory under $1 that holds a runtest script.
find_redis_suite() {
    local d found=
    for d in "$1"/redis-*/; do
        [ -f "$d/runtest" ] && [ -f "$d/tests/test_helper.tcl" ] && found=${d%/}
    done
    printf '%s' "$found"
}

# Prints a TCP port on 127.0.0.1 that nothing listens on, chosen at random in
# [$1, $2).  A connect that fails means the port is free; the caller must
# still cope with losing a race for it.
free_port() {
    local lo=${1:-26000} hi=${2:-30000} p i
    for i in $(seq 1 200); do
        p=$((lo + RANDOM % (hi - lo)))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    die "no free port found in [$lo, $hi)"
}

# Waits until the server on port $1 answers PING, for at most $2 seconds,
# failing early when process $3 (if given) has exited.
wait_for_ping() {
    local port=$1 secs=${2:-30} pid=${3:-} i
    for i in $(seq 1 $((secs * 10))); do
        if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
            return 0
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.1
    done
    return 1
}

# Stops process $1: SIGTERM, then SIGKILL after $2 seconds (default 10).
# Only ever called with the id of a process this script started.
stop_pid() {
    local pid=$1 grace=${2:-10} i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 $((grace * 10))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "process $pid ignored SIGTERM for ${grace}s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# Prints the absolute path of executable $1 (a path or a name on PATH).
abs_exe() {
    local p=$1
    case $p in
        */*) ;;
        *) p=$(command -v "$p") || return 1 ;;
    esac
    [ -x "$p" ] || return 1
    printf '%s/%s\n' "$(cd "$(dirname "$p")" && pwd)" "$(basename "$p")"
}
