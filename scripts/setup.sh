#!/usr/bin/env bash
# Prepares a checkout: gets the pinned pnpm (Node 20 and npm are all it needs), installs the
# locked dependencies and builds. Safe to run again; it is quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(node -p "require('./package.json').packageManager.split('@')[1]")
have=$(pnpm --version 2>/dev/null || true)
if [ "$have" != "$want" ]; then
  echo "setup: installing pnpm $want with npm (corepack is not used: its signature check can fail offline mirrors)" >&2
  if ! npm install --global --no-audit --no-fund "pnpm@$want" >/dev/null 2>&1; then
    # No write access to npm's global prefix: install into the user's own prefix instead.
    prefix="${XDG_DATA_HOME:-$HOME/.local/share}/vigil-pnpm"
    npm install --prefix "$prefix" --no-audit --no-fund "pnpm@$want" >/dev/null
    export PATH="$prefix/node_modules/.bin:$PATH"
    echo "setup: pnpm installed in $prefix/node_modules/.bin; add it to PATH to use 'pnpm' directly" >&2
  fi
  hash -r
fi

pnpm install --frozen-lockfile
pnpm build
echo "setup: done. Run the pair with 'pnpm exec vigil run', the tests with 'pnpm test'." >&2
