#!/usr/bin/env bash
# The floor under ferry-bench server-load's "server CPU per beat": builds beat_floor.c, starts its
# server on two epoll threads (ferryd's two event loops) and measures it with its client.
#
#   Benchmarks/Floor/measure.sh CONNECTIONS BEATS_PER_SECOND [--plain] [--warm-up S] [--seconds S]
#
# Needs a C compiler (cc, or the Swift toolchain's clang) and libssl-dev (scripts/install-deps.sh installs both). Prints one line of figures.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
connections="${1:?connections}"
rate="${2:?beats per second per connection}"
shift 2
plain="" warmup=10 seconds=20
while [ $# -gt 0 ]; do
    case "$1" in
        --plain) plain="--plain" ;;
        --warm-up) warmup="$2"; shift ;;
        --seconds) seconds="$2"; shift ;;
        *) echo "measure.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

compiler="${CC:-$(command -v cc || command -v clang)}"
"$compiler" -O2 -Wall -Wextra -o "$work/beat_floor" "$here/beat_floor.c" -lssl -lcrypto -lpthread
bash "$here/../../deploy/certs/ferry-certs.sh" dev "$work/certs" > /dev/null
"$work/beat_floor" server "$work/certs" 2 $plain > "$work/server.out" &
server=$!
for _ in $(seq 100); do
    grep -q READY "$work/server.out" && break
    sleep 0.1
done
port="$(awk '/READY/ {print $2}' "$work/server.out")"
[ -n "$port" ] || { echo "measure.sh: the server did not start" >&2; exit 1; }
"$work/beat_floor" client "$work/certs" "$port" "$server" "$connections" "$rate" "$warmup" "$seconds" $plain
