#!/usr/bin/env bash
# Install the WebAssembly MicroPython (npm) that the firmware tests run our scripts under.
# Idempotent: does nothing when the pinned version is already there.
set -euo pipefail
cd "$(dirname "$0")"
PKG="@micropython/micropython-webassembly-pyscript"
VERSION="1.27.0"
if [ -f "node_modules/$PKG/package.json" ] && \
   grep -q "\"version\": \"$VERSION\"" "node_modules/$PKG/package.json"; then
    exit 0
fi
command -v npm >/dev/null || { echo "npm is needed for the firmware tests (install Node.js 20)" >&2; exit 1; }
npm install --prefix . --no-audit --no-fund --silent "$PKG@$VERSION" >&2
