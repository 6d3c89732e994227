#!/usr/bin/env bash
# Reverses scripts/install.sh: a thin wrapper over `vigil uninstall`, which prints every step.
set -euo pipefail

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

# shellcheck source=scripts/run-vigil-command.sh
. "$(dirname "${BASH_SOURCE[0]}")/run-vigil-command.sh"
run_vigil_command uninstall "$@"
