#!/usr/bin/env bash
# Installs vigil as two systemd units (vigil-watchdog.service, vigil-agent.service) that run
# this checkout. A thin wrapper: `vigil install` does the work and prints every step.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="$root/packages/watchdog/dist/bin/vigil.js"

usage() {
  cat <<'USAGE'
Usage: scripts/install.sh [--root DIR] [--prefix DIR] [--user NAME] [--dry-run]

Creates the system group and user "vigil", writes and enables vigil-watchdog.service and
vigil-agent.service, the polkit rule that lets the watchdog manage the agent's unit, and
/etc/vigil/vigil.yaml (only when absent). On this host: run as root; needs systemd and polkit.
Running it again changes nothing. `vigil install --help` has the details.

Options:
  --root DIR     install into an image at DIR instead of this host (nothing is started)
  --prefix DIR   the built checkout the units run (default: this one)
  --user NAME    the service user (default vigil)
  --dry-run      print the steps, change nothing

Exit codes: 0 installed, 1 failed, 64 usage. Reverse it with scripts/uninstall.sh.
USAGE
}

for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
  esac
done
if [ ! -f "$cli" ]; then
  echo "install.sh: $cli is missing: build first (scripts/setup.sh, or pnpm install && pnpm build)" >&2
  exit 1
fi
node_bin="$(command -v node || true)"
if [ -z "$node_bin" ]; then
  echo "install.sh: node is not in PATH (sudo resets PATH: try sudo env \"PATH=\$PATH\" scripts/install.sh)" >&2
  exit 1
fi
exec "$node_bin" "$cli" install "$@"
