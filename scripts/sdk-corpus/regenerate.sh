#!/usr/bin/env bash
# Regenerates Tests/Fixtures/sdk/{v2,v3}/*.json with the real SageMaker Python SDK.
#
#   bash scripts/sdk-corpus/regenerate.sh            # both SDKs
#   bash scripts/sdk-corpus/regenerate.sh v2         # one of them
#
# Venvs with `sagemaker<3` and `sagemaker>=3` (and moto) are created once under
# ${PIPEOPS_CACHE:-~/.cache/pipeops}/venvs. Every AWS call the SDK makes while compiling (STS,
# S3 uploads of code=, source_dir and notebooks) goes to a moto_server on 127.0.0.1 with dummy
# credentials; telemetry is switched off through the SDK's defaults config. No network, no
# credentials. The SDK versions used are written to Tests/Fixtures/sdk/VERSIONS.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${PIPEOPS_CACHE:-$HOME/.cache/pipeops}"
which=("${@:-v2 v3}")
read -r -a which <<< "${which[*]}"

venv() { # NAME REQUIREMENT...
    local dir="$cache/venvs/$1"; shift
    if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -c "import sagemaker, moto" >/dev/null 2>&1; then
        echo "==> creating $dir ($*)" >&2
        python3 -m venv "$dir"
        "$dir/bin/pip" install --quiet >&2 --disable-pip-version-check "$@" 'moto[server]'
    fi
    echo "$dir"
}

work="$(mktemp -d)"
moto_pid=""
cleanup() { [ -n "$moto_pid" ] && kill -9 "$moto_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cat > "$work/sdk-config.yaml" <<'YAML'
SchemaVersion: '1.0'
SageMaker:
  PythonSDK:
    Modules:
      TelemetryOptOut: true
YAML

status=0
for major in "${which[@]}"; do
    case "$major" in
        v2) dir="$(venv sdk-v2 'sagemaker<3')" ;;
        v3) dir="$(venv sdk-v3 'sagemaker>=3')" ;;
        *) echo "regenerate.sh: unknown SDK '$major' (v2 or v3)" >&2; exit 2 ;;
    esac
    port="$("$dir/bin/python" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")"
    "$dir/bin/moto_server" -H 127.0.0.1 -p "$port" > "$work/moto-$major.log" 2>&1 &
    moto_pid=$!
    disown "$moto_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "http://127.0.0.1:$port/" && break
        sleep 0.1
    done
    out="$repo/Tests/Fixtures/sdk/$major"
    mkdir -p "$out"
    export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
        AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 SAGEMAKER_USER_CONFIG_OVERRIDE="$work/sdk-config.yaml" \
        SAGEMAKER_SUPPRESS_V2_WARNING=1 SAGEMAKER_VALIDATE_ROLE=false PYTHONPATH="$here" CORPUS_OUT="$out" PYTHONWARNINGS=ignore
    unset AWS_PROFILE AWS_SESSION_TOKEN
    "$dir/bin/python" -c "import boto3; boto3.client('s3').create_bucket(Bucket='pipeops-corpus')"
    version="$("$dir/bin/python" -c "from importlib.metadata import version; print(version('sagemaker'))")"
    echo "==> sagemaker $version" >&2
    for gen in "$here"/gen_*.py; do
        name="$(basename "$gen" .py)"
        # A generator says which SDKs it is for in its first line: "# sdk: v2 v3".
        head -n 1 "$gen" | grep -qw "$major" || continue
        echo "  $name" >&2
        if ! (cd "$work" && "$dir/bin/python" "$gen" > "$work/$name-$major.out" 2> "$work/$name-$major.err"); then
            echo "regenerate.sh: $name failed with sagemaker $version:" >&2
            tail -n 15 "$work/$name-$major.err" >&2
            status=1
        else
            grep '^  wrote' "$work/$name-$major.err" >&2 || true
        fi
    done
    kill -9 "$moto_pid" 2>/dev/null || true
    moto_pid=""
    printf '%s sagemaker==%s\n' "$major" "$version" > "$work/version-$major"
done

versions="$repo/Tests/Fixtures/sdk/VERSIONS"
touch "$versions"
for major in "${which[@]}"; do
    grep -v "^$major " "$versions" > "$work/versions" || true
    cat "$work/version-$major" >> "$work/versions" 2>/dev/null || true
    sort "$work/versions" > "$versions"
done
exit "$status"
