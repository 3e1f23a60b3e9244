#!/usr/bin/env bash
# bench/agent-side-by-side.sh: agents of different builds or node flags, run AT ONCE, each with its own COUNT fake QMP
# guests (test/fakes/qmp-guest.ts), their CPU compared window by window (schedstat of all their threads, % of one
# core). On a VM the solo figure of bench/agent-overhead.ts moves with the machine's own noise by more than most
# changes; agents run side by side share that noise. Run each variant twice, in swapped order (position matters too).
#   bash bench/agent-side-by-side.sh COUNT SECONDS WINDOW SKIP "BUILD_DIR|NODE FLAGS[|STATS PERIOD]" [...]
# (STATS PERIOD: the guests' statistics period in seconds, guests.libvirt.statsPeriodSeconds; default 2)
# e.g. git worktree add /tmp/old HEAD~1 && (cd /tmp/old && ln -s "$PWD/../main/node_modules" . && npx tsc -p tsconfig.build.json)
#   bash bench/agent-side-by-side.sh 100 300 30 150 "/tmp/old|--single-threaded" "$PWD|--single-threaded" \
#     "$PWD|--single-threaded" "/tmp/old|--single-threaded"
set -u
N=$1 T=$2 W=$3 SKIP=$4
shift 4
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PIDS=() NAMES=() DIRS=() FAKES=()
cleanup() {
  for p in "${PIDS[@]}" "${FAKES[@]}"; do kill "$p" 2>/dev/null; done
  sleep 0.5
  for d in "${DIRS[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT
for spec in "$@"; do
  IFS='|' read -r build flags period <<<"$spec"
  d=$(mktemp -d /tmp/ovc-side-XXXX) && DIRS+=("$d")
  args=()
  for i in $(seq 0 $((N - 1))); do args+=(-qmp "unix:$d/fake-$(printf %03d "$i").qmp,server=on"); done
  (cd "$ROOT" && exec -a qemu-system-x86_64 node --import tsx test/fakes/qmp-guest.ts "$N" "$d" "${args[@]}" >"$d/fake.out" 2>&1 </dev/null) &
  FAKES+=($!)
  until grep -q ready "$d/fake.out" 2>/dev/null; do sleep 0.2; done
  printf 'tickSeconds: 1\nguests:\n  qmpSockets: ["%s/*.qmp"]\n  libvirt:\n    statsPeriodSeconds: %s\nhttp:\n  port: 0\nlog:\n  level: warn\n' \
    "$d" "${period:-2}" >"$d/a.yaml"
  # shellcheck disable=SC2086 # the flags are words
  (cd "$build" && exec node $flags dist/cli/main.js --state-dir "$d/state" agent --config "$d/a.yaml" --dry-run >"$d/agent.log" 2>&1 </dev/null) &
  PIDS+=($!) NAMES+=("$spec")
done
cpu() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f", s}'; }
declare -A prev sum
for p in "${PIDS[@]}"; do prev[$p]=$(cpu "$p") sum[$p]=0; done
t=0 n=0
while [ "$t" -lt "$T" ]; do
  sleep "$W"
  t=$((t + W)) line="t=$t s"
  for p in "${PIDS[@]}"; do
    c=$(cpu "$p")
    [ "$c" = 0 ] && { echo "agent $p exited: see its agent.log" >&2; exit 1; }
    v=$(((c - prev[$p]) / (W * 100000))) # hundredths of a percent of one core
    prev[$p]=$c
    line="$line  $(printf '%d.%02d' $((v / 100)) $((v % 100)))"
    [ "$t" -gt "$SKIP" ] && sum[$p]=$((sum[$p] + v))
  done
  [ "$t" -gt "$SKIP" ] && n=$((n + 1))
  echo "$line"
done
i=0
for p in "${PIDS[@]}"; do
  m=$((sum[$p] / (n > 0 ? n : 1)))
  echo "mean after ${SKIP} s: $(printf '%d.%02d' $((m / 100)) $((m % 100))) % of one core  ${NAMES[$i]}"
  i=$((i + 1))
done
