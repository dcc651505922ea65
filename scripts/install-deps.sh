#!/usr/bin/env bash
# Installs what pipeops needs and is missing on a Debian machine with the Swift toolchain:
# libgit2 headers from apt, and the Python test peers from pip. Safe to run repeatedly.
set -euo pipefail

log() { printf '==> %s\n' "$*" >&2; }

if ! command -v swift >/dev/null 2>&1; then
    echo "install-deps: the Swift toolchain (swift) is not on PATH; install Swift 6 first" >&2
    exit 2
fi

if ! pkg-config --exists libgit2 2>/dev/null || ! dpkg -s libgit2-dev >/dev/null 2>&1; then
    log "installing libgit2-dev and pkg-config (apt)"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libgit2-dev pkg-config >/dev/null
fi

# Python peers used by the tests: moto (SageMaker API), botocore (SigV4 reference signer),
# cfn-lint, check-jsonschema (GitHub workflow schema), zizmor, jsonschema (SARIF validator).
missing=()
for spec in "moto[server]:moto" "botocore:botocore" "cfn-lint:cfnlint" "check-jsonschema:check_jsonschema" "zizmor:" "jsonschema:jsonschema"; do
    package="${spec%%:*}"
    module="${spec##*:}"
    if [ -n "$module" ]; then
        python3 -c "import $module" >/dev/null 2>&1 || missing+=("$package")
    else
        command -v "$package" >/dev/null 2>&1 || missing+=("$package")
    fi
done
if ! python3 -c "import flask_cors" >/dev/null 2>&1; then missing+=("moto[server]"); fi
if [ ${#missing[@]} -gt 0 ]; then
    log "installing Python test peers: ${missing[*]} (pip)"
    python3 -m pip install --quiet --disable-pip-version-check "${missing[@]}"
fi
