#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for a number of seconds from the committed seed corpus.
#
#   scripts/fuzz.sh [SECONDS] [frames|messages|all]      (defaults: 60, all)
#
# frames   → FrameFuzzer:   FerryTransport's frame decoder and encoder (Fuzz/corpus/frames)
# messages → MessageFuzzer: FerryProto's protobuf decoding and encoding (Fuzz/corpus/messages)
#
# Each run starts from a fresh copy of the committed corpus in .build-fuzz/corpus/<target>; inputs
# libFuzzer finds go there, never into Fuzz/corpus. Crashes, leaks, timeouts and out-of-memory
# inputs go to fuzz-artifacts/ (git-ignored) with the full log. Exits non-zero if any target
# found something. See Fuzz/README.md.
#
# Environment: FUZZ_CONFIGURATION (release or debug; release is much faster), FUZZ_EXTRA_ARGS (more
# libFuzzer flags, e.g. -seed=1).
set -euo pipefail

cd "$(dirname "$0")/.."
seconds="${1:-60}"
which="${2:-all}"
configuration="${FUZZ_CONFIGURATION:-release}"
scratch=".build-fuzz"
artifacts="fuzz-artifacts"

case "$which" in
    frames) targets=(frames) ;;
    messages) targets=(messages) ;;
    all) targets=(frames messages) ;;
    *) echo "usage: $0 [SECONDS] [frames|messages|all]" >&2; exit 2 ;;
esac
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "SECONDS must be a whole number" >&2; exit 2; }

product_for() { [[ "$1" == frames ]] && echo FrameFuzzer || echo MessageFuzzer; }
max_len_for() { [[ "$1" == frames ]] && echo 70000 || echo 8192; }

# swiftc honours only the last -sanitize= flag, so SwiftPM's `--sanitize fuzzer --sanitize address`
# alone gives Swift code AddressSanitizer without coverage: the -Xswiftc flag, which comes last,
# turns both on for Swift; SwiftPM's flags cover the C targets and the link. -enable-testing lets
# the frame harness `@testable import FerryTransport` in a release build.
build() {
    FERRY_FUZZ=1 flock -o /tmp/ferry-build.lock \
        swift build --scratch-path "$scratch" -c "$configuration" --product "$1" \
        --sanitize fuzzer --sanitize address \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
}

for target in "${targets[@]}"; do
    echo "== building $(product_for "$target") ($configuration)"
    # The linker warns about every ASan helper symbol; keep the rest of the output.
    set +e
    build "$(product_for "$target")" 2>&1 | grep -v "warning: Cannot export local symbol '__asan"
    built="${PIPESTATUS[0]}"
    set -e
    [[ "$built" == 0 ]] || { echo "build of $(product_for "$target") failed" >&2; exit 1; }
done

mkdir -p "$artifacts"
if [[ -z "${ASAN_SYMBOLIZER_PATH:-}" ]] && command -v llvm-symbolizer > /dev/null; then
    export ASAN_SYMBOLIZER_PATH="$(command -v llvm-symbolizer)"
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"

status=0
summary=()
for target in "${targets[@]}"; do
    product="$(product_for "$target")"
    work="$scratch/corpus/$target"
    rm -rf "$work" && mkdir -p "$work" && cp Fuzz/corpus/"$target"/* "$work"/
    log="$artifacts/$target.log"
    before="$(ls "$artifacts" | grep -v '\.log$' | sort || true)"
    echo "== fuzzing $product for ${seconds}s from $(ls Fuzz/corpus/"$target" | wc -l) seeds (log: $log)"
    set +e
    # shellcheck disable=SC2086
    "$scratch/$configuration/$product" "$work" \
        -max_total_time="$seconds" -max_len="$(max_len_for "$target")" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
        ${FUZZ_EXTRA_ARGS:-} > "$log" 2>&1
    code=$?
    set -e
    new_artifacts="$(comm -13 <(echo "$before") <(ls "$artifacts" | grep -v '\.log$' | sort) || true)"
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
    rate="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
    last="$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' || true)"
    if [[ "$code" != 0 ]]; then
        status=1
        finding="FINDING (libFuzzer exit $code): ${new_artifacts:-no artifact written}"
        grep -m1 -E '^==[0-9]+==ERROR|Fatal error|SUMMARY|ALARM|out-of-memory' "$log" || true
    else
        finding="no findings"
    fi
    line="$target: ${execs:-?} executions, ${rate:-?} exec/s, ${last:-no stats}; $finding"
    echo "$line"
    summary+=("$line")
done

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$status"
