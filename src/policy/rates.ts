/**
 * Figures the policies derive from one or two observations: per-second rates of cumulative counters, the host's
 * headroom and its memory stall. Pure.
 *
 * Units: the host's pswpin/pswpout are pages (/proc/vmstat). The virtio-balloon guest statistics stat-swap-in and
 * stat-swap-out are BYTES: Linux's driver reports `pages_to_bytes(events[PSWPIN])` (drivers/virtio/virtio_balloon.c);
 * stat-major-faults is a count of faults.
 */
import type { GuestObservation, Observation } from '../observe/observation.js';

/** Seconds between two observations, or undefined when there is no previous one or time did not move forward. */
export function elapsedSeconds(obs: Observation, prev: Observation | undefined): number | undefined {
  if (!prev) return undefined;
  const dt = (obs.t - prev.t) / 1000;
  return dt > 0 ? dt : undefined;
}

/**
 * The rate of a cumulative counter. undefined when either value is missing, no time passed, or the counter went
 * backwards (a guest rebooted, a counter wrapped): a reset is not a negative rate.
 */
export function counterRate(
  cur: number | undefined,
  before: number | undefined,
  seconds: number | undefined,
): number | undefined {
  if (cur === undefined || before === undefined || seconds === undefined) return undefined;
  if (cur < before) return undefined;
  return (cur - before) / seconds;
}

/** Host swap-ins, pages per second (/proc/vmstat pswpin). */
export function hostSwapInPagesPerSecond(obs: Observation, prev: Observation | undefined): number | undefined {
  return counterRate(obs.host.pswpin, prev?.host.pswpin, elapsedSeconds(obs, prev));
}

/** Host swap-outs, pages per second (/proc/vmstat pswpout). */
export function hostSwapOutPagesPerSecond(obs: Observation, prev: Observation | undefined): number | undefined {
  return counterRate(obs.host.pswpout, prev?.host.pswpout, elapsedSeconds(obs, prev));
}

/** The guest of this name in an observation. */
export function findGuest(obs: Observation | undefined, name: string): GuestObservation | undefined {
  return obs?.guests.find((g) => g.name === name);
}

/**
 * Seconds between the reports behind a guest's statistics in two observations. A guest reports once per stats
 * period (2 s by default), which may be longer than the tick: an observation may carry the same report as the one
 * before it (undefined: nothing new to take a rate over), and the next one then carries two ticks' worth of counts,
 * which over the observations' 1 s would read as twice the real rate. So the rate is taken over the reports' own
 * clock (QEMU's last-update, whole seconds), and over the observations' only when either report has no time.
 */
export function statsElapsedSeconds(
  cur: GuestObservation | undefined,
  before: GuestObservation | undefined,
  obs: Observation,
  prev: Observation | undefined,
): number | undefined {
  if (cur?.statsAt === undefined || before?.statsAt === undefined) return elapsedSeconds(obs, prev);
  const dt = cur.statsAt - before.statsAt;
  return dt > 0 ? dt : undefined;
}

function guestCounterRate(
  obs: Observation,
  prev: Observation | undefined,
  name: string,
  counter: 'majorFaults' | 'swapIn' | 'swapOut',
): number | undefined {
  const cur = findGuest(obs, name);
  const before = findGuest(prev, name);
  return counterRate(cur?.stats?.[counter], before?.stats?.[counter], statsElapsedSeconds(cur, before, obs, prev));
}

/** A guest's major page faults per second, from the virtio-balloon statistics. */
export function guestMajorFaultsPerSecond(
  obs: Observation,
  prev: Observation | undefined,
  name: string,
): number | undefined {
  return guestCounterRate(obs, prev, name, 'majorFaults');
}

/** A guest's swap-ins in bytes per second (stat-swap-in is in bytes; see the file comment). */
export function guestSwapInBytesPerSecond(
  obs: Observation,
  prev: Observation | undefined,
  name: string,
): number | undefined {
  return guestCounterRate(obs, prev, name, 'swapIn');
}

/** A guest's swap-outs in bytes per second. */
export function guestSwapOutBytesPerSecond(
  obs: Observation,
  prev: Observation | undefined,
  name: string,
): number | undefined {
  return guestCounterRate(obs, prev, name, 'swapOut');
}

/** What "the host" is for a policy: its size and how much of it is still free to use. */
export interface HostHeadroom {
  /** Bytes the guests can still get before the host (or its budget) must reclaim. Never negative. */
  headroomBytes: number;
  /** The host's size: the budget cgroup's limit, else MemTotal. */
  sizeBytes: number;
  /** budget: limit - usage of the memory cgroup holding the guests; meminfo: MemAvailable. */
  source: 'budget' | 'meminfo';
}

/**
 * The host's headroom. When the guests live in a memory cgroup with a limit, that cgroup IS the host (the lab makes
 * a small host on a big machine this way): headroom = limit - usage. Otherwise MemAvailable (not MemFree: page
 * cache is reclaimable).
 */
export function hostHeadroom(obs: Observation): HostHeadroom {
  const budget = obs.host.budget;
  if (budget && budget.limitBytes !== null) {
    return {
      headroomBytes: Math.max(0, budget.limitBytes - budget.usageBytes),
      sizeBytes: budget.limitBytes,
      source: 'budget',
    };
  }
  return {
    headroomBytes: Math.max(0, obs.host.memAvailableBytes),
    sizeBytes: obs.host.memTotalBytes,
    source: 'meminfo',
  };
}

/** The host's memory stall: PSI memory `some` avg10, in percent of wall time; undefined without PSI. */
export function hostStallPercent(obs: Observation): number | undefined {
  return obs.host.psi.memory?.some.avg10;
}
