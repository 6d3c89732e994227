#!/usr/bin/env bash
# Installs vigil as two systemd units (vigil-watchdog.service, vigil-agent.service) that run
# this checkout. A thin wrapper: `vigil install` does the work and prints every step.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/install.sh [--root DIR] [--prefix DIR] [--user NAME] [--dry-run] [--force]

Creates the system group and user "vigil", writes and enables vigil-watchdog.service and
vigil-agent.service, the polkit rule that lets the watchdog manage the agent's unit, and
/etc/vigil/vigil.yaml (only when absent). On this host: run as root; needs systemd and polkit.
Running it again changes nothing. `vigil install --help` has the details.

Options:
  --root DIR     install into an image at DIR instead of this host (nothing is started)
  --prefix DIR   the built checkout the units run (default: this one)
  --user NAME    the service user (default vigil)
  --dry-run      print the steps, change nothing
  --force        install a checkout under /tmp or /var/tmp anyway (the units' PrivateTmp=yes
                 hides it from them: without --force this refuses)

Exit codes: 0 installed, 1 failed, 64 usage. Reverse it with scripts/uninstall.sh.
USAGE
}

# shellcheck source=scripts/run-vigil-command.sh
. "$(dirname "${BASH_SOURCE[0]}")/run-vigil-command.sh"
run_vigil_command install "$@"
