#!/usr/bin/env bash
# Installs what overcommit needs on a Debian host (as root), builds it, and puts `overcommit` on the PATH.
# Idempotent: a second run installs nothing new. Set OVERCOMMIT_SKIP_APT=1 to skip the Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# util-linux: mkswap, swapon, swapoff, fallocate. python3: the test helper that marks memory mergeable (madvise).
# procps: pgrep/ps for checks. kmod: modprobe zram where zram is a module. qemu-system-x86: the guests.
# dpkg + tar unpack the guest packages (fetched with apt-get download into /var/cache/overcommit, never installed),
# xz extracts the guest kernel for PVH boot. memcached: the load generator's tests run their own on loopback (the
# package's service is stopped); libmemcached-tools: memcaslap, the peer in bench/loadgen. chromium: the tests open
# report.html in it (through npm playwright-core, which drives the Debian browser and downloads none). iperf3: the
# host side of the lab's network test (the guest side comes from the guest image). squashfs-tools: mksquashfs packs
# the guest's fio layer into a read-only disk image. libvirt-daemon-system + libvirt-clients: the agent drives libvirt
# domains through virsh (its host test starts libvirtd itself where systemd does not). prometheus: the agent's host
# test has a real Prometheus scrape it.
DEBS=(util-linux python3 procps kmod ca-certificates qemu-system-x86 dpkg tar xz-utils memcached libmemcached-tools chromium iperf3 squashfs-tools libvirt-daemon-system libvirt-clients prometheus)

if [ "${OVERCOMMIT_SKIP_APT:-0}" != 1 ]; then
  missing=()
  for p in "${DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  # The guest image builder reads the package lists (apt-cache), so they must exist even when nothing is missing.
  lists=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' 2>/dev/null | head -n 1)
  if [ ${#missing[@]} -gt 0 ] || [ -z "$lists" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
  # Debian starts memcached (and prometheus) as services on install: the tests run their own, on free ports.
  if pgrep -u memcache -x memcached >/dev/null 2>&1; then
    (systemctl disable --now memcached || service memcached stop || /etc/init.d/memcached stop) >/dev/null 2>&1 || true
  fi
  if pgrep -u prometheus -x prometheus >/dev/null 2>&1; then
    (systemctl disable --now prometheus || service prometheus stop || /etc/init.d/prometheus stop) >/dev/null 2>&1 || true
  fi
fi

# zram: load the module where it is one (built-in kernels already have /sys/class/zram-control).
[ -e /sys/class/zram-control ] || modprobe zram 2>/dev/null || true

npm ci --no-audit --no-fund
npm run build
chmod +x dist/cli/main.js
ln -sf "$PWD/dist/cli/main.js" /usr/local/bin/overcommit
echo "overcommit installed: $(command -v overcommit)"
