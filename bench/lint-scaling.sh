#!/usr/bin/env bash
# Lint wall time for generated definitions of 100, 1,000 and 10,000 steps (chains and wide
# fans with Get references), next to Python's bare json.load of the same file. Median of 5.
# usage: bench/lint-scaling.sh [STEPS...]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000 10000)
work=bench/.work
mkdir -p "$work"

echo "==> swift build -c release" >&2
swift build -c release --product pipeops 2>&1 | tail -n 1 >&2
bin=$(swift build -c release --show-bin-path)/pipeops

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_ms() { # runs "$@" 5 times, prints the median wall time in ms
    for _ in 1 2 3 4 5; do
        local start end
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s%N)
        echo $(( (end - start) / 1000000 ))
    done | median
}

printf '%-6s %7s %9s %10s %12s %7s %9s\n' shape steps size lint_ms json_load_ms ratio ms/1k
for shape in chain fan; do
    for n in "${sizes[@]}"; do
        file="$work/$shape-$n.json"
        [ -f "$file" ] || python3 bench/gen_definition.py "$shape" "$n" "$file"
        bytes=$(stat -c %s "$file")
        lint=$(time_ms "$bin" lint "$file" --format json)
        py=$(time_ms python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$file")
        ratio=$(awk -v a="$lint" -v b="$py" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
        per=$(awk -v a="$lint" -v n="$n" 'BEGIN { printf "%.1f", a * 1000 / n }')
        printf '%-6s %7d %8.1fM %10d %12d %7s %9s\n' "$shape" "$n" "$(awk -v b="$bytes" 'BEGIN{print b/1048576}')" "$lint" "$py" "$ratio" "$per"
    done
done
