#!/usr/bin/env bash
# Usage: scripts/run-with-deadline.sh SECONDS -- COMMAND [ARGS...]
#
# Runs a test command with a deadline, so that a test run that hangs fails with a diagnosis
# instead of holding CI until its own limit. The command runs in a process group of its own with
# its output in a file that is streamed here as it grows (the children a test starts get process
# groups of their own, so the session is what holds them all); when the deadline passes, this prints
# the Swift Testing tests that started and never ended, every thread's backtrace of the test
# process (through gdb, when it can attach), and the processes still running, then kills the
# session and exits 124. Whatever the command leaves running (a server a test failed to stop) is
# killed when it ends. Otherwise exits with the command's status.
set -uo pipefail

if [ $# -lt 3 ] || [ "$2" != "--" ]; then
    echo "usage: $0 SECONDS -- COMMAND [ARGS...]" >&2
    exit 2
fi
limit=$1
shift 2

log=$(mktemp "${TMPDIR:-/tmp}/ferry-test-run.XXXXXX")
setsid "$@" >"$log" 2>&1 </dev/null &
pid=$!
tail -n +1 -f --pid="$pid" "$log" &
streamer=$!

# Tests (and parameterized cases) that have a start line in the log but no end line.
unfinished_tests() {
    python3 - "$log" <<'EOF'
import re, sys
started, ended = [], set()
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"Test (.+?) started\.$", line.rstrip())
    if m:
        started.append(m.group(1))
        continue
    m = re.search(r"Test (.+?) (?:passed|failed|skipped)", line)
    if m:
        ended.add(m.group(1))
for name in started:
    if name not in ended:
        print("  " + name)
EOF
}

diagnose() {
    echo
    echo "==> DEADLINE: '$*' still running after ${limit} s"
    echo "==> Tests started and not ended:"
    unfinished_tests
    echo "==> Processes still running:"
    ps -o pid,ppid,etime,time,rss,args --forest -s "$pid" 2>/dev/null || ps -ef --forest
    for test_process in $(pgrep -s "$pid" -f '\.xctest' 2>/dev/null); do
        echo "==> Threads of the test process $test_process:"
        timeout 120 gdb -p "$test_process" -batch -ex "thread apply all bt" 2>&1 \
            | grep -E '^(Thread|#)' | swift demangle --simplified | head -4000 \
            || echo "(gdb could not attach)"
    done
}

end=$((SECONDS + limit))
while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$end" ]; then
        kill -STOP "$streamer" 2>/dev/null
        diagnose "$@"
        pkill -KILL -s "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        kill -CONT "$streamer" 2>/dev/null
        kill "$streamer" 2>/dev/null
        rm -f "$log"
        exit 124
    fi
    sleep 2
done
wait "$pid"
status=$?
wait "$streamer" 2>/dev/null
pkill -KILL -s "$pid" 2>/dev/null
rm -f "$log"
exit "$status"
