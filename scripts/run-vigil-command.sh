# Sourced by install.sh and uninstall.sh: shows the caller's usage for --help, checks that the
# checkout is built and node is on PATH, then runs `vigil <command>` with the arguments.
# Expects: usage() defined, and the command name as $1 to run_vigil_command.
run_vigil_command() {
  local command="$1" script="scripts/$1.sh"
  shift
  local root cli node_bin arg
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  cli="$root/packages/cli/dist/bin/vigil.js"
  for arg in "$@"; do
    case "$arg" in
      -h | --help) usage; exit 0 ;;
    esac
  done
  if [ ! -f "$cli" ]; then
    echo "$script: $cli is missing: build first (scripts/setup.sh, or pnpm install && pnpm build)" >&2
    exit 1
  fi
  node_bin="$(command -v node || true)"
  if [ -z "$node_bin" ]; then
    echo "$script: node is not in PATH (sudo resets PATH: try sudo env \"PATH=\$PATH\" $script)" >&2
    exit 1
  fi
  exec "$node_bin" "$cli" "$command" "$@"
}
