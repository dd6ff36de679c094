#!/bin/sh
# tests/run.sh -- runs test binaries and ends with one summary line.
#
#   sh tests/run.sh build/test_world build/test_gen ... [--display build/test_render ...]
#
# Binaries after --display need a display: without one (no DISPLAY) they run
# under `xvfb-run -a` when it is installed, so their window cases run too.
# Each binary is a cmocka program; its "[  PASSED  ] N test(s)." and
# "[  FAILED  ] N test(s)" lines are summed. A binary that dies without a
# summary (a crash, a sanitizer report) counts as one failed test. The last
# line is "N passed, N failed"; the exit status is 0 only when nothing failed.
passed=0
failed=0
wrap=""
for t in "$@"; do
    if [ "$t" = "--display" ]; then
        [ -z "$DISPLAY" ] && command -v xvfb-run >/dev/null && wrap="xvfb-run -a"
        continue
    fi
    out=$($wrap "$t" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "run.sh: $t exited with status $rc without reporting a failed test"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
