#!/usr/bin/env bash
# Installs what pipeops needs and is missing on a Debian machine with the Swift toolchain:
# libgit2 (and libcurl for static release builds) from apt, and the Python test peers in a venv
# cached outside the repository (${PIPEOPS_CACHE:-~/.cache/pipeops}/venvs/test-peers), never in
# the system Python. Safe to run repeatedly: it installs only what is missing.
#
# Source scripts/env.sh afterwards to put the venv's tools (python3 with botocore and jsonschema,
# moto_server, cfn-lint, check-jsonschema, zizmor) first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

log() { printf '==> %s\n' "$*" >&2; }

if ! command -v swift >/dev/null 2>&1; then
    echo "install-deps: the Swift toolchain (swift) is not on PATH; install Swift 6 first" >&2
    exit 2
fi

missing_apt=()
dpkg -s libgit2-dev >/dev/null 2>&1 || missing_apt+=(libgit2-dev)
dpkg -s pkg-config >/dev/null 2>&1 || missing_apt+=(pkg-config)
dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || missing_apt+=(libcurl4-openssl-dev)
# The release build links libgit2 and its dependencies from their static archives (libssh2 needs libcrypto).
dpkg -s libssl-dev >/dev/null 2>&1 || missing_apt+=(libssl-dev)
dpkg -s libssh2-1-dev >/dev/null 2>&1 || missing_apt+=(libssh2-1-dev)
dpkg -s python3-venv >/dev/null 2>&1 || python3 -m venv --help >/dev/null 2>&1 || missing_apt+=(python3-venv)
if [ ${#missing_apt[@]} -gt 0 ]; then
    log "installing ${missing_apt[*]} (apt)"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing_apt[@]}" >/dev/null
fi

# The test peers: moto (SageMaker, S3 and STS APIs), botocore (the reference SigV4 signer),
# cfn-lint, check-jsonschema (the GitHub and GitLab CI schemas), zizmor, jsonschema (SARIF),
# pre-commit (validate-manifest and try-repo of .pre-commit-hooks.yaml).
peers=("moto[server]" botocore boto3 cfn-lint check-jsonschema zizmor jsonschema pre-commit)
if [ ! -x "$PIPEOPS_PEERS/bin/python3" ]; then
    log "creating the test-peer venv $PIPEOPS_PEERS"
    python3 -m venv "$PIPEOPS_PEERS"
fi
if ! "$PIPEOPS_PEERS/bin/python3" -c "import moto, flask_cors, botocore, boto3, cfnlint, check_jsonschema, jsonschema, pre_commit" >/dev/null 2>&1 \
    || [ ! -x "$PIPEOPS_PEERS/bin/zizmor" ] || [ ! -x "$PIPEOPS_PEERS/bin/moto_server" ]; then
    log "installing the Python test peers into $PIPEOPS_PEERS (pip)"
    "$PIPEOPS_PEERS/bin/pip" install --quiet --disable-pip-version-check "${peers[@]}"
fi

# The SageMaker Python SDK that Python-defined products are compiled with in the tests and the
# demo (pinned, as Tests/Fixtures/sdk/VERSIONS records): its own venv, never the system Python.
if [ ! -x "$PIPEOPS_SDK_V2/bin/python" ] || ! "$PIPEOPS_SDK_V2/bin/python" -c "import sagemaker" >/dev/null 2>&1; then
    log "installing the SageMaker Python SDK v2 into $PIPEOPS_SDK_V2 (pip)"
    python3 -m venv "$PIPEOPS_SDK_V2"
    "$PIPEOPS_SDK_V2/bin/pip" install --quiet --disable-pip-version-check 'sagemaker==2.257.7'
fi
# And v3 (a different package layout: sagemaker.mlops.workflow, sagemaker.core.workflow).
if [ ! -x "$PIPEOPS_SDK_V3/bin/python" ] || ! AWS_DEFAULT_REGION=us-east-1 "$PIPEOPS_SDK_V3/bin/python" -c "import sagemaker.mlops.workflow" >/dev/null 2>&1; then
    log "installing the SageMaker Python SDK v3 into $PIPEOPS_SDK_V3 (pip; a few minutes)"
    python3 -m venv "$PIPEOPS_SDK_V3"
    "$PIPEOPS_SDK_V3/bin/pip" install --quiet --disable-pip-version-check 'sagemaker==3.27.0'
fi
