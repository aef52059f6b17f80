#!/usr/bin/env bash
# Runs every test Ferry has: installs missing Debian packages, checks that the generated
# protobuf code matches Proto/, builds, runs the test suites, runs the Python sample client of
# docs/PROTOCOL.md against ferryd, checks deploy/, and leak-checks the message coding. Exits
# non-zero if anything fails. This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "==> Checking generated protobuf code is current"
scripts/check-protos.sh

echo "==> Building"
swift build --build-tests

echo "==> Running tests"
swift test --skip-build

echo "==> Running the Python sample client of docs/PROTOCOL.md §14 against ferryd"
FERRY_BIN="$(swift build --show-bin-path)" scripts/check-sample-client.sh

echo "==> Checking deploy/: example configurations and systemd units"
FERRY_BIN="$(swift build --show-bin-path)" scripts/check-deploy.sh

echo "==> Leak-checking message coding"
scripts/leak-check.sh --skip-build
