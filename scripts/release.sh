#!/usr/bin/env bash
# Builds the release artifact:
#   dist/pipeops-<version>-linux-<arch>.tar.gz   bin/pipeops, bin/pipeops-sandbox, shell completions,
#                                                the man page, README.md, LICENSE
#   dist/pipeops-<version>-linux-<arch>.tar.gz.sha256
# The Swift runtime and Foundation are linked statically (--static-swift-stdlib) and libgit2 from
# its static archive, so the binary needs neither a Swift toolchain nor a libgit2 package: only
# the C library. The tarball is reproducible: sorted names, fixed times and owners.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
bash scripts/install-deps.sh
. scripts/env.sh

version=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/PipeOpsModel/Support/Version.swift)
arch=$(uname -m)
name="pipeops-$version-linux-$arch"
scratch="$repo/.build-release"

# libgit2 from its archive: a substitute libgit2.pc that the systemLibrary target reads.
libdir=$(pkg-config --variable=libdir libgit2)
pc=$(mktemp -d)
trap 'rm -rf "$pc"' EXIT
static_libs=""
for lib in git2 mbedtls mbedx509 mbedcrypto http_parser ssh2 crypto pcre2-8 z; do
    [ -f "$libdir/lib$lib.a" ] || { echo "release.sh: $libdir/lib$lib.a is missing (apt: the -dev package of $lib)" >&2; exit 2; }
    static_libs="$static_libs -l:lib$lib.a"
done
# libgit2's TLS set-up and Negotiate authentication left out (scripts/libgit2-without-tls.c says
# why): every reference to the four functions of the archive's streams/mbedtls.c member and to the
# one of transports/auth_negotiate.c goes to that file's, so those members are never taken (and
# with the second, neither is GSSAPI).
clang -O2 -fPIC -Wall -Werror $(pkg-config --cflags libgit2) -c scripts/libgit2-without-tls.c -o "$pc/libgit2-without-tls.o"
without_tls=(-Xlinker "$pc/libgit2-without-tls.o")
for function in git_mbedtls_stream_global_init git_mbedtls__set_cert_location git_mbedtls_stream_new git_mbedtls_stream_wrap \
    git_http_auth_negotiate; do
    without_tls+=(-Xlinker "--wrap=$function")
done
cat > "$pc/libgit2.pc" <<PC
libdir=$libdir
includedir=$(pkg-config --variable=includedir libgit2)
Name: libgit2
Description: libgit2 from its static archive (pipeops release build)
Version: $(pkg-config --modversion libgit2)
Libs: -L\${libdir}$static_libs -lrt -ldl -lpthread
Cflags: -I\${includedir}
PC
# The man page's plugin build links pipeops without the --wrap flags (the plugin cannot take
# linker flags), so it gets the GSSAPI library the Negotiate member calls; the binary shipped
# does not link that member and needs no such library.
mkdir -p "$pc/plugin"
sed 's|^Libs: .*|& -l:libgssapi_krb5.so.2|' "$pc/libgit2.pc" > "$pc/plugin/libgit2.pc"

# The man page first: argument-parser's plugin builds the package (dynamically) in the same
# scratch folder to run `pipeops --experimental-dump-help`; the static build below relinks over it.
echo "==> man page (swift-argument-parser's generate-manual plugin)" >&2
manual=$(mktemp -d)
if ! PKG_CONFIG_PATH="$pc/plugin" swift package --scratch-path "$scratch" plugin generate-manual --date 2026-01-01 \
    --output-directory "$manual" > "$pc/manual.log" 2>&1; then
    grep -E 'error' "$pc/manual.log" | head -n 10 >&2
    echo "release.sh: the generate-manual plugin failed (its errors above)" >&2
    exit 1
fi
tail -n 3 "$pc/manual.log" >&2
[ -s "$manual/pipeops.1" ] || { echo "release.sh: the generate-manual plugin wrote no pipeops.1" >&2; exit 1; }

echo "==> swift build -c release --static-swift-stdlib (libgit2 static)" >&2
PKG_CONFIG_PATH="$pc" swift build -c release --static-swift-stdlib --scratch-path "$scratch" "${without_tls[@]}" 2>&1 | tail -n 2 >&2
bin=$(PKG_CONFIG_PATH="$pc" swift build -c release --static-swift-stdlib --scratch-path "$scratch" "${without_tls[@]}" --show-bin-path)

# The sandbox helper is plain C: compiled on its own, it links the C library alone. SwiftPM links
# its executables with --static-swift-stdlib's runtime and libstdc++ (a 6 MB binary), which every
# step paid to load (2-3 ms a step, about what the step's own spawn costs).
clang -O2 -Wall -Werror -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE -pie -Wl,-z,relro -Wl,-z,now \
    -o "$pc/pipeops-sandbox" Sources/pipeops-sandbox/main.c

stage=$(mktemp -d)
root="$stage/$name"
mkdir -p "$root/bin" "$root/share/man/man1" "$root/share/bash-completion/completions" "$root/share/zsh/site-functions" \
    "$root/share/fish/vendor_completions.d" "$root/share/doc/pipeops"
install -m 0755 "$bin/pipeops" "$pc/pipeops-sandbox" "$root/bin/"
strip "$root/bin/pipeops" "$root/bin/pipeops-sandbox"
"$root/bin/pipeops" --generate-completion-script bash > "$root/share/bash-completion/completions/pipeops"
"$root/bin/pipeops" --generate-completion-script zsh > "$root/share/zsh/site-functions/_pipeops"
"$root/bin/pipeops" --generate-completion-script fish > "$root/share/fish/vendor_completions.d/pipeops.fish"


cp "$manual/pipeops.1" "$root/share/man/man1/pipeops.1"
rm -rf "$manual"
cp README.md LICENSE "$root/share/doc/pipeops/"
cp LICENSE "$root/"

mkdir -p dist
tarball="dist/$name.tar.gz"
tar --sort=name --mtime='2026-01-01 00:00:00Z' --owner=0 --group=0 --numeric-owner -C "$stage" -cf - "$name" | gzip -n -9 > "$tarball.tmp"
mv "$tarball.tmp" "$tarball"
(cd dist && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
rm -rf "$stage"
echo "$repo/$tarball"
