#!/usr/bin/env bash
# Checks the release artifact the way a user gets it: scripts/release.sh, then
# scripts/install.sh --prefix into an empty folder, then the installed binary alone.
#   - ldd lists no libswift*, no libFoundation* and no libgit2; the sandbox helper needs only libc
#   - under `env -i PATH=/usr/bin:/bin`, from a folder outside the repository, it prints its
#     version, finds its helper, scaffolds a product, lints it, runs it and renders it
#   - the tarball matches its .sha256, and a tampered tarball is refused by install.sh
#   - libgit2 is linked without its TLS set-up and Negotiate authentication (no GSSAPI), and
#     `version` still reads the commit
# Prints one line per check and a closing "release: N passed, N failed"; exits 1 on a failure.
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
passed=0
failed=0
check() { # NAME COMMAND...
    local name="$1"; shift
    if output=$("$@" 2>&1); then
        passed=$((passed + 1)); echo "✔ release: $name"
    else
        failed=$((failed + 1)); echo "✘ release: $name"; printf '%s\n' "$output" | tail -n 15 | sed 's/^/    /'
    fi
}

tarball=$(bash "$repo/scripts/release.sh" | tail -n 1)
if [ ! -f "$tarball" ]; then echo "✘ release: scripts/release.sh made no tarball"; echo "release: 0 passed, 1 failed"; exit 1; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
check "tarball matches its .sha256" bash -c "cd '$(dirname "$tarball")' && sha256sum --check --strict '$(basename "$tarball").sha256'"
check "install.sh --prefix installs binary and helper side by side" \
    bash -c "bash '$repo/scripts/install.sh' --prefix '$prefix' '$tarball' && test -x '$prefix/bin/pipeops' && test -x '$prefix/bin/pipeops-sandbox'"
check "completions and man page are installed" \
    test -s "$prefix/share/bash-completion/completions/pipeops" -a -s "$prefix/share/zsh/site-functions/_pipeops" \
    -a -s "$prefix/share/fish/vendor_completions.d/pipeops.fish" -a -s "$prefix/share/man/man1/pipeops.1"
check "ldd: no libswift, no libFoundation, no libgit2" \
    bash -c "out=\$(ldd '$prefix/bin/pipeops'); echo \"\$out\"; ! echo \"\$out\" | grep -Eq 'libswift|libFoundation|libgit2|not found'"
check "ldd: the sandbox helper links the C library alone" \
    bash -c "out=\$(ldd '$prefix/bin/pipeops-sandbox'); echo \"\$out\"; ! echo \"\$out\" | grep -v -E 'linux-vdso|libc\.so|ld-linux' | grep -q ."
cp "$tarball" "$work/tampered.tar.gz"
printf 'x' >> "$work/tampered.tar.gz"
cp "$tarball.sha256" "$work/tampered.tar.gz.sha256"
check "install.sh refuses a tarball that does not match its .sha256" \
    bash -c "! bash '$repo/scripts/install.sh' --prefix '$work/other' '$work/tampered.tar.gz' && test ! -e '$work/other/bin/pipeops'"

outside="$work/outside"
mkdir -p "$outside"
run() { (cd "$outside/churn" 2>/dev/null || cd "$outside"; env -i PATH=/usr/bin:/bin HOME="$work" "$prefix/bin/pipeops" "$@"); }
check "--version under env -i" bash -c "$(declare -f run); outside='$outside' prefix='$prefix' work='$work'; run --version | grep -q ."
check "doctor finds the helper beside the binary" bash -c "$(declare -f run); outside='$outside' prefix='$prefix' work='$work'; run doctor | grep -q 'sandbox helper  $prefix/bin/pipeops-sandbox'"
check "init scaffolds a product" bash -c "$(declare -f run); outside='$outside' prefix='$prefix' work='$work'; run init churn --name churn && test -f '$outside/churn/pipeops.yaml'"
check "lint of the scaffolded product is clean" bash -c "$(declare -f run); outside='$outside' prefix='$prefix' work='$work'; run lint"
check "run --env dev succeeds" bash -c "$(declare -f run); outside='$outside' prefix='$prefix' work='$work'; run run --env dev"
check "render --env prod" bash -c "$(declare -f run); outside='$outside' prefix='$prefix' work='$work'; run render --env prod | grep -q PipelineDefinition"
# libgit2 linked without its TLS set-up (scripts/libgit2-without-tls.c): none of the texts of its
# streams/mbedtls.c, the stand-in's refusal instead, and repositories still open and read.
check "libgit2 without TLS: no certificate loading linked, the stand-in is" \
    bash -c "! grep -aq 'failed to load CA certificates' '$prefix/bin/pipeops' && grep -aq 'pipeops links libgit2 without TLS' '$prefix/bin/pipeops'"
check "libgit2 without Negotiate: no GSSAPI or Kerberos library loaded, the stand-in linked" \
    bash -c "out=\$(ldd '$prefix/bin/pipeops'); ! echo \"\$out\" | grep -Eq 'gssapi|krb5|k5crypto' && grep -aq 'without Negotiate authentication' '$prefix/bin/pipeops'"
check "version reads the commit through libgit2" bash -c "$(declare -f run); outside='$outside' prefix='$prefix' work='$work'; \
    git -C '$outside/churn' init -q && git -C '$outside/churn' add -A && \
    git -C '$outside/churn' -c user.name=release -c user.email=release@example.com commit -qm churn && \
    run version | grep -q \"^commit *\$(git -C '$outside/churn' rev-parse HEAD)\""
echo "release: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
