#!/bin/sh
# Installs stress-ng (Debian package) for the load benchmark, if it is missing.
# Needs root (or sudo) for apt-get; does nothing when stress-ng is already on PATH.
set -eu
if command -v stress-ng >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "test/load/install.sh: stress-ng is missing and there is no apt-get; install stress-ng by hand" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "test/load/install.sh: installing stress-ng" >&2
$SUDO apt-get install -y stress-ng || { $SUDO apt-get update && $SUDO apt-get install -y stress-ng; }
