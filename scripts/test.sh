#!/usr/bin/env bash
# Installs what is missing, builds pipeops and runs every test. Prints a final
# "N passed, N failed" line; exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh || exit 2

echo "==> swift build" >&2
swift build 2>&1 | tail -n 3 || { echo "0 passed, 1 failed"; exit 1; }
if [ "${PIPESTATUS[0]}" -ne 0 ]; then echo "0 passed, 1 failed"; exit 1; fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "==> swift test" >&2
swift test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Swift Testing closes with "Test run with N tests in M suites passed|failed …"; a test that
# failed prints its own "✘ Test name() … failed" line.
total=$(grep -Eo 'Test run with [0-9]+ test' "$log" | tail -n 1 | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -E '^✘ Test [^r].*failed' "$log" | grep -vc 'Test run with' || true)
[ -n "$total" ] || total=0
passed=$((total - failed))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed} failed"
exit "$status"
