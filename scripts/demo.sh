#!/usr/bin/env bash
# The main job: installs what is missing, builds pipeops (release) and walks through what it
# does on real SageMaker SDK output and on a pipeline with mistakes in it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

echo "==> swift build -c release" >&2
swift build -c release --product pipeops 2>&1 | tail -n 1 >&2
bin="$(swift build -c release --show-bin-path)/pipeops"
shared="$(cd .. && pwd)/shared"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }; else step() { printf '\n== %s\n' "$*"; }; fi

step "pipeops $("$bin" --version): lint real SageMaker SDK output (must be clean)"
for file in "$shared"/examples/*.sdk.json; do
    "$bin" lint "$file" --property-sample EvaluationReport="$shared/examples/abalone-evaluation.sample.json"
done

step "the dependency graph of the abalone pipeline (Mermaid)"
"$bin" graph "$shared/examples/abalone.sdk.json"

step "a definition with the mistakes that usually reach CreatePipeline"
sed -e 's/regression_metrics.mse.value/regression_metrics.mse/' \
    -e 's/"Parameters.MseThreshold"/"Parameters.MseTreshold"/' \
    -e 's/ModelArtifacts.S3ModelArtifacts/ModelArtifacts.S3ModelArtifact/' \
    "$shared/examples/abalone.sdk.json" > "$work/abalone-broken.json"
"$bin" lint "$work/abalone-broken.json" --property-sample EvaluationReport="$shared/examples/abalone-evaluation.sample.json" || echo "(exit $? — CI fails here, before anything is uploaded)"

step "the same findings as GitHub annotations and SARIF"
"$bin" lint "$work/abalone-broken.json" --format github || true
"$bin" lint "$work/abalone-broken.json" --format sarif > "$work/lint.sarif" || true
python3 "$shared/tools/validate-sarif" "$work/lint.sarif"

step "rules pipeops knows ($("$bin" rules --format json | grep -c '"id"'))"
"$bin" rules | head -n 12
echo "…  (pipeops rules --format markdown for the full documentation)"
