#!/usr/bin/env bash
# Ferry end to end on this machine: installs what is missing, builds, makes development
# certificates, starts ferryd over TLS, talks to it with ferryctl and openssl, and stops it
# gracefully. Everything stays on 127.0.0.1; state and certificates live in .ferry-dev/.
set -euo pipefail
cd "$(dirname "$0")/.."

port="${FERRY_DEMO_PORT:-7443}"
dev=".ferry-dev"
certs="$dev/certs"

scripts/install-deps.sh

echo "==> Building"
swift build --product ferryd
swift build --product ferryctl
bin="$(swift build --show-bin-path)"

echo "==> Development certificates in $certs"
deploy/certs/ferry-certs.sh dev "$certs" >/dev/null

echo "==> Starting ferryd on 127.0.0.1:$port"
mkdir -p "$dev"
"$bin/ferryd" --listen "127.0.0.1:$port" --database-path "$dev/ferry.db" \
    --tls-cert "$certs/server.pem" --tls-key "$certs/server.key" --tls-ca "$certs/ca/ca.pem" \
    >"$dev/ferryd.log" 2>&1 &
ferryd_pid=$!
trap 'kill "$ferryd_pid" 2>/dev/null || true' EXIT

ctl=("$bin/ferryctl")
connection=(--server "127.0.0.1:$port" --ca "$certs/ca/ca.pem" --server-name localhost
    --cert "$certs/admin.pem" --key "$certs/admin.key")
for _ in $(seq 1 100); do
    if "${ctl[@]}" health "${connection[@]}" >/dev/null 2>&1; then break; fi
    kill -0 "$ferryd_pid" 2>/dev/null || { cat "$dev/ferryd.log"; exit 1; }
    sleep 0.1
done

echo "==> ferryctl health"
"${ctl[@]}" health "${connection[@]}"

echo "==> openssl s_client: protocol and ALPN"
echo | openssl s_client -connect "127.0.0.1:$port" -alpn ferry/1 -servername localhost \
    -CAfile "$certs/ca/ca.pem" -verify_return_error 2>&1 | grep -a -E "^New, |ALPN protocol|Verify return code" || true

echo "==> Stopping ferryd (SIGTERM)"
kill -TERM "$ferryd_pid"
wait "$ferryd_pid"
trap - EXIT
echo "ferryd exited cleanly. Its log:"
cat "$dev/ferryd.log"
