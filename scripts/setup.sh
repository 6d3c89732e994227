#!/usr/bin/env bash
# Prepares a checkout: gets the pinned pnpm (Node 20 and npm are all it needs), installs the
# locked dependencies and builds. Safe to run again; it is quick when nothing changed.
# Nothing after it needs pnpm on PATH: `./vigil` runs the CLI and `npm test` the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 12) ? 0 : 1)' 2>/dev/null; then
  echo "setup: vigil needs Node.js 20.12 or later; this is $(node --version 2>/dev/null || echo 'no node in PATH')" >&2
  exit 1
fi

want=$(node -p "require('./package.json').packageManager.split('@')[1]")
# Where pnpm goes when npm's global folder is not writable (the usual case for a user).
prefix="${XDG_DATA_HOME:-$HOME/.local/share}/vigil-pnpm"
if [ -x "$prefix/node_modules/.bin/pnpm" ]; then export PATH="$prefix/node_modules/.bin:$PATH"; fi
have=$(pnpm --version 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  echo "setup: installing pnpm $want with npm (corepack is not used: its signature check can fail offline mirrors)" >&2
  if ! npm install --global --no-audit --no-fund "pnpm@$want" >/dev/null 2>&1; then
    npm install --prefix "$prefix" --no-audit --no-fund "pnpm@$want" >/dev/null
    export PATH="$prefix/node_modules/.bin:$PATH"
    echo "setup: pnpm installed in $prefix/node_modules/.bin (not on your PATH; nothing below needs it)" >&2
  fi
  hash -r
fi

pnpm install --frozen-lockfile
pnpm build
echo "setup: done. Run the pair with './vigil run', the tests with 'npm test'." >&2
