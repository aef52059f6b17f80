#!/usr/bin/env bash
# Keeps the Python client of docs/PROTOCOL.md §14 working; builds nothing.
#
#   FERRY_BIN=$(swift build --show-bin-path) scripts/check-sample-client.sh   # FERRY_BIN defaults to .build/debug
#
# 1. scripts/sample-client.py is identical to the first Python block of PROTOCOL.md §14.
# 2. scripts/test-sample-client.py: with a scripted socket, every GOAWAY error code ends a call
#    with the status §10.2 gives it.
# 3. ferryd from FERRY_BIN starts with throwaway dev certificates (deploy/certs/ferry-certs.sh
#    dev) and one reader token, on 127.0.0.1 and a port the kernel picks; the sample calls
#    ferry.v1.Health/Check and, with the token, ferry.v1.StorageService/ListStorages; ferryd
#    stops on SIGTERM with exit status 0.
# Exits non-zero if the two copies differ, the sample fails, or ferryd does not start or stop.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "check-sample-client: FAIL: $*" >&2; exit 1; }
# Prints a log file to stderr (for failures).
show() { echo "---- $1" >&2; cat -- "$1" >&2 || true; echo "----" >&2; }

BIN=${FERRY_BIN:-.build/debug}
for b in ferryd ferryctl; do
    [[ -x "$BIN/$b" ]] || fail "$BIN/$b not found or not executable (build first, or set FERRY_BIN)"
done
command -v python3 >/dev/null || fail "python3 not found"
# Only the flags below may configure ferryd.
while read -r var; do unset "$var"; done < <(compgen -e | grep -E '^FERRY(CTL)?_' || true)

T=$(mktemp -d "${TMPDIR:-/tmp}/ferry-sample-client.XXXXXX")
FERRYD=""
cleanup() {
    if [[ -n "$FERRYD" ]]; then kill -KILL "$FERRYD" 2>/dev/null || true; fi
    rm -rf -- "$T"
}
trap cleanup EXIT

echo "==> scripts/sample-client.py is the client of docs/PROTOCOL.md §14"
python3 - docs/PROTOCOL.md scripts/sample-client.py <<'PY' || fail "see above"
import sys
doc, script = sys.argv[1:]
text = open(doc, encoding="utf-8").read()
start = text.index("```python\n", text.index("\n## 14. ")) + len("```python\n")
end = text.index("\n```\n", start) + 1
if open(script, encoding="utf-8").read() != text[start:end]:
    sys.exit(f"{script} differs from the first Python block of {doc} §14; make them identical")
PY

echo "==> How the sample ends calls after GOAWAY (scripts/test-sample-client.py)"
python3 scripts/test-sample-client.py || fail "see above"

echo "==> ferryd with dev certificates and a reader token on 127.0.0.1"
deploy/certs/ferry-certs.sh dev "$T/certs" >"$T/certs.log" 2>&1 || { show "$T/certs.log"; fail "ferry-certs.sh dev failed"; }
TOKEN_OUT=$("$BIN/ferryctl" token create --role reader --name sample-client) || fail "ferryctl token create failed"
TOKEN=$(sed -n 's/^token: *//p' <<<"$TOKEN_OUT")
sed -n 's/^line: *//p' <<<"$TOKEN_OUT" >"$T/tokens"
[[ -n "$TOKEN" ]] && grep -q '^sha256:' "$T/tokens" || fail "unexpected 'ferryctl token create' output: $TOKEN_OUT"
"$BIN/ferryd" --listen 127.0.0.1:0 --tls-cert "$T/certs/server.pem" --tls-key "$T/certs/server.key" \
    --tls-ca "$T/certs/ca/ca.pem" --database-path "$T/ferry.db" --auth-tokens-file "$T/tokens" \
    >"$T/ferryd.log" 2>&1 &
FERRYD=$!
for _ in $(seq 150); do
    grep -qF "ferryd listening" "$T/ferryd.log" && break
    kill -0 "$FERRYD" 2>/dev/null || { show "$T/ferryd.log"; fail "ferryd exited before listening"; }
    sleep 0.1
done
line=$(grep -F "ferryd listening" "$T/ferryd.log") || { show "$T/ferryd.log"; fail "ferryd did not listen within 15 s"; }
PORT=$(sed -n 's/.*address=[^ ]*:\([0-9][0-9]*\) .*/\1/p' <<<"$line")
[[ -n "$PORT" ]] || { show "$T/ferryd.log"; fail "cannot find the port in: $line"; }

echo "==> python3 scripts/sample-client.py $PORT <ca> <token>"
python3 scripts/sample-client.py "$PORT" "$T/certs/ca/ca.pem" "$TOKEN" >"$T/sample.out" 2>&1 \
    || { show "$T/sample.out"; show "$T/ferryd.log"; fail "the sample client failed"; }
cat "$T/sample.out"
grep -qF -- "-> SERVING" "$T/sample.out" || fail "Health/Check did not answer SERVING"
grep -qF "ListStoragesResponse bytes:" "$T/sample.out" || fail "StorageService/ListStorages did not answer"

echo "==> Stopping ferryd"
kill -TERM "$FERRYD"
rc=0
wait "$FERRYD" || rc=$?
FERRYD=""
[[ $rc -eq 0 ]] || { show "$T/ferryd.log"; fail "ferryd exited with status $rc after SIGTERM (expected 0)"; }
echo "check-sample-client: OK"
