#!/usr/bin/env bash
# Installs what is missing, checks formatting, builds pipeops and runs every test. Prints a final
# "N passed, N failed" line; exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh || exit 2
. scripts/env.sh

# Formatting is a check like any other: swift-format with the repository's .swift-format.
format_failed=0
echo "==> swift format lint" >&2
if ! swift format lint --strict --recursive --parallel --configuration .swift-format Sources Tests Fuzz Package.swift >&2; then
    echo "formatting differs from .swift-format: run 'swift format --in-place --recursive --configuration .swift-format Sources Tests Fuzz Package.swift'" >&2
    format_failed=1
fi

echo "==> swift build" >&2
swift build 2>&1 | tail -n 3
if [ "${PIPESTATUS[0]}" -ne 0 ]; then echo "0 passed, $((1 + format_failed)) failed"; exit 1; fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "==> swift test" >&2
swift test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Swift Testing closes with "Test run with N tests in M suites passed|failed …"; a test that
# failed prints its own "✘ Test name() … failed" line.
total=$(grep -Eo 'Test run with [0-9]+ test' "$log" | tail -n 1 | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -E '^✘ Test .* failed after' "$log" | grep -vc 'Test run with' || true)
[ -n "$total" ] || total=0
passed=$((total - failed))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
failed=$((failed + format_failed))

# The release artifact, checked as a user gets it (Tests/release/check-release.sh): each check
# counts as a test. PIPEOPS_SKIP_RELEASE=1 skips it for a quick local loop (CI never sets it).
release_status=0
if [ "${PIPEOPS_SKIP_RELEASE:-0}" != "1" ]; then
    echo "==> release artifact" >&2
    bash Tests/release/check-release.sh 2>&1 | tee -a "$log"
    release_status=${PIPESTATUS[0]}
    release_line=$(grep -E '^release: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -n "$release_line" ]; then
        passed=$((passed + $(echo "$release_line" | sed -E 's/release: ([0-9]+) passed.*/\1/')))
        failed=$((failed + $(echo "$release_line" | sed -E 's/.* ([0-9]+) failed/\1/')))
    elif [ "$release_status" -ne 0 ]; then
        failed=$((failed + 1))
    fi
fi

# A brief fuzz of every parser (scripts/fuzz.sh; each target counts as a test): no crash, no
# sanitizer report, no input over 1 s. PIPEOPS_FUZZ_SECONDS sets the time per target.
fuzz_failed=0
if [ "${PIPEOPS_SKIP_FUZZ:-0}" != "1" ]; then
    seconds=${PIPEOPS_FUZZ_SECONDS:-20}
    for target in json yaml lint expression jsonget duration manifest sigv4 artifacts; do
        if bash scripts/fuzz.sh "$target" "$seconds"; then
            passed=$((passed + 1))
        else
            echo "✘ fuzz $target failed" >&2
            failed=$((failed + 1))
            fuzz_failed=1
        fi
    done
fi
echo "${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$format_failed" -eq 0 ] && [ "$release_status" -eq 0 ] && [ "$fuzz_failed" -eq 0 ]
