#!/usr/bin/env bash
# Installs what overcommit needs on a Debian host (as root), builds it, and puts `overcommit` on the PATH.
# Idempotent: a second run installs nothing new. Set OVERCOMMIT_SKIP_APT=1 to skip the Debian packages.
set -euo pipefail
cd "$(dirname "$0")/.."

# util-linux: mkswap, swapon, swapoff, fallocate. python3: the test helper that marks memory mergeable (madvise).
# procps: pgrep/ps for checks. kmod: modprobe zram where zram is a module.
DEBS=(util-linux python3 procps kmod ca-certificates)

if [ "${OVERCOMMIT_SKIP_APT:-0}" != 1 ]; then
  missing=()
  for p in "${DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

# zram: load the module where it is one (built-in kernels already have /sys/class/zram-control).
[ -e /sys/class/zram-control ] || modprobe zram 2>/dev/null || true

npm ci --no-audit --no-fund
npm run build
chmod +x dist/cli/main.js
ln -sf "$PWD/dist/cli/main.js" /usr/local/bin/overcommit
echo "overcommit installed: $(command -v overcommit)"
