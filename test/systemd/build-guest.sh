#!/usr/bin/env bash
# Builds the guest tree for test/systemd/run.sh: Debian bookworm (minbase) with systemd as its
# init, dbus and polkitd, and this host's node as /usr/bin/node (Debian's is too old). Also
# fetches systemd-nspawn when the host has none: the systemd-container .deb of the guest's own
# systemd version, unpacked (never installed: that would upgrade the host's systemd packages).
#
#   test/systemd/build-guest.sh WORK
#
# Writes WORK/rootfs (swapped in whole at the end), WORK/debcache (the .debs, so a rebuild needs
# no download) and WORK/tools/nspawn. The Debian mirror is the one this host's apt uses, read
# now; it is never written into any file here or in the tree. Needs root and debootstrap.
set -euo pipefail
WORK="${1:?usage: build-guest.sh WORK}"
SUITE=bookworm
PACKAGES=systemd,systemd-sysv,libpam-systemd,dbus,polkitd,libstdc++6,procps,util-linux,passwd,iproute2

# The first non-security Debian archive in this host's apt sources (deb822 or one-line format).
mirror() {
  if [ -n "${VIGIL_DEBIAN_MIRROR:-}" ]; then echo "$VIGIL_DEBIAN_MIRROR"; return; fi
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) { print $i; exit } }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  return 1
}
MIRROR=$(mirror) || { echo "build-guest: no Debian mirror in /etc/apt (set VIGIL_DEBIAN_MIRROR)" >&2; exit 1; }
MIRROR_HOST=$(printf '%s\n' "$MIRROR" | sed -E 's#^[a-z]+://([^/]+).*#\1#')
# Output that may name the mirror is shown with it masked, and kept nowhere.
mask() { awk -v a="$MIRROR" -v b="$MIRROR_HOST" '{
  while ((i = index($0, a)) > 0) $0 = substr($0, 1, i - 1) "<mirror>" substr($0, i + length(a))
  while (b != "" && (i = index($0, b)) > 0) $0 = substr($0, 1, i - 1) "<mirror>" substr($0, i + length(b))
  print }'; }

NODE=$(readlink -f "$(command -v node)")
NEW="$WORK/rootfs.new"
rm -rf "$NEW"
mkdir -p "$WORK/debcache" "$WORK/tools"
started=$(date +%s)

echo "build-guest: debootstrap $SUITE ($PACKAGES)" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# A private mount namespace: no mount debootstrap makes can outlive it.
if ! unshare --mount --propagation private \
  debootstrap --variant=minbase --cache-dir="$WORK/debcache" --include="$PACKAGES" \
  "$SUITE" "$NEW" "$MIRROR" >"$log" 2>&1; then
  tail -25 "$log" | mask >&2
  echo "build-guest: debootstrap failed (output above)" >&2
  exit 1
fi

# Identity: a fresh machine id each boot, no getty, no timers that only add journal noise.
echo vigil-guest > "$NEW/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 vigil-guest\n' > "$NEW/etc/hosts"
: > "$NEW/etc/machine-id"
for unit in getty@.service serial-getty@.service console-getty.service \
  apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer; do
  ln -sf /dev/null "$NEW/etc/systemd/system/$unit"
done
install -m 0755 "$NODE" "$NEW/usr/bin/node"
mkdir -p "$NEW/opt/vigil" "$NEW/checks" "$NEW/results"

# The guest has no network and needs no archive; nothing in it may name the mirror.
echo "# emptied by test/systemd/build-guest.sh: the guest has no network" > "$NEW/etc/apt/sources.list"
rm -rf "$NEW"/etc/apt/sources.list.d/* "$NEW"/var/lib/apt/lists/* "$NEW"/var/cache/apt/*.bin
rm -f "$NEW/var/log/bootstrap.log"
if grep -rlsF "$MIRROR_HOST" "$NEW/etc" "$NEW/var" >"$log"; then
  echo "build-guest: removing $(wc -l <"$log") more file(s) that name the mirror" >&2
  xargs -r -d '\n' rm -f <"$log"
fi

# systemd-nspawn for a host without one, run later with the tree's own loader and libraries.
if ! command -v systemd-nspawn >/dev/null && [ ! -x "$WORK/tools/nspawn/usr/bin/systemd-nspawn" ]; then
  version=$(chroot "$NEW" dpkg-query -W -f '${Version}' systemd)
  echo "build-guest: fetching systemd-container $version (unpacked, not installed)" >&2
  (
    cd "$WORK/tools"
    rm -rf nspawn systemd-container_*.deb
    apt-get download "systemd-container=$version" 2>&1 | mask >&2
    dpkg-deb -x systemd-container_*.deb nspawn
    rm -f systemd-container_*.deb
  )
fi

rm -rf "$WORK/rootfs"
mv "$NEW" "$WORK/rootfs"
echo "build-guest: done in $(($(date +%s) - started)) s ($(du -sh "$WORK/rootfs" | cut -f1))" >&2
