#!/usr/bin/env bash
# `pnpm test:systemd`: vigil under a real, booted systemd (PID 1). Boots a Debian guest with
# systemd-nspawn --boot, installs this checkout in it with scripts/install.sh (no --root) and
# runs guest/checks.sh there, over two boots (the checks, then a reboot and the purge). Prints
# one TAP stream.
#
#   test/systemd/run.sh [--check] [--rebuild] [--keep]
#
#   --check    only say whether this machine can run it: exit 0, or 77 with the reason
#   --rebuild  build the guest tree again even when the cached one is current
#   --keep     keep the run's copy of the tree (WORK/run/rootfs) for a look afterwards
#
# The guest is built once (about a minute, ~50 MB of Debian packages) and cached in
# $VIGIL_SYSTEMD_WORK (default /var/tmp/vigil-systemd), never in the checkout; each run boots a
# throwaway copy. Isolation: guest root is an unprivileged host uid (--private-users=pick, with
# idmapped mounts), loopback-only network, the checkout mounted read-only at /opt/vigil. On a
# host without systemd as PID 1 the guest runs in a cgroup of its own per hierarchy, removed
# afterwards. Evidence: WORK/run/results/{main,boot}/ (one file per step, journals).
#
# Environment: VIGIL_SYSTEMD_WORK (the work dir), VIGIL_SYSTEMD_UNIFIED=1 (the guest on the pure
# cgroup v2 hierarchy instead of this host's layout), VIGIL_SYSTEMD_BOOT_TIMEOUT (s, per boot),
# VIGIL_DEBIAN_MIRROR (instead of this host's apt sources).
#
# Needs: Linux, root, node >= 20.12, a built checkout, debootstrap, and systemd-nspawn or apt to
# fetch it. Exit codes: 0 every check passed, 1 a check failed, 77 this machine cannot run it
# (the reason is printed), 64 usage.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHECKOUT="$(cd "$HERE/../.." && pwd)"
WORK="${VIGIL_SYSTEMD_WORK:-/var/tmp/vigil-systemd}"
BOOT_TIMEOUT="${VIGIL_SYSTEMD_BOOT_TIMEOUT:-900}"
CHECK_ONLY=0 REBUILD=0 KEEP=0
for arg in "$@"; do
  case "$arg" in
    --check) CHECK_ONLY=1 ;;
    --rebuild) REBUILD=1 ;;
    --keep) KEEP=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "test:systemd: unknown argument $arg (try --help)" >&2; exit 64 ;;
  esac
done

cannot() { echo "test:systemd: cannot run on this machine: $*"; exit 77; }

# ---- can this machine run it? ---------------------------------------------------------------
[ "$(uname -s)" = Linux ] || cannot "not Linux"
[ "$(id -u)" = 0 ] || cannot "needs root (debootstrap, nspawn, cgroups): sudo env PATH=\"\$PATH\" pnpm test:systemd"
command -v node >/dev/null || cannot "node is not on PATH"
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 12) ? 0 : 1)' ||
  cannot "node $(node --version) is older than 20.12"
[ -f "$CHECKOUT/packages/cli/dist/bin/vigil.js" ] || cannot "the checkout is not built (pnpm build)"
for tool in unshare flock dpkg-deb chroot; do command -v "$tool" >/dev/null || cannot "$tool is missing"; done
[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" -gt 0 ] ||
  cannot "user namespaces are disabled (user.max_user_namespaces=0): the guest's root must not be the host's"
[ -d /sys/fs/cgroup ] || cannot "no /sys/fs/cgroup"
cached=0
[ -x "$WORK/rootfs/usr/lib/systemd/systemd" ] && cached=1
if [ "$cached" = 0 ] || [ "$REBUILD" = 1 ]; then
  command -v debootstrap >/dev/null || cannot "debootstrap is missing (apt-get install debootstrap; .ci/system-packages does)"
  grep -qsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/* || [ -n "${VIGIL_DEBIAN_MIRROR:-}" ] ||
    cannot "no Debian mirror in /etc/apt to build the guest from (set VIGIL_DEBIAN_MIRROR)"
fi
if ! command -v systemd-nspawn >/dev/null && [ ! -x "$WORK/tools/nspawn/usr/bin/systemd-nspawn" ]; then
  command -v apt-get >/dev/null || cannot "no systemd-nspawn, and no apt-get to fetch it"
fi
if [ "$CHECK_ONLY" = 1 ]; then echo "test:systemd: this machine can run it (work dir $WORK)"; exit 0; fi

# The guest's config must be one the pair accepts, or nothing after the install means anything.
node "$CHECKOUT/packages/cli/dist/bin/vigil.js" config validate "$HERE/guest/vigil.yaml" >/dev/null ||
  { echo "test:systemd: test/systemd/guest/vigil.yaml is not a valid config (above)" >&2; exit 1; }

mkdir -p "$WORK"
exec 9>"$WORK/lock"
flock -n 9 || { echo "test:systemd: another run holds $WORK/lock" >&2; exit 1; }

# ---- the guest tree, rebuilt when its recipe or the host's node changed --------------------
key="$(sha256sum "$HERE/build-guest.sh" | cut -c1-16) node $(node --version)"
if [ "$REBUILD" = 1 ] || [ "$cached" = 0 ] || [ "$(cat "$WORK/rootfs.key" 2>/dev/null)" != "$key" ]; then
  bash "$HERE/build-guest.sh" "$WORK"
  echo "$key" > "$WORK/rootfs.key"
fi

# ---- one run: a throwaway copy of the tree, the checks, the results ------------------------
RUN="$WORK/run"
RESULTS="$RUN/results"
rm -rf "$RUN"
mkdir -p "$RESULTS/main" "$RESULTS/boot" "$RUN/rootfs"
CGROUPS=() CREATED=()
for d in /run/systemd/nspawn /run/systemd/nspawn-uid; do [ -e "$d" ] || CREATED+=("$d"); done
cleanup() {
  local cg
  # Depth first: the guest's systemd leaves its own cgroups below ours.
  for cg in "${CGROUPS[@]}"; do [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null; done
  [ "${#CREATED[@]}" -eq 0 ] || rm -rf "${CREATED[@]}"
  [ "$KEEP" = 1 ] || rm -rf "$RUN/rootfs"
  return 0
}
trap cleanup EXIT
cp -a --reflink=auto "$WORK/rootfs/." "$RUN/rootfs/"
# The checks are copied, so that editing them during a run cannot change what the guest reads.
cp -a "$HERE/guest" "$RUN/checks"
install -m 0644 "$HERE/guest/run-checks.service" "$RUN/rootfs/etc/systemd/system/run-checks.service"
ln -sf /etc/systemd/system/run-checks.service "$RUN/rootfs/etc/systemd/system/multi-user.target.wants/"

if command -v systemd-nspawn >/dev/null; then
  NSPAWN=(systemd-nspawn)
else
  # The archive's nspawn with the tree's own loader and libraries (the same systemd build).
  NSPAWN=("$WORK/rootfs/lib64/ld-linux-x86-64.so.2" --library-path
    "$WORK/rootfs/lib/x86_64-linux-gnu:$WORK/rootfs/usr/lib/x86_64-linux-gnu/systemd"
    "$WORK/tools/nspawn/usr/bin/systemd-nspawn")
fi
OWN_CGROUP=0
if [ ! -d /run/systemd/system ]; then
  # No systemd on the host to hand out a scope: a cgroup of our own in each hierarchy nspawn uses.
  OWN_CGROUP=1
  for h in /sys/fs/cgroup /sys/fs/cgroup/unified /sys/fs/cgroup/systemd; do
    case "$(stat -fc %T "$h" 2>/dev/null)" in
      cgroup2fs | cgroupfs) CGROUPS+=("$h/vigil-systemd-test-$$") ;;
    esac
  done
fi

boot() { # PHASE
  local args=(--quiet --boot --directory="$RUN/rootfs" --machine=vigil-guest
    --private-network --register=no --console=pipe
    --private-users=pick --private-users-ownership=auto
    --bind-ro="$CHECKOUT:/opt/vigil:idmap" --bind-ro="$RUN/checks:/checks:idmap"
    --bind="$RESULTS:/results:idmap")
  [ "$OWN_CGROUP" = 1 ] && args+=(--keep-unit)
  (
    if [ "$OWN_CGROUP" = 1 ]; then
      for cg in "${CGROUPS[@]}"; do mkdir -p "$cg" && echo "$BASHPID" > "$cg/cgroup.procs"; done
    fi
    [ "${VIGIL_SYSTEMD_UNIFIED:-0}" = 1 ] && export SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1
    exec timeout --kill-after=30 "$BOOT_TIMEOUT" "${NSPAWN[@]}" "${args[@]}"
  ) > "$RUN/console-$1.log" 2>&1
}

started=$(date +%s)
status=0
for phase in main boot; do
  if [ -e "$RESULTS/main/aborted" ]; then echo "test:systemd: no reboot: the main checks were cut short" >&2; break; fi
  t=$(date +%s)
  boot "$phase" || echo "test:systemd: the $phase boot ended with status $?" >&2
  if [ -f "$RESULTS/$phase/done" ]; then
    echo "test:systemd: $phase: $(cat "$RESULTS/$phase/done") failed, $(($(date +%s) - t)) s" >&2
    [ "$(cat "$RESULTS/$phase/done")" = 0 ] || status=1
  else
    echo "test:systemd: the $phase boot did not finish its checks; see $RUN/console-$phase.log" >&2
    status=1
    break
  fi
done

# One TAP stream from both boots: the guest writes unnumbered lines.
n=0
for phase in main boot; do
  [ -f "$RESULTS/$phase/tap.txt" ] || continue
  while IFS= read -r line; do
    case "$line" in
      "ok "* | "not ok "*) n=$((n + 1)); echo "${line/ok /ok $n }" ;;
      *) echo "$line" ;;
    esac
  done < "$RESULTS/$phase/tap.txt"
done
echo "1..$n"
[ "$n" -gt 0 ] || status=1
echo "test:systemd: $(($(date +%s) - started)) s; evidence in $RESULTS" >&2
exit $status
