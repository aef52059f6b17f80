#!/usr/bin/env bash
# Ferry end to end on this machine: installs what is missing, builds, makes development
# certificates, starts ferryd (SQLite) and a ferry-worker over mTLS, creates a local-files import
# storage over deploy/sample-data, syncs it twice (the second sync creates nothing), prints the
# storages and the tasks, then stops both processes with SIGTERM. Everything listens on
# 127.0.0.1; state, logs and certificates live in .ferry-dev/ (state is reset on every run).
set -euo pipefail
cd "$(dirname "$0")/.."

port="${FERRY_DEMO_PORT:-7443}"
dev="$PWD/.ferry-dev"
certs="$dev/certs"
files="$dev/files"
# ferryd, ferry-worker and ferryctl refuse FERRY_*/FERRYCTL_* variables they do not read, and this
# script's own (FERRY_DEMO_PORT) are not theirs: unset them all once read.
while read -r var; do unset "$var"; done < <(compgen -e | grep -E '^FERRY(CTL)?_' || true)

scripts/install-deps.sh

echo "==> Building ferryd, ferry-worker and ferryctl"
swift build
bin="$(swift build --show-bin-path)"

echo "==> Development CA and server, worker and admin certificates in .ferry-dev/certs"
deploy/certs/ferry-certs.sh dev "$certs" >/dev/null

echo "==> Fresh state; sample data copied to the local-files root .ferry-dev/files"
rm -rf "$dev/ferry.db" "$dev/ferry.db-wal" "$dev/ferry.db-shm" "$dev/ferry.db.key" "$files"
mkdir -p "$files"
cp -R deploy/sample-data "$files/samples"

# ferryctl reads its connection from this file (or FERRYCTL_* variables, or flags).
export FERRYCTL_CONFIG="$dev/ferryctl.json"
cat >"$FERRYCTL_CONFIG" <<JSON
{"server": "127.0.0.1:$port", "serverName": "localhost", "ca": "$certs/ca/ca.pem",
 "cert": "$certs/admin.pem", "key": "$certs/admin.key"}
JSON
ctl="$bin/ferryctl"

pids=()
stop_all() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; }
trap stop_all EXIT

echo "==> Starting ferryd on 127.0.0.1:$port (log: .ferry-dev/ferryd.log)"
"$bin/ferryd" --listen "127.0.0.1:$port" --database-path "$dev/ferry.db" \
    --tls-cert "$certs/server.pem" --tls-key "$certs/server.key" --tls-ca "$certs/ca/ca.pem" \
    --storage-local-files-root "$files" --sync-ping-interval-seconds 2 \
    >"$dev/ferryd.log" 2>&1 &
ferryd_pid=$!
pids+=("$ferryd_pid")
for _ in $(seq 1 150); do
    if "$ctl" health >/dev/null 2>&1; then break; fi
    kill -0 "$ferryd_pid" 2>/dev/null || { cat "$dev/ferryd.log"; exit 1; }
    sleep 0.1
done
"$ctl" health

echo "==> Starting ferry-worker as worker-1 (log: .ferry-dev/worker.log)"
"$bin/ferry-worker" --server "127.0.0.1:$port" --tls-server-name localhost \
    --tls-ca "$certs/ca/ca.pem" --tls-cert "$certs/worker-1.pem" --tls-key "$certs/worker-1.key" \
    --worker-id worker-1 --storage-local-files-root "$files" \
    >"$dev/worker.log" 2>&1 &
worker_pid=$!
pids+=("$worker_pid")

echo "==> Creating a local-files import storage over the sample data"
"$ctl" storage create --project 1 --title "Sample reviews" --kind import --provider local \
    --path samples --recursive true --regex-filter '.*\.jsonl?'
storage_id="$("$ctl" storage list --project 1 -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["storages"][0]["id"])')"

echo "==> Syncing storage $storage_id"
"$ctl" sync "$storage_id" --watch

echo "==> Syncing again: every key already has its tasks, so nothing is created"
"$ctl" sync "$storage_id" --watch

echo "==> Storages"
"$ctl" storage list -o wide

echo "==> The first tasks of project 1"
"$ctl" tasks list --project 1 --limit 8

echo "==> Stopping ferry-worker and ferryd (SIGTERM)"
kill -TERM "$worker_pid"
wait "$worker_pid"
kill -TERM "$ferryd_pid"
wait "$ferryd_pid"
trap - EXIT
echo "Both exited cleanly. Logs: .ferry-dev/ferryd.log, .ferry-dev/worker.log"
