#!/usr/bin/env bash
# One command for every benchmark: builds the release binary, installs the SageMaker SDK
# (the comparison for start-up) if missing, then runs bench/bench.py. Extra arguments go to it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
. scripts/env.sh
if ! python3 -c "import sagemaker.workflow.pipeline" >/dev/null 2>&1; then
    echo "==> pip install 'sagemaker<3' (the start-up comparison)" >&2
    python3 -m pip install --quiet --disable-pip-version-check 'sagemaker<3' || echo "could not install the SageMaker SDK; start-up runs without its comparison" >&2
fi
echo "==> swift build -c release" >&2
swift build -c release --product pipeops 2>&1 | tail -n 1 >&2
echo "==> scripts/release.sh + install.sh (the release artifact)" >&2
artifact_prefix="$(mktemp -d)"
trap 'rm -rf "$artifact_prefix"' EXIT
bash scripts/install.sh --prefix "$artifact_prefix" "$(bash scripts/release.sh | tail -n 1)" >&2
python3 bench/bench.py --bin "$(swift build -c release --show-bin-path)/pipeops" --artifact "$artifact_prefix/bin/pipeops" "$@"
python3 bench/lsp_latency.py --bin "$(swift build -c release --show-bin-path)/pipeops"
