#!/usr/bin/env bash
# bench/agent-libvirt-down.sh SECONDS BUILD_DIR...: agents of these builds at once, each managing libvirt only
# (guests.libvirt.enabled, no QMP sockets, dry run) while libvirtd is NOT running, so every listing fails. Prints each
# agent's CPU over SECONDS after a 20 s start, with its reaped children (the virsh it starts), from /proc/PID/stat
# (utime + stime + cutime + cstime, 10 ms ticks: use 60 s or more).
#   systemctl stop libvirtd (or pkill -x libvirtd); npm run build
#   bash bench/agent-libvirt-down.sh 60 /tmp/old-build "$PWD"
set -u
T=$1
shift
if pgrep -x libvirtd >/dev/null; then
  echo "libvirtd is running: stop it first (this bench measures the agent while libvirt is down)" >&2
  exit 1
fi
PIDS=() DIRS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.5
  for d in "${DIRS[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT
for build in "$@"; do
  d=$(mktemp -d /tmp/ovc-lvdown-XXXX) && DIRS+=("$d")
  printf 'tickSeconds: 1\nguests:\n  libvirt:\n    enabled: true\nhttp:\n  port: 0\nlog:\n  level: error\n' >"$d/a.yaml"
  (cd "$build" && exec node --single-threaded --min-semi-space-size=8 dist/cli/main.js --state-dir "$d/state" \
    agent --config "$d/a.yaml" --dry-run >"$d/agent.log" 2>&1 </dev/null) &
  PIDS+=($!)
done
sleep 20
ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }
declare -A start
for p in "${PIDS[@]}"; do start[$p]=$(ticks "$p"); done
sleep "$T"
for p in "${PIDS[@]}"; do
  t=$(ticks "$p") # CLK_TCK is 100: ticks / seconds = % of one core
  echo "$(awk -v a="${start[$p]}" -v b="$t" -v s="$T" 'BEGIN {printf "%.2f", (b - a) / s}') % of one core with its children  $1"
  shift
done
