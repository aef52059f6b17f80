#!/usr/bin/env bash
# Issue 12's export benchmark: the real release ferryd and ferry-worker export N annotations
# (default 100,000; one object per task) to local files and to a moto S3 server (first export and
# no-op re-export, the worker's peak RSS), beside how fast a plain client with 16 threads writes
# as many objects of the same size to the same place. moto runs on a loopback port chosen here
# and is stopped at the end.
#
#   scripts/bench-export.sh [--annotations N] [--only local|s3]
#
# Builds the release products first (serialised with flock). Reports go to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
annotations=100000
only=""
while [ $# -gt 0 ]; do
    case "$1" in
    --annotations) annotations="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    *) echo "usage: $0 [--annotations N] [--only local|s3]" >&2; exit 2 ;;
    esac
done

scripts/install-deps.sh
for product in ferryd ferry-worker; do
    flock -o /tmp/ferry-build.lock swift build -c release --product "$product" >/dev/null
done
flock -o /tmp/ferry-build.lock swift build -c release --package-path Benchmarks >/dev/null
bench="Benchmarks/.build/release/ferry-bench"
fixture="Benchmarks/scripts/object_server_fixture.py"
scratch="$(mktemp -d)"
server_pid=""
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; fi; }
trap 'stop_server; rm -rf "$scratch"' EXIT
rate_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["objects_per_second"])'; }

if [ -z "$only" ] || [ "$only" = local ]; then
    echo "==> local: plain client, 16 threads" >&2
    baseline="$(python3 "$fixture" write --provider local --directory "$scratch" --bucket - --count "$annotations")"
    echo "$baseline" >&2
    rm -rf "$scratch/baseline"
    "$bench" export --target local --annotations "$annotations" --baseline-objects-per-second "$(echo "$baseline" | rate_of)"
fi
if [ -z "$only" ] || [ "$only" = s3 ]; then
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    python3 "$fixture" serve --provider s3 --port "$port" --bucket ferry-bench --count 0 >/tmp/ferry-bench-moto.log 2>&1 &
    server_pid=$!
    for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    endpoint="http://127.0.0.1:$port"
    echo "==> s3: plain client, 16 threads" >&2
    baseline="$(python3 "$fixture" write --provider s3 --endpoint "$endpoint" --bucket ferry-bench --count "$annotations")"
    echo "$baseline" >&2
    "$bench" export --target s3 --annotations "$annotations" --endpoint "$endpoint" --bucket ferry-bench \
        --secret access_key_id=bench --secret secret_access_key=bench \
        --baseline-objects-per-second "$(echo "$baseline" | rate_of)"
    stop_server
fi
