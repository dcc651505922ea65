# Sourced by the scripts: where pipeops keeps what it installs outside the repository, and a
# PATH on which the test-peer venv's tools come first.
export PIPEOPS_CACHE="${PIPEOPS_CACHE:-$HOME/.cache/pipeops}"
export PIPEOPS_PEERS="$PIPEOPS_CACHE/venvs/test-peers"
# The SDK venvs Python-defined products are compiled with in tests (created by install-deps.sh).
export PIPEOPS_SDK_V2="$PIPEOPS_CACHE/venvs/sdk-v2"
export PIPEOPS_SDK_V3="$PIPEOPS_CACHE/venvs/sdk-v3"
case ":$PATH:" in
    *":$PIPEOPS_PEERS/bin:"*) ;;
    *) export PATH="$PIPEOPS_PEERS/bin:$PATH" ;;
esac
