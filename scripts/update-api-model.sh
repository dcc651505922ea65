#!/usr/bin/env bash
# Regenerates Sources/PipeOpsModel/Definition/ServiceShapes.generated.swift from the botocore pinned
# in scripts/api-model.txt, in a venv of its own (never the system Python, whose botocore is older
# than the SDK users have). Review the diff, commit it with the new pin.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
venv="$PIPEOPS_CACHE/venvs/api-model"
[ -x "$venv/bin/python3" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/api-model.txt
out=Sources/PipeOpsModel/Definition/ServiceShapes.generated.swift
"$venv/bin/python3" scripts/gen-shapes.py --swift > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out from botocore $("$venv/bin/python3" -c 'import botocore; print(botocore.__version__)')" >&2
