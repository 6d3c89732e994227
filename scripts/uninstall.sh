#!/usr/bin/env bash
# Reverses scripts/install.sh: a thin wrapper over `vigil uninstall`, which prints every step.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="$root/packages/watchdog/dist/bin/vigil.js"

usage() {
  cat <<'USAGE'
Usage: scripts/uninstall.sh [--root DIR] [--purge] [--dry-run]

Stops and disables vigil-watchdog.service and vigil-agent.service, removes the unit files, the
polkit rule, and the user and group if the install added them. Keeps /etc/vigil and
/var/lib/vigil unless --purge. On this host: run as root.

Options:
  --root DIR   uninstall from an image at DIR instead of this host
  --purge      also remove /etc/vigil, /var/lib/vigil, /var/log/vigil and local drop-ins
  --dry-run    print the steps, change nothing

Exit codes: 0 uninstalled, 1 failed, 64 usage.
USAGE
}

for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
  esac
done
if [ ! -f "$cli" ]; then
  echo "uninstall.sh: $cli is missing: build first (scripts/setup.sh, or pnpm install && pnpm build)" >&2
  exit 1
fi
node_bin="$(command -v node || true)"
if [ -z "$node_bin" ]; then
  echo "uninstall.sh: node is not in PATH (sudo resets PATH: try sudo env \"PATH=\$PATH\" scripts/uninstall.sh)" >&2
  exit 1
fi
exec "$node_bin" "$cli" uninstall "$@"
