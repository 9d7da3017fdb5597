#!/usr/bin/env bash
# Install the Tryton web client (sao, LTS series 8.0) into sao/package from
# the npm registry. trytond serves it through [web] root (TRYTOND_WEB__ROOT).
#
#   bash scripts/install_sao.sh        (or: make sao)
#
# Idempotent: does nothing when sao/package/.installed exists and sao's
# node_modules are in place. Fails loudly on any error.
set -euo pipefail

SAO_SPEC="${SAO_SPEC:-tryton-sao@8.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SAO_DIR="$ROOT/sao"
PKG="$SAO_DIR/package"

die() { echo "install_sao.sh: $*" >&2; exit 1; }

command -v npm >/dev/null 2>&1 \
    || die "npm not found (install Node.js: apt-get install -y nodejs npm)"

if [[ -f "$PKG/.installed" && -f "$PKG/index.html" \
        && -d "$PKG/node_modules" ]]; then
    echo "sao: already installed in sao/package ($(
        node -p "require('$PKG/package.json').version" 2>/dev/null || echo '?'))"
    touch "$PKG/.installed"   # newer than this script: make stays quiet
    exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "sao: fetching $SAO_SPEC from npm"
if ! tarball="$(cd "$tmp" \
        && npm pack --loglevel=error "$SAO_SPEC" 2>"$tmp/npm.log" \
        | tail -n 1)"; then
    cat "$tmp/npm.log" >&2
    die "npm pack $SAO_SPEC failed"
fi
[[ -n "$tarball" && -f "$tmp/$tarball" ]] \
    || die "npm pack $SAO_SPEC produced no tarball"

# Unpack beside the old copy, then swap, so a failure leaves no half tree.
mkdir -p "$tmp/unpack"
tar -xzf "$tmp/$tarball" -C "$tmp/unpack"
[[ -f "$tmp/unpack/package/index.html" ]] \
    || die "$tarball has no package/index.html"

echo "sao: installing its runtime libraries (npm install --omit=dev)"
if ! (cd "$tmp/unpack/package" \
        && npm install --omit=dev --legacy-peer-deps --no-audit --no-fund \
            --loglevel=error >"$tmp/npm.log" 2>&1); then
    cat "$tmp/npm.log" >&2
    die "npm install in sao/package failed"
fi
[[ -d "$tmp/unpack/package/node_modules" ]] \
    || die "npm install left no node_modules in sao/package"

mkdir -p "$SAO_DIR"
rm -rf "$PKG"
mv "$tmp/unpack/package" "$PKG"
touch "$PKG/.installed"
echo "sao: installed $(node -p "require('$PKG/package.json').version") in sao/package"
