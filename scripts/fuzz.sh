#!/usr/bin/env bash
# Fuzzes one parser with libFuzzer: scripts/fuzz.sh TARGET SECONDS   (TARGET=all runs each in turn)
# Targets: json yaml lint expression jsonget duration manifest sigv4 artifacts.
# Builds Fuzz/pipeops-fuzz with -sanitize=fuzzer,address in .build-fuzz, seeds a corpus from the
# test fixtures (kept in .build-fuzz/corpus/TARGET, so later runs start where earlier ones
# stopped), and fails on any crash, sanitizer report, or input taking more than 1 s. A crashing
# input is kept as .build-fuzz/crashes/TARGET-*: add it to Tests/Fixtures/fuzz-regressions/.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(json yaml lint expression jsonget duration manifest sigv4 artifacts)
target=${1:-}
seconds=${2:-20}
if [ -z "$target" ] || { [ "$target" != all ] && [[ ! " ${targets[*]} " =~ " $target " ]]; }; then
    echo "usage: scripts/fuzz.sh TARGET|all SECONDS   (targets: ${targets[*]})" >&2
    exit 2
fi
echo "==> building the fuzz target (-sanitize=fuzzer,address; .build-fuzz)" >&2
PIPEOPS_FUZZ=1 swift build --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address --product pipeops-fuzz 2>&1 | tail -n 1 >&2
binary="$(PIPEOPS_FUZZ=1 swift build --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address --show-bin-path)/pipeops-fuzz"

seed() {  # seed corpus per target, from the repository's fixtures
    local name=$1 dir=.build-fuzz/corpus/$1
    mkdir -p "$dir"
    case $name in
        json|lint|expression|artifacts)
            find Tests/Fixtures Tests/Fixtures -name '*.json' -size -200k -exec cp {} "$dir/" \; ;;
        yaml|manifest)
            find templates Tests/Fixtures -name '*.yaml' -size -200k -exec sh -c 'cp "$1" "$2/$(echo "$1" | tr / _)"' _ {} "$dir" \; ;;
        jsonget)
            printf '%s' 'metrics.accuracy.value' > "$dir/a"; printf '%s' "ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" > "$dir/b"
            printf '%s' 'metrics.list[2].k' > "$dir/c"; printf '%s' 'Steps.S.PropertyFiles.R' > "$dir/d" ;;
        duration)
            for d in P30D PT1H P4DT12H T12H p30d 30d 5y T16m 30dT5h P1Y2M3W4DT5H6M7S; do printf '%s' "$d" > "$dir/$d"; done ;;
        sigv4)
            printf '%s' 'https://api.sagemaker.us-east-1.amazonaws.com/' > "$dir/a"; printf '%s' 'http://h/a/b/../c//d/./e?b=2&a=1' > "$dir/b"
            printf '%s' 'code/0d5b/with space/ü✓+~%.py' > "$dir/c" ;;
    esac
}

run() {
    local name=$1 deadline=$((SECONDS + seconds)) left
    seed "$name"
    mkdir -p .build-fuzz/crashes
    echo "==> fuzzing $name for ${seconds}s" >&2
    # libFuzzer stops at its first slow input. On a loaded machine a normal input can exceed 1 s
    # once, so a timeout counts only when the input is slow again each time it is run alone
    # (three tries); an input that is not is reported, discarded, and fuzzing resumes for the
    # time left.
    while left=$((deadline - SECONDS)); [ "$left" -gt 0 ]; do
        PIPEOPS_FUZZ_TARGET=$name "$binary" -max_total_time="$left" -timeout=1 -rss_limit_mb=2048 -max_len=65536 \
            -print_final_stats=1 -artifact_prefix=".build-fuzz/crashes/$name-" ".build-fuzz/corpus/$name" 2>&1 \
            | grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|.*Test unit written)' >&2 || true
        local resumed=0
        for slow in .build-fuzz/crashes/"$name"-timeout-*; do
            [ -e "$slow" ] || continue
            # Slow three times in a row alone, or it was the machine, not the input.
            if PIPEOPS_FUZZ_TARGET=$name "$binary" -timeout=1 -runs=1 "$slow" >/dev/null 2>&1 \
                || { sleep 2; PIPEOPS_FUZZ_TARGET=$name "$binary" -timeout=1 -runs=1 "$slow" >/dev/null 2>&1; } \
                || { sleep 5; PIPEOPS_FUZZ_TARGET=$name "$binary" -timeout=1 -runs=1 "$slow" >/dev/null 2>&1; }; then
                echo "fuzz: $name: $(basename "$slow") was slow only under load (under 1 s alone); discarded" >&2
                rm -f "$slow"
                resumed=1
            fi
        done
        [ "$resumed" -eq 1 ] || break
    done
    if ls .build-fuzz/crashes/"$name"-* >/dev/null 2>&1; then
        echo "fuzz: $name found a failing input: $(ls .build-fuzz/crashes/"$name"-* | head -n 3 | tr '\n' ' ')" >&2
        return 1
    fi
}

if [ "$target" = all ]; then
    failed=0
    for name in "${targets[@]}"; do run "$name" || failed=1; done
    exit $failed
fi
run "$target"
