#!/usr/bin/env bash
# Proves that the protobuf coding in FerryProto leaks nothing: runs the FerryProtoTests (round
# trips, malformed input, and a stress test that repeats every success and failure path) under
# valgrind memcheck, and fails if
#   - any block is definitely or indirectly lost,
#   - any "possibly lost" block was allocated by FerryProto or protobuf-c, or
#   - memcheck reports any memory error (invalid read/write, use of uninitialised memory, ...).
# The exact figures are printed at the end.
#
# Usage: scripts/leak-check.sh [--skip-build] [FILTER]
#   FILTER   swift-testing filter (default: FerryProtoTests)
# Needs: valgrind and objcopy (apt-get install valgrind binutils), and a C compiler (cc, or the
# clang that comes with Swift).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

build=1
filter=FerryProtoTests
while [ $# -gt 0 ]; do
    case "$1" in
    --skip-build) build=0 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) filter="$1" ;;
    esac
    shift
done

fail() {
    echo "leak-check: $*" >&2
    exit 2
}
for tool in valgrind objcopy; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool not found (apt-get install valgrind binutils)"
done
# Any C compiler builds the shim; the Swift toolchain always brings clang.
compiler=${CC:-}
for candidate in cc clang; do
    [ -n "$compiler" ] && break
    command -v "$candidate" >/dev/null 2>&1 && compiler=$candidate
done
[ -n "$compiler" ] || fail "no C compiler found (set CC, or put the Swift toolchain's clang on PATH)"

if [ "$build" -eq 1 ]; then
    swift build --build-tests
fi
binary="$root/.build/debug/FerryPackageTests.xctest"
[ -x "$binary" ] || fail "$binary not found; run swift build --build-tests"

work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-leak-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

# valgrind 3.19 cannot read the DWARF 5 that Swift 6 emits ("unhandled dwarf2 abbrev form code
# 0x25", then it gives up), so run a copy without debug sections. The symbol table stays, so
# reports still name the functions.
objcopy --strip-debug "$binary" "$work/FerryPackageTests.xctest"
# See the comment in the shim: works around a valgrind 3.19 crash in sigsuspend().
"$compiler" -shared -fPIC -O2 -o "$work/sigsuspend-shim.so" "$root/scripts/valgrind/sigsuspend-shim.c"

log="$work/valgrind.log"
set +e
# SWIFT_BACKTRACE: the Swift runtime's crash backtracer is not needed under valgrind.
SWIFT_BACKTRACE=enable=no LD_PRELOAD="$work/sigsuspend-shim.so" valgrind \
    --tool=memcheck \
    --leak-check=full \
    --show-leak-kinds=definite,indirect,possible \
    --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=3 \
    --num-callers=40 \
    --suppressions="$root/scripts/valgrind/swift-runtime.supp" \
    --log-file="$log" \
    "$work/FerryPackageTests.xctest" --testing-library swift-testing --filter "$filter" >"$work/tests.log" 2>&1
status=$?
set -e

# "Possibly lost" blocks are normal for the Swift runtime: metadata and conformance caches live
# for the whole process and are referenced by interior pointers. Such a block counts as ours
# when, walking its allocation stack up from the allocator, a FerryProto or protobuf-c frame
# comes before any runtime-cache frame.
runtime='Metadata|Conformance|ConcurrentReadableHashMap|swift_getGeneric|swift_allocateGeneric'
runtime+='|swift_getTypeByMangled|swift_getAssociatedType|swift_getWitnessTable|__swift_instantiate'
ours=$(awk -v runtime="$runtime" '
    /are possibly lost in loss record/ { inside = 1; decided = 0; block = $0; next }
    inside && /^==[0-9]+== *$/ { if (decided == 1) print block; inside = 0; next }
    inside {
        block = block "\n" $0
        if (decided) next
        if ($0 ~ runtime) decided = 2
        else if ($0 ~ /FerryProto|protobuf_c|libprotobuf-c|ferry__v1/) decided = 1
    }' "$log")

echo "leak-check: tests: $(grep -E 'Test run with' "$work/tests.log" | sed 's/\x1b\[[0-9;]*m//g' | tail -n 1)"
echo "leak-check: valgrind summary:"
summary='total heap usage|in use at exit|definitely lost:|indirectly lost:|possibly lost:|still reachable:'
grep -E "$summary|suppressed:|ERROR SUMMARY" "$log" |
    sed 's/^==[0-9]*== */  /' | awk '!seen[$0]++'

if [ -n "$ours" ]; then
    echo "leak-check: FAILED: possibly-lost blocks allocated by FerryProto or protobuf-c:$ours" >&2
    exit 1
fi
if [ "$status" -ne 0 ]; then
    echo "leak-check: FAILED (exit status $status): the tests failed, or valgrind found leaks or memory errors." >&2
    echo "leak-check: test output and valgrind log follow." >&2
    grep -v -E '[✔◇↳] ' "$work/tests.log" >&2 || true
    cat "$log" >&2
    exit 1
fi
echo "leak-check: PASSED: no leaks and no memory errors."
