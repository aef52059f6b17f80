#!/usr/bin/env bash
# Smoke-tests deploy/ against built binaries; builds nothing.
#
#   FERRY_BIN=$(swift build --show-bin-path) scripts/check-deploy.sh   # FERRY_BIN defaults to .build/debug
#
# 1. deploy/config/*.json parse and use only (and all) keys the binaries' --help documents;
#    ferryd.json (SQLite) and ferryd-postgres.json (replicas on PostgreSQL) each leave out the
#    other database's keys, and database.password belongs in FERRY_DATABASE_PASSWORD, never a file.
#    Only ferryd.json is started below (ferryd-postgres.json needs a PostgreSQL server).
# 2. With a throwaway PKI from deploy/certs/ferry-certs.sh, copies of the example configs whose
#    absolute paths are moved under a temp dir: ferryd starts on 127.0.0.1 (free port), logs
#    "ferryd listening" and accepts an admin token, and both serve /metrics (metrics.listen
#    moved to a free port) that prometheus_client parses; ferry-worker starts ("ferry-worker
#    starting"), registers with ferryd over mTLS; both exit 0 on SIGTERM.
# 3. systemd-analyze verify passes, without warnings, on copies of deploy/systemd/*.service
#    whose ExecStart points at the binaries in FERRY_BIN.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "check-deploy: FAIL: $*" >&2; exit 1; }
step() { echo "==> $*"; }
# Prints a log file to stderr (for failures).
show() { echo "---- $1" >&2; cat -- "$1" >&2 || true; echo "----" >&2; }

BIN=${FERRY_BIN:-.build/debug}
[[ -d "$BIN" ]] || fail "FERRY_BIN directory '$BIN' not found (build first, e.g. swift build)"
BIN=$(cd "$BIN" && pwd)
for b in ferryd ferry-worker ferryctl; do
    [[ -x "$BIN/$b" ]] || fail "$BIN/$b not found or not executable (build first, or set FERRY_BIN)"
done
command -v python3 >/dev/null || fail "python3 not found"
command -v systemd-analyze >/dev/null \
    || fail "systemd-analyze not found: install the 'systemd' package (apt-get install -y systemd)"

# Only the configs under test may configure the binaries.
while read -r var; do unset "$var"; done < <(compgen -e | grep -E '^FERRY(CTL)?_' || true)

T=$(mktemp -d "${TMPDIR:-/tmp}/ferry-check-deploy.XXXXXX")
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf -- "$T"
}
trap cleanup EXIT

# jget FILE KEY: prints the value of a dotted KEY in a JSON file.
jget() {
    python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v = v[k]
print(v)' "$1" "$2" || fail "cannot read key $2 from $1"
}

# scrape_metrics NAME LOG SERIES: scrapes the /metrics port NAME logged ("metrics listening …
# port=N") with prometheus_client's parser and requires SERIES among the samples.
scrape_metrics() {
    local port samples
    port=$(grep -F "metrics listening" "$2" | sed -n 's/.* port=\([0-9][0-9]*\).*/\1/p' | head -1)
    [[ -n "$port" ]] || { show "$2"; fail "$1 did not log its metrics port"; }
    samples=$(python3 scripts/scrape-metrics.py "http://127.0.0.1:$port/metrics") \
        || fail "$1: /metrics on port $port did not parse as Prometheus text"
    grep -qF "\"$3\"" <<<"$samples" || fail "$1: /metrics has no $3: $samples"
    echo "$1 /metrics on 127.0.0.1:$port parses and has $3"
}

# wait_log NAME PID LOG TEXT: waits up to 15 s for TEXT in LOG while PID runs.
wait_log() {
    local _
    for _ in $(seq 150); do
        grep -qF -- "$4" "$3" && return 0
        kill -0 "$2" 2>/dev/null || { show "$3"; fail "$1 exited before logging '$4'"; }
        sleep 0.1
    done
    show "$3"; fail "$1 did not log '$4' within 15 s"
}

# stop NAME PID LOG: SIGTERM, wait up to 30 s (the units' TimeoutStopSec), require exit 0.
stop() {
    local _ rc=0
    kill -TERM "$2" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$2" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$2" 2>/dev/null && { show "$3"; fail "$1 still running 30 s after SIGTERM"; }
    wait "$2" || rc=$?
    [[ $rc -eq 0 ]] || { show "$3"; fail "$1 exited with status $rc after SIGTERM (expected 0)"; }
}

step "Example configs: JSON and keys"
ROOT="$T/root"   # stands in for / : /etc/ferry/... becomes $ROOT/etc/ferry/...
for example in ferryd:ferryd ferryd-postgres:ferryd ferry-worker:ferry-worker; do
    name=${example%%:*} prog=${example#*:}
    src="deploy/config/$name.json"
    [[ -f "$src" ]] || fail "$src not found"
    python3 -m json.tool "$src" >/dev/null || fail "$src is not valid JSON"
    "$BIN/$prog" --help >"$T/$prog.help" || fail "$prog --help failed"
    # Check keys against --help; write a copy with absolute paths under $ROOT, ferryd on port 0.
    python3 - "$src" "$T/$prog.help" "$T/$name.json" "$ROOT" <<'PY' || fail "$src: see above"
import json, re, sys
src, helpfile, out, root = sys.argv[1:]
documented = {m.group(1) for m in re.finditer(r"^  (\S+)\s", open(helpfile).read(), re.M)} - {"config"}
postgres_only = {"database.url", "database.passwordFile", "database.maxConnections"}
documented -= {"database.password"}
if src.endswith("/ferryd.json"):
    documented -= postgres_only
elif src.endswith("/ferryd-postgres.json"):
    documented -= {"database.path"}
conf = json.load(open(src))
def walk(obj, prefix=""):
    for key, value in obj.items():
        if isinstance(value, dict):
            yield from walk(value, prefix + key + ".")
        else:
            yield prefix + key, obj, key
seen = set()
for dotted, parent, key in walk(conf):
    seen.add(dotted)
    value = parent[key]
    if isinstance(value, str) and value.startswith("/"):
        parent[key] = root + value
if "listen" in conf:
    conf["listen"] = "127.0.0.1:0"
if "listen" in conf.get("metrics", {}):
    conf["metrics"]["listen"] = "127.0.0.1:0"
unknown, missing = sorted(seen - documented), sorted(documented - seen)
if unknown:
    sys.exit(f"{src}: keys not in --help (typo?): {', '.join(unknown)}")
if missing:
    sys.exit(f"{src}: documented keys missing from the example: {', '.join(missing)}")
json.dump(conf, open(out, "w"), indent=2)
print(f"{src}: {len(seen)} keys, all documented")
PY
done

step "Throwaway PKI and files at the configs' paths"
D="$T/ferryd.json" W="$T/ferry-worker.json"
SERVER_NAME=$(jget "$W" tls.serverName)
WORKER_ID=$(jget "$W" worker.id)
D_CA=$(jget "$D" tls.ca)
D_CERT=$(jget "$D" tls.cert)
D_KEY=$(jget "$D" tls.key)
W_CA=$(jget "$W" tls.ca)
W_CERT=$(jget "$W" tls.cert)
W_KEY=$(jget "$W" tls.key)
DATABASE=$(jget "$D" database.path)
TOKENS_FILE=$(jget "$D" auth.tokensFile)
D_FILES=$(jget "$D" storage.localFilesRoot)
W_FILES=$(jget "$W" storage.localFilesRoot)
PKI="$T/pki"
{
    deploy/certs/ferry-certs.sh ca "$PKI/ca" --name "Check Deploy CA"
    deploy/certs/ferry-certs.sh server "$PKI" --ca "$PKI/ca" --name server \
        --san "DNS:$SERVER_NAME,DNS:localhost,IP:127.0.0.1"
    deploy/certs/ferry-certs.sh client "$PKI" --ca "$PKI/ca" --name "$WORKER_ID" --role worker
} >"$T/pki.log" 2>&1 || { show "$T/pki.log"; fail "ferry-certs.sh failed"; }
put() { mkdir -p -- "$(dirname -- "$2")" && cp -- "$1" "$2"; }
put "$PKI/ca/ca.pem"      "$D_CA"
put "$PKI/server.pem"     "$D_CERT"
put "$PKI/server.key"     "$D_KEY"
put "$PKI/ca/ca.pem"      "$W_CA"
put "$PKI/$WORKER_ID.pem" "$W_CERT"
put "$PKI/$WORKER_ID.key" "$W_KEY"
mkdir -p -- "$(dirname -- "$DATABASE")" "$(dirname -- "$TOKENS_FILE")" "$D_FILES" "$W_FILES"
TOKEN_OUT=$("$BIN/ferryctl" token create --role admin --name check-deploy) || fail "ferryctl token create failed"
TOKEN=$(sed -n 's/^token: *//p' <<<"$TOKEN_OUT")
{ echo "# made by check-deploy.sh"; sed -n 's/^line: *//p' <<<"$TOKEN_OUT"; } >"$TOKENS_FILE"
if [[ -z "$TOKEN" ]] || ! grep -q '^sha256:' "$TOKENS_FILE"; then
    fail "unexpected 'ferryctl token create' output: $TOKEN_OUT"
fi
echo "CA, server certificate (SAN DNS:$SERVER_NAME), worker certificate '$WORKER_ID', admin token"

step "ferryd --config <copy of deploy/config/ferryd.json>"
"$BIN/ferryd" --config "$D" >"$T/ferryd.log" 2>&1 &
FERRYD=$!; PIDS+=("$FERRYD")
wait_log ferryd "$FERRYD" "$T/ferryd.log" "ferryd listening"
line=$(grep -F "ferryd listening" "$T/ferryd.log")
PORT=$(sed -n 's/.*address=[^ ]*:\([0-9][0-9]*\) .*/\1/p' <<<"$line")
[[ -n "$PORT" ]] || { show "$T/ferryd.log"; fail "cannot find the port in: $line"; }
grep -q "tokens=1" <<<"$line" || { show "$T/ferryd.log"; fail "ferryd did not load the one token in auth.tokensFile"; }
echo "listening on 127.0.0.1:$PORT with 1 token"
CONN=(--server "127.0.0.1:$PORT" --server-name "$SERVER_NAME" --ca "$W_CA" --token "$TOKEN")
HOME="$T" "$BIN/ferryctl" health "${CONN[@]}" >"$T/health.out" 2>&1 \
    || { show "$T/health.out"; fail "ferryctl health failed"; }
HOME="$T" "$BIN/ferryctl" storage list "${CONN[@]}" >"$T/list.out" 2>&1 \
    || { show "$T/list.out"; fail "ferryctl storage list with the admin token failed"; }
echo "ferryctl health: $(cat "$T/health.out"); storage list with the admin token: ok"
scrape_metrics ferryd "$T/ferryd.log" ferry_rpc_calls_total

step "ferry-worker --config <copy of deploy/config/ferry-worker.json> --server 127.0.0.1:$PORT"
"$BIN/ferry-worker" --config "$W" --server "127.0.0.1:$PORT" >"$T/worker.log" 2>&1 &
WORKER=$!; PIDS+=("$WORKER")
wait_log ferry-worker "$WORKER" "$T/worker.log" "ferry-worker starting"
wait_log ferry-worker "$WORKER" "$T/worker.log" "metrics listening"
scrape_metrics ferry-worker "$T/worker.log" ferry_worker_jobs_running
sleep 2   # first AcquireJob: a TLS, identity or worker.id problem is logged at once
stop ferry-worker "$WORKER" "$T/worker.log"
if grep -qE ' (warning|error|critical) ' "$T/worker.log"; then
    show "$T/worker.log"; fail "ferry-worker logged warnings or errors"
fi
grep -qF "ferry-worker stopped" "$T/worker.log" || { show "$T/worker.log"; fail "ferry-worker did not log 'ferry-worker stopped'"; }
echo "started, polled for jobs without errors, exit 0 on SIGTERM"

step "Stopping ferryd"
stop ferryd "$FERRYD" "$T/ferryd.log"
grep -qF "ferryd stopped" "$T/ferryd.log" || { show "$T/ferryd.log"; fail "ferryd did not log 'ferryd stopped'"; }
if grep -qE ' (warning|error|critical) ' "$T/ferryd.log"; then
    show "$T/ferryd.log"; fail "ferryd logged warnings or errors"
fi
# Positive proof the worker got through mTLS and worker.id checks: ferryd recorded it.
python3 - "$DATABASE" "$WORKER_ID" <<'PY' || fail "ferryd has no record of worker '$WORKER_ID' (workers table)"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
sys.exit(0 if db.execute("SELECT 1 FROM workers WHERE worker_id = ?", (sys.argv[2],)).fetchone() else 1)
PY
echo "exit 0 on SIGTERM; worker '$WORKER_ID' is registered in its database"

step "systemd-analyze verify deploy/systemd/*.service"
mkdir -p "$T/units"
for unit in ferryd ferry-worker; do
    src="deploy/systemd/$unit.service"
    [[ -f "$src" ]] || fail "$src not found"
    grep -q "^ExecStart=/usr/local/bin/$unit " "$src" || fail "$src: ExecStart does not start /usr/local/bin/$unit"
    sed "s|^ExecStart=/usr/local/bin/|ExecStart=$BIN/|" "$src" >"$T/units/$unit.service"
done
rc=0
out=$(systemd-analyze verify --man=no "$T/units/ferryd.service" "$T/units/ferry-worker.service" 2>&1) || rc=$?
# verify exits 0 on unknown keys and unparsable values; treat any output as a failure.
if [[ $rc -ne 0 || -n "$out" ]]; then
    echo "$out" >&2; fail "systemd-analyze verify reported problems (status $rc)"
fi
echo "ferryd.service, ferry-worker.service: no problems"
for unit in ferryd ferry-worker; do   # informational; needs systemd >= 250
    systemd-analyze security --offline=true "$T/units/$unit.service" 2>/dev/null | grep -F "Overall exposure" || true
done

echo "check-deploy: OK"
