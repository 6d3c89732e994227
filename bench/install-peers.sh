#!/bin/sh
# Installs what the benchmark's peers need, when missing: supervisor, monit and tini from
# Debian, and PM2 from npm into PREFIX/pm2 (default /tmp/vigil-bench-peers). Idempotent.
# The benchmark runs its own instances of each; system services that this script installs
# are stopped (and disabled), so they neither load the machine nor get mistaken for the peers.
#
# Usage: bench/install-peers.sh [PREFIX]
# Exit codes: 0 everything is in place, 1 an install failed.
set -eu

prefix=${1:-/tmp/vigil-bench-peers}

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi

missing=""
command -v supervisord >/dev/null 2>&1 || missing="$missing supervisor"
[ -x /usr/bin/monit ] || missing="$missing monit"
[ -x /usr/bin/tini ] || missing="$missing tini"

if [ -n "$missing" ]; then
  echo "install-peers: apt-get install$missing" >&2
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends $missing >&2
  if [ -d /run/systemd/system ]; then
    for unit in supervisor monit; do
      case "$missing" in
        *"$unit"*) $sudo_cmd systemctl disable --now "$unit.service" >/dev/null 2>&1 || true ;;
      esac
    done
  fi
fi

if [ ! -x "$prefix/pm2/node_modules/.bin/pm2" ]; then
  echo "install-peers: npm install --prefix $prefix/pm2 pm2@latest" >&2
  mkdir -p "$prefix/pm2"
  npm install --prefix "$prefix/pm2" --no-audit --no-fund --loglevel=error pm2@latest >&2
fi

command -v supervisord >/dev/null 2>&1 && [ -x /usr/bin/monit ] && [ -x "$prefix/pm2/node_modules/.bin/pm2" ]
