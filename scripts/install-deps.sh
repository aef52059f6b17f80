#!/usr/bin/env bash
# Installs the Debian packages Ferry needs to build, test and run, if any are missing.
# Safe to re-run: it does nothing when everything is present.
set -euo pipefail

packages=(
    pkg-config          # SwiftPM finds OpenSSL and protobuf-c through it
    python3             # runs the Swift message generator in the protobuf check
    libssl-dev          # OpenSSL 3 headers and libraries (TLS)
    openssl             # the CLI that makes development certificates
    libprotobuf-c-dev   # protobuf-c runtime
    protobuf-c-compiler # protoc-c, to check that generated code is current
    libsqlite3-dev      # SQLite, the embedded state store
    valgrind            # leak check of the message coding
    binutils            # objcopy, used by the leak check
    systemd             # systemd-analyze, to verify the units in deploy/systemd
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "Installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
