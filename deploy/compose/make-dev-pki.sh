#!/usr/bin/env bash
# Makes the compose stack's development CA, certificates and secrets under DIR (the `pki`
# volume), with deploy/certs/ferry-certs.sh. Each service gets a folder of its own and mounts
# only that. Existing files are kept, so re-running changes nothing.
#
#   make-dev-pki.sh DIR     # as root: the files are handed to the image's ferry user (10001)
set -euo pipefail
umask 077

out=${1:?usage: make-dev-pki.sh DIR}
certs="$(dirname "$0")/../certs/ferry-certs.sh"
ferry=10001   # USER of deploy/container/Containerfile

# The CA key stays in DIR/ca, which no service but this one mounts.
bash "$certs" ca "$out/ca" --name "Ferry Compose CA"
# ferryd is dialled as ferryd:7443 inside the stack and as localhost:7443 from the host; the
# image's health check dials 127.0.0.1.
bash "$certs" server "$out/issued" --ca "$out/ca" --name server --san "DNS:ferryd,DNS:localhost,IP:127.0.0.1"
for name in worker-1 worker-2; do
    bash "$certs" client "$out/issued" --ca "$out/ca" --name "$name" --role worker
done
bash "$certs" client "$out/issued" --ca "$out/ca" --name admin --role admin
[[ -f "$out/issued/secrets.key" ]] || openssl rand -hex 32 >"$out/issued/secrets.key"
[[ -f "$out/issued/database-password" ]] || openssl rand -hex 24 >"$out/issued/database-password"

# give SOURCE TARGET MODE: a copy for the ferry user, in a folder only it can enter.
give() {
    install -d -o "$ferry" -g "$ferry" -m 0700 "$(dirname "$out/$2")"
    install -o "$ferry" -g "$ferry" -m "$3" "$out/$1" "$out/$2"
}
give ca/ca.pem                  ferryd/tls/ca.pem 0444
give issued/server.pem          ferryd/tls/server.pem 0444
give issued/server.key          ferryd/tls/server.key 0400
give issued/secrets.key         ferryd/secrets/secrets.key 0400
give issued/database-password   ferryd/secrets/database-password 0400
for name in worker-1 worker-2; do
    give ca/ca.pem              "$name/tls/ca.pem" 0444
    give "issued/$name.pem"     "$name/tls/worker.pem" 0444
    give "issued/$name.key"     "$name/tls/worker.key" 0400
done
give ca/ca.pem                  admin/ca.pem 0444
give issued/admin.pem           admin/admin.pem 0444
give issued/admin.key           admin/admin.key 0400
# The postgres image reads its password file as root and again as its own user.
install -d -m 0755 "$out/postgres"
install -m 0444 "$out/issued/database-password" "$out/postgres/password"
echo "development PKI and secrets ready in $out"
