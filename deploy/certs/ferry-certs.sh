#!/usr/bin/env bash
# ferry-certs.sh — development/test PKI for Ferry (openssl CLI only).
#
#   ferry-certs.sh ca     DIR [--name NAME] [--force]
#   ferry-certs.sh server DIR --ca CADIR --name NAME [--san "DNS:localhost,IP:127.0.0.1"] [--force]
#   ferry-certs.sh client DIR --ca CADIR --name NAME [--role worker|admin|reader] [--force]
#   ferry-certs.sh dev    DIR [--force]
#
# Not for production: keys are unencrypted (mode 0600) and the CA key sits next to its cert.
set -euo pipefail
umask 077

PROG=${0##*/}

usage() {
  cat >&2 <<USAGE
usage:
  $PROG ca     DIR [--name NAME] [--force]
      -> DIR/ca.pem, DIR/ca.key (EC P-256, self-signed, 10 years)
  $PROG server DIR --ca CADIR --name NAME [--san SANS] [--force]
      -> DIR/NAME.pem, DIR/NAME.key (serverAuth, 825 days;
         SANS default "DNS:localhost,IP:127.0.0.1")
  $PROG client DIR --ca CADIR --name NAME [--role worker|admin|reader] [--force]
      -> DIR/NAME.pem, DIR/NAME.key (clientAuth, CN=NAME, OU=ROLE,
         SAN URI ferry://ROLE/NAME; role default worker)
  $PROG dev    DIR [--force]
      -> DIR/ca/{ca.pem,ca.key}, DIR/server.{pem,key} (localhost, 127.0.0.1, ::1),
         DIR/worker-1.{pem,key} (role worker), DIR/admin.{pem,key} (role admin).
         Existing files are kept unless --force.
USAGE
}

die() { echo "$PROG: error: $*" >&2; exit 1; }
usage_error() { echo "$PROG: $*" >&2; usage; exit 2; }

command -v openssl >/dev/null 2>&1 || die "openssl not found in PATH (OpenSSL 1.1.1 or 3.x required)"

# ---- helpers ---------------------------------------------------------------

# One scratch directory per run (created lazily by ensure_tmp in the main shell,
# never inside $(...), so the EXIT trap sees it and removes it).
T=""
cleanup() { if [[ -n "$T" ]]; then rm -rf -- "$T"; fi; }
trap cleanup EXIT
ensure_tmp() { if [[ -z "$T" ]]; then T=$(mktemp -d "${TMPDIR:-/tmp}/ferry-certs.XXXXXX"); fi; }

# Name must be usable as a file name and inside a URI path / DN.
check_name() {
  [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "invalid name '$1' (allowed: letters, digits, '.', '_', '-'; must not start with '.' or '-')"
}
# CA display name may contain spaces but no DN/config metacharacters.
check_ca_name() {
  [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9\ ._-]*$ ]] || die "invalid CA name '$1'"
}
check_san() {
  local san=$1 item; local -a items
  [[ -n "$san" ]] || die "--san must not be empty"
  [[ "$san" != *$'\n'* ]] || die "--san must not contain newlines"
  IFS=',' read -r -a items <<<"$san"
  for item in "${items[@]}"; do
    item=${item# }
    [[ "$item" =~ ^(DNS|IP|URI|email):[^[:space:]]+$ ]] || die "invalid SAN entry '$item' (expected DNS:name, IP:addr, URI:uri or email:addr)"
  done
}

new_key() { # $1 = key path (written 0600)
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null \
    || die "failed to generate EC P-256 key"
  chmod 600 "$1"
}

serial() { echo "0x$(openssl rand -hex 16 | sed 's/^./4/')"; }  # positive 128-bit

# returns 0 if all the given files exist
all_exist() { local f; for f in "$@"; do [[ -e "$f" ]] || return 1; done; return 0; }

# Existing leaf: keep it, but refuse silently keeping one the CA no longer signs
# (e.g. the CA was regenerated) or whose key does not match.
keep_leaf() { # $1 dir, $2 name
  local pem="$1/$2.pem" key="$1/$2.key" a b
  openssl verify -CAfile "$CA_PEM" "$pem" >/dev/null 2>&1 \
    || die "existing $pem is not signed by $CA_PEM (stale?); re-run with --force to reissue"
  a=$(openssl x509 -in "$pem" -noout -pubkey 2>/dev/null) || die "cannot read $pem"
  b=$(openssl pkey -in "$key" -pubout 2>/dev/null) || die "cannot read $key"
  [[ "$a" == "$b" ]] || die "$key does not match $pem; re-run with --force to reissue"
  echo "kept $pem (exists; use --force to replace)"
}

load_ca() { # $1 = CADIR ; sets CA_PEM CA_KEY
  CA_PEM="$1/ca.pem"; CA_KEY="$1/ca.key"
  [[ -r "$CA_PEM" ]] || die "CA certificate not found: $CA_PEM (create it with: $PROG ca $1)"
  [[ -r "$CA_KEY" ]] || die "CA key not found: $CA_KEY"
}

# Issue a leaf. $1 dir, $2 name, $3 subject, $4 extension config body (v3 section text)
issue_leaf() {
  local dir=$1 name=$2 subj=$3 ext=$4
  local key="$dir/$name.key" pem="$dir/$name.pem" t
  ensure_tmp; t=$T
  printf '[leaf]\n%s\n' "$ext" >"$t/$name.ext"
  new_key "$t/$name.key"
  openssl req -new -key "$t/$name.key" -subj "$subj" -out "$t/$name.csr" 2>"$t/err" \
    || { cat "$t/err" >&2; die "failed to create CSR for $name"; }
  openssl x509 -req -in "$t/$name.csr" -CA "$CA_PEM" -CAkey "$CA_KEY" \
    -set_serial "$(serial)" -days 825 -sha256 \
    -extfile "$t/$name.ext" -extensions leaf -out "$t/$name.pem" 2>"$t/err" \
    || { cat "$t/err" >&2; die "failed to sign certificate for $name"; }
  openssl verify -CAfile "$CA_PEM" "$t/$name.pem" >/dev/null 2>"$t/err" \
    || { cat "$t/err" >&2; die "issued certificate for $name does not verify against $CA_PEM"; }
  # Only now replace anything on disk, so a failure never leaves a key/cert mismatch.
  chmod 644 "$t/$name.pem"
  mv -f -- "$t/$name.key" "$key"
  mv -f -- "$t/$name.pem" "$pem"
  echo "wrote $pem, $key"
}

# ---- subcommands -----------------------------------------------------------

cmd_ca() { # DIR NAME FORCE
  local dir=$1 name=$2 force=$3 t
  check_ca_name "$name"
  mkdir -p -- "$dir"
  if [[ $force != 1 ]] && all_exist "$dir/ca.pem" "$dir/ca.key"; then
    echo "kept $dir/ca.pem (exists; use --force to replace)"; return 0
  fi
  if [[ $force != 1 ]] && { [[ -e "$dir/ca.pem" ]] || [[ -e "$dir/ca.key" ]]; }; then
    die "$dir contains only one of ca.pem/ca.key; remove it or use --force"
  fi
  ensure_tmp; t=$T
  cat >"$t/ca.cnf" <<CNF
[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
O = Ferry Dev
CN = $name
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
  new_key "$t/ca.key"
  openssl req -new -x509 -config "$t/ca.cnf" -key "$t/ca.key" -sha256 -days 3650 \
    -set_serial "$(serial)" -out "$t/ca.pem" 2>"$t/err" \
    || { cat "$t/err" >&2; die "failed to create CA certificate"; }
  chmod 644 "$t/ca.pem"
  mv -f -- "$t/ca.key" "$dir/ca.key"
  mv -f -- "$t/ca.pem" "$dir/ca.pem"
  echo "wrote $dir/ca.pem, $dir/ca.key"
}

cmd_server() { # DIR CADIR NAME SAN FORCE
  local dir=$1 cadir=$2 name=$3 san=$4 force=$5
  check_name "$name"; check_san "$san"; load_ca "$cadir"
  mkdir -p -- "$dir"
  if [[ $force != 1 ]] && all_exist "$dir/$name.pem" "$dir/$name.key"; then
    keep_leaf "$dir" "$name"; return 0
  fi
  issue_leaf "$dir" "$name" "/O=Ferry Dev/CN=$name" "basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $san
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer"
}

cmd_client() { # DIR CADIR NAME ROLE FORCE
  local dir=$1 cadir=$2 name=$3 role=$4 force=$5
  check_name "$name"; load_ca "$cadir"
  case "$role" in worker|admin|reader) ;; *) usage_error "invalid --role '$role' (worker, admin or reader)";; esac
  mkdir -p -- "$dir"
  if [[ $force != 1 ]] && all_exist "$dir/$name.pem" "$dir/$name.key"; then
    keep_leaf "$dir" "$name"; return 0
  fi
  issue_leaf "$dir" "$name" "/O=Ferry Dev/OU=$role/CN=$name" "basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = URI:ferry://$role/$name
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer"
}

cmd_dev() { # DIR FORCE
  local dir=$1 force=$2
  cmd_ca "$dir/ca" "Ferry Dev CA" "$force"
  cmd_server "$dir" "$dir/ca" server "DNS:localhost,IP:127.0.0.1,IP:::1" "$force"
  cmd_client "$dir" "$dir/ca" worker-1 worker "$force"
  cmd_client "$dir" "$dir/ca" admin admin "$force"
}

# ---- argument parsing ------------------------------------------------------

[[ $# -ge 1 ]] || usage_error "missing subcommand"
sub=$1; shift
case "$sub" in
  -h|--help|help) usage; exit 0;;
  ca|server|client|dev) ;;
  *) usage_error "unknown subcommand '$sub'";;
esac
[[ $# -ge 1 && $1 != --* ]] || usage_error "$sub: missing DIR"
DIR=$1; shift

NAME="" CADIR="" SAN="DNS:localhost,IP:127.0.0.1" ROLE="worker" FORCE=0
need_arg() { [[ $# -ge 2 && -n "$2" ]] || usage_error "$sub: option $1 needs a value"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --name) need_arg "$@"; NAME=$2; shift 2;;
    --ca)   need_arg "$@"; CADIR=$2; shift 2;;
    --san)  need_arg "$@"; SAN=$2; shift 2;;
    --role) need_arg "$@"; ROLE=$2; shift 2;;
    --force) FORCE=1; shift;;
    -h|--help) usage; exit 0;;
    *) usage_error "$sub: unexpected argument '$1'";;
  esac
done

allowed() { # check options valid for subcommand
  local opt
  for opt in "$@"; do
    case "$opt" in
      name) [[ -z "$NAME" ]] || usage_error "$sub: --name is not accepted";;
      ca)   [[ -z "$CADIR" ]] || usage_error "$sub: --ca is not accepted";;
      san)  [[ "$SAN" == "DNS:localhost,IP:127.0.0.1" ]] || usage_error "$sub: --san is not accepted";;
      role) [[ "$ROLE" == worker ]] || usage_error "$sub: --role is not accepted";;
    esac
  done
}

case "$sub" in
  ca)     allowed ca san role; cmd_ca "$DIR" "${NAME:-Ferry Dev CA}" "$FORCE";;
  server) allowed role
          [[ -n "$CADIR" ]] || usage_error "server: --ca CADIR is required"
          [[ -n "$NAME" ]]  || usage_error "server: --name NAME is required"
          cmd_server "$DIR" "$CADIR" "$NAME" "$SAN" "$FORCE";;
  client) allowed san
          [[ -n "$CADIR" ]] || usage_error "client: --ca CADIR is required"
          [[ -n "$NAME" ]]  || usage_error "client: --name NAME is required"
          cmd_client "$DIR" "$CADIR" "$NAME" "$ROLE" "$FORCE";;
  dev)    allowed name ca san role; cmd_dev "$DIR" "$FORCE";;
esac
