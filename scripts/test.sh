#!/usr/bin/env bash
# Runs every test Ferry has: installs missing Debian packages, checks that the generated
# protobuf code matches Proto/, builds, runs the test suites, runs the Python sample client of
# docs/PROTOCOL.md against ferryd, checks deploy/ (configurations, units, container, compose and
# Kubernetes files), and leak-checks the message coding. Exits non-zero if anything fails. This
# is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "==> Checking generated protobuf code is current"
scripts/check-protos.sh

echo "==> Building"
swift build --build-tests

echo "==> Running tests"
# The two suites that hold thousands of raw sockets in the test process run on their own, after
# the rest: Foundation's Process.run() has crashed spawning another suite's child meanwhile, and
# children spawned meanwhile inherit those sockets.
isolated='SilentConnectionMemoryTests|DescriptorExhaustionTests'
# At most this many tests run at once: the end-to-end suites each start ferryd, a worker and an
# object server, and with every suite started together two cores were so loaded that tests of
# deadlines and keepalives (which allow seconds, not milliseconds) saw handlers start too late.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${FERRY_TEST_PARALLELISM:-6}"
# Each run has a deadline (the main one takes 5 to 15 minutes here): a run that hangs fails with
# the tests that never ended and the test process's threads, instead of holding CI to its limit.
scripts/run-with-deadline.sh "${FERRY_TEST_DEADLINE_SECONDS:-2400}" -- swift test --skip-build --skip "$isolated"
scripts/run-with-deadline.sh 600 -- swift test --skip-build --filter SilentConnectionMemoryTests
scripts/run-with-deadline.sh 600 -- swift test --skip-build --filter DescriptorExhaustionTests

echo "==> Running the Python sample client of docs/PROTOCOL.md §14 against ferryd"
FERRY_BIN="$(swift build --show-bin-path)" scripts/check-sample-client.sh

echo "==> Checking deploy/: example configurations and systemd units"
FERRY_BIN="$(swift build --show-bin-path)" scripts/check-deploy.sh

echo "==> Checking deploy/: container build file, compose file and Kubernetes manifests"
FERRY_BIN="$(swift build --show-bin-path)" scripts/check-containers.sh

echo "==> Leak-checking message coding"
scripts/leak-check.sh --skip-build
