/**
 * oVirt MOM's auto-balloon policy (`doc/balloon.rules`, the fixed version in oVirt/mom that uses `max` for the floor
 * and min_guest_free_percent when growing), reimplemented as a peer for the bench. Pure.
 *
 * MOM's loops, honoured on obs.t: the host and guest monitors collect every 5 s into a history of the last 10
 * samples; the policy engine sleeps 10 s, then evaluates (so its first decision comes 10 s after start).
 *
 *   host_free% = StatAvg(mem_free) / mem_available      mem_free = MemFree + Buffers + Cached; mem_available = MemTotal
 *   host_free% < 0.20 -> shrink every guest, else grow every guest
 *   shrink: gfree% = host_free% <= 0.05 ? host_free% - 0.05 : 0.20 x host_free% / 0.20
 *           used = StatAvg(balloon_cur) - StatAvg(mem_unused)              mem_unused = guest MemFree
 *           floor = max(balloon_min, used + gfree% x balloon_cur); size = max(balloon_cur x 0.95, floor)
 *           apply if size <= balloon_cur and |size - balloon_cur| > 0.0025 x balloon_cur
 *   grow (only if balloon_cur < balloon_max):
 *           floor = max(balloon_min, used + 0.20 x balloon_cur); size = max(balloon_cur x 1.05, floor), capped at max
 *           apply if |size - balloon_cur| > 0.0025 x balloon_cur
 * Sizes are KiB as MOM sees them; its Balloon controller sends int(size) KiB, which we turn into bytes.
 *
 * Our view of MOM's inputs:
 * - Buffers is not in our Observation: mem_free = MemFree + Cached.
 * - With a budget cgroup that has a limit (the lab's "small host"), MOM gets the same view as our controller:
 *   mem_available = the limit, mem_free = limit - usage. Unmodified MOM would read the big machine's /proc/meminfo
 *   and never shrink anything.
 * - balloon_cur = the balloon's actual size, balloon_max = the guest's configured memory, balloon_min = libvirt's
 *   <memtune><min_guarantee> (0 unless configured here).
 * - A guest is left out while a sample lacks balloon_cur or mem_unused (MOM's "monitor not ready" / VDSM's `valid`).
 */
import type { Observation } from '../../observe/observation.js';
import { formatBytes } from '../../util/size.js';
import type { BalloonAction, Decision } from '../actions.js';
import { type TickSchedule, tickDue } from '../balloon-ticker.js';

export interface MomBalloonConfig {
  /** host-monitor-interval and guest-monitor-interval (MOM default 5 s). */
  collectIntervalMs: number;
  /** policy-engine-interval (MOM default 10 s). */
  policyIntervalMs: number;
  /** sample-history-length (MOM default 10). */
  historyLength: number;
  pressureThreshold: number;
  pressureCritical: number;
  minGuestFreePercent: number;
  maxBalloonChangePercent: number;
  minBalloonChangePercent: number;
  /** balloon_min per guest name, bytes (libvirt min_guarantee); absent = 0. */
  balloonMinBytes: Record<string, number>;
}

export const DEFAULT_MOM_BALLOON_CONFIG: Readonly<MomBalloonConfig> = {
  collectIntervalMs: 5_000,
  policyIntervalMs: 10_000,
  historyLength: 10,
  pressureThreshold: 0.2,
  pressureCritical: 0.05,
  minGuestFreePercent: 0.2,
  maxBalloonChangePercent: 0.05,
  minBalloonChangePercent: 0.0025,
  balloonMinBytes: {},
};

/** MOM's inputs are whole KiB (/proc/meminfo kB, libvirt's KiB), and so are its samples here. */
const kib = (bytes: number): number => Math.trunc(bytes / 1024);

interface HostSample {
  memFree: number;
  memAvailable: number;
}
interface GuestSample {
  balloonCur: number;
  memUnused: number;
  balloonMax: number;
}

export interface MomBalloonState {
  nextCollect: TickSchedule;
  nextPolicy: TickSchedule;
  host: HostSample[];
  /**
   * One monitor per running guest: its sample history, and whether its last collection had every field MOM needs
   * (a not-ready guest keeps its history but is left out of the policy). A guest that stops is dropped.
   */
  guests: Record<string, { ready: boolean; samples: GuestSample[] }>;
}

export interface MomBalloonPeer {
  config: MomBalloonConfig;
  initial: MomBalloonState;
  step(obs: Observation, prev: Observation | undefined, state: MomBalloonState): Decision<MomBalloonState>;
}

/** MOM's HostMemory collector, given the budget view when there is one. */
export function momHostSample(obs: Observation): HostSample {
  const b = obs.host.budget;
  if (b && b.limitBytes !== null) {
    return { memFree: kib(Math.max(0, b.limitBytes - b.usageBytes)), memAvailable: kib(b.limitBytes) };
  }
  return { memFree: kib(obs.host.memFreeBytes) + kib(obs.host.cachedBytes), memAvailable: kib(obs.host.memTotalBytes) };
}

function collect(obs: Observation, state: MomBalloonState, keep: number): Pick<MomBalloonState, 'host' | 'guests'> {
  const host = [...state.host, momHostSample(obs)].slice(-keep);
  const guests: MomBalloonState['guests'] = {};
  for (const g of obs.guests) {
    if (!g.alive) continue;
    const before = state.guests[g.name]?.samples ?? [];
    const cur = g.balloonActualBytes;
    const unused = g.stats?.freeMemory;
    if (cur === undefined || unused === undefined) {
      guests[g.name] = { ready: false, samples: before };
      continue;
    }
    const sample = { balloonCur: kib(cur), memUnused: kib(unused), balloonMax: kib(g.memoryBytes) };
    guests[g.name] = { ready: true, samples: [...before, sample].slice(-keep) };
  }
  return { host, guests };
}

const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

function evaluate(state: MomBalloonState, cfg: MomBalloonConfig, order: string[]): BalloonAction[] {
  const last = state.host[state.host.length - 1];
  if (!last) return [];
  const hostFree = avg(state.host.map((s) => s.memFree)) / last.memAvailable;
  const shrink = hostFree < cfg.pressureThreshold;
  const gfree = !shrink
    ? cfg.minGuestFreePercent
    : hostFree <= cfg.pressureCritical
      ? -0.05 + hostFree
      : cfg.minGuestFreePercent * (hostFree / cfg.pressureThreshold);
  const host = `host free ${pct(hostFree)} (avg of ${state.host.length} samples) ${shrink ? '<' : '>='} ${pct(cfg.pressureThreshold)}`;
  const out: BalloonAction[] = [];
  for (const name of order) {
    const monitor = state.guests[name];
    const hist = monitor?.samples ?? [];
    const g = hist[hist.length - 1];
    if (!monitor?.ready || !g) continue;
    const cur = g.balloonCur;
    const bigEnough = (size: number) => Math.abs(size - cur) > cfg.minBalloonChangePercent * cur;
    const used = avg(hist.map((s) => s.balloonCur)) - avg(hist.map((s) => s.memUnused));
    const balloonMin = kib(cfg.balloonMinBytes[name] ?? 0);
    const floor = Math.max(balloonMin, used + gfree * cur);
    let size: number;
    if (shrink) {
      size = Math.max(cur * (1 - cfg.maxBalloonChangePercent), floor);
      if (!(size <= cur && bigEnough(size))) continue;
    } else {
      if (!(cur < g.balloonMax)) continue;
      size = Math.min(Math.max(cur * (1 + cfg.maxBalloonChangePercent), floor), g.balloonMax);
      if (!bigEnough(size)) continue;
    }
    const targetBytes = Math.trunc(size) * 1024;
    out.push({
      kind: 'balloon',
      guest: name,
      targetBytes,
      reason:
        `MOM ${shrink ? 'shrink' : 'grow'}: ${host}; guest used ${formatBytes(used * 1024)} (avg balloon_cur - ` +
        `avg mem_unused over ${hist.length}), free target ${pct(gfree)} -> floor ${formatBytes(floor * 1024)}; ` +
        `balloon_cur ${formatBytes(cur * 1024)} -> ${formatBytes(targetBytes)}`,
    });
  }
  return out;
}

export function createMomBalloonPeer(partial: Partial<MomBalloonConfig> = {}): MomBalloonPeer {
  const cfg: MomBalloonConfig = { ...DEFAULT_MOM_BALLOON_CONFIG, ...partial };
  return {
    config: cfg,
    initial: { nextCollect: undefined, nextPolicy: undefined, host: [], guests: {} },
    step(obs, _prev, state) {
      const c = tickDue(state.nextCollect, obs.t, cfg.collectIntervalMs, 0);
      const p = tickDue(state.nextPolicy, obs.t, cfg.policyIntervalMs);
      const data = c.due ? collect(obs, state, cfg.historyLength) : { host: state.host, guests: state.guests };
      const next: MomBalloonState = { nextCollect: c.next, nextPolicy: p.next, ...data };
      const actions = p.due
        ? evaluate(
            next,
            cfg,
            obs.guests.map((g) => g.name),
          )
        : [];
      return { state: next, actions };
    },
  };
}
