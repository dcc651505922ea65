#!/usr/bin/env bash
# Installs a pipeops release tarball:
#   bash scripts/install.sh [--prefix DIR] [TARBALL]
# TARBALL defaults to the newest dist/pipeops-*-linux-<arch>.tar.gz (scripts/release.sh makes it).
# When TARBALL.sha256 is beside it, the checksum must match. The binary and its sandbox helper go
# side by side in PREFIX/bin (default /usr/local); completions and the man page where bash, zsh,
# fish and man look for them under PREFIX/share.
set -euo pipefail
prefix=/usr/local
tarball=""
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) tarball="$1"; shift ;;
    esac
done
if [ -z "$tarball" ]; then
    here="$(cd "$(dirname "$0")/.." && pwd)"
    tarball=$(ls -t "$here"/dist/pipeops-*-linux-"$(uname -m)".tar.gz 2>/dev/null | head -n 1 || true)
    [ -n "$tarball" ] || { echo "install.sh: no release tarball in dist/; run scripts/release.sh or name one" >&2; exit 2; }
fi
[ -f "$tarball" ] || { echo "install.sh: $tarball: no such file" >&2; exit 2; }
if [ -f "$tarball.sha256" ]; then
    expected=$(cut -d' ' -f1 < "$tarball.sha256")
    actual=$(sha256sum "$tarball" | cut -d' ' -f1)
    [ "$expected" = "$actual" ] || { echo "install.sh: $tarball does not match its .sha256 ($actual, expected $expected); nothing installed" >&2; exit 1; }
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
root=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'pipeops-*' | head -n 1)
[ -x "$root/bin/pipeops" ] || { echo "install.sh: $tarball holds no bin/pipeops" >&2; exit 1; }
mkdir -p "$prefix/bin"
# Side by side: pipeops finds its helper next to itself. Each file lands by rename, never half-written.
for file in pipeops-sandbox pipeops; do
    install -m 0755 "$root/bin/$file" "$prefix/bin/.$file.new"
    mv -f "$prefix/bin/.$file.new" "$prefix/bin/$file"
done
(cd "$root/share" && find . -type f) | while read -r file; do
    mkdir -p "$prefix/share/$(dirname "$file")"
    install -m 0644 "$root/share/$file" "$prefix/share/$file"
done
echo "installed $("$prefix/bin/pipeops" --version) in $prefix/bin"
