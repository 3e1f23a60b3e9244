/**
 * Proxmox VE's auto-ballooning (pvestatd `auto_ballooning` + `PVE::AutoBalloon::compute_alg1`), reimplemented as a
 * peer for the bench. Pure.
 *
 * pvestatd's loop runs every 10 s and skips its first cycle, so the first decision comes 10 s after start. Each run:
 *   goal = int(MemTotal x target/100 - memused)      target = node `ballooning-target` (default 80);
 *                                                      memused = MemTotal - MemAvailable (since PVE 8.4 / 2025)
 *   |goal| <= 10 MiB: nothing.
 *   grow (goal > 0): VMs "under pressure" first (not: freemem > 25 % of balloon_min and balloon >= balloon_min);
 *     if that made no progress at all, every VM.
 *   shrink (goal < 0): VMs with freemem > 25 % of balloon_min (and balloon >= balloon_min) first; if no progress,
 *     every VM.
 *   Per VM: desired = balloon_min + int(alloc_new / shares_total x shares), clamped to [balloon_min, maxmem]; the
 *   move from the current balloon is capped at 100 MiB; repeat while there is progress (compute_alg1's loop).
 *   The result goes out as QMP `balloon value=<bytes>` when it differs from the current balloon.
 * A VM takes part only if its balloon driver reports `actual`, it has a `balloon:` minimum, and shares != 0.
 *
 * Our view of Proxmox's inputs:
 * - With a budget cgroup that has a limit, Proxmox gets the same view as our controller: MemTotal = the limit,
 *   memused = the cgroup's usage. Unmodified pvestatd would read the big machine's /proc/meminfo.
 * - balloon = the balloon's actual size; maxmem = the guest's configured memory; freemem = stat-free-memory (guest
 *   MemFree, as Proxmox's patched query-balloon reports it).
 * - balloon_min: Proxmox has no default (a VM without `balloon:` never takes part). Ours: `balloonMinBytes[name]`, else
 *   max(minFloorBytes, minFraction x memory) = our own controller's default floor, so the bench compares control
 *   laws rather than floors.
 */
import type { Observation } from '../../observe/observation.js';
import { formatBytes } from '../../util/size.js';
import type { BalloonAction, Decision } from '../actions.js';
import { type TickSchedule, tickDue } from '../balloon-ticker.js';

const MiB = 1024 * 1024;

export interface ProxmoxBalloonConfig {
  /** pvestatd's $updatetime. */
  periodMs: number;
  /** Node option `ballooning-target`, percent of host memory to use. */
  targetPercent: number;
  /** $maxchange: the most one VM moves per run. */
  maxChangeBytes: number;
  /** Goals of at most this size (either sign) are ignored. */
  minGoalBytes: number;
  /** VM option `shares` per guest (default 1000; 0 = not ballooned). */
  shares: Record<string, number>;
  /** VM option `balloon` (minimum) per guest, bytes. */
  balloonMinBytes: Record<string, number>;
  /** Our default minimum for guests not in balloonMinBytes: max(minFloorBytes, minFraction x memory). */
  minFraction: number;
  minFloorBytes: number;
}

export const DEFAULT_PROXMOX_BALLOON_CONFIG: Readonly<ProxmoxBalloonConfig> = {
  periodMs: 10_000,
  targetPercent: 80,
  maxChangeBytes: 100 * MiB,
  minGoalBytes: 10 * MiB,
  shares: {},
  balloonMinBytes: {},
  minFraction: 0.25,
  minFloorBytes: 128 * MiB,
};

export interface ProxmoxBalloonState {
  next: TickSchedule;
}

export interface ProxmoxBalloonPeer {
  config: ProxmoxBalloonConfig;
  initial: ProxmoxBalloonState;
  step(obs: Observation, prev: Observation | undefined, state: ProxmoxBalloonState): Decision<ProxmoxBalloonState>;
}

/** One VM as compute_alg1 sees it ($vmstatus->{$vmid}). */
export interface ProxmoxVm {
  balloon: number;
  balloonMin: number;
  maxmem: number;
  shares: number;
  freemem: number | undefined;
}

/** compute_alg1's $change_func: spread `bytes` over `ids`, writing new balloon sizes into `res`; returns the rest. */
function changeFunc(
  vms: Map<string, ProxmoxVm>,
  res: Map<string, number>,
  ids: string[],
  bytes: number,
  max: number,
): number {
  let rest = bytes;
  let repeat = true;
  let progress = 1;
  const done = new Set<string>();
  for (let guard = 0; rest !== 0 && repeat && progress !== 0 && guard < 1000; guard++) {
    repeat = false;
    progress = 0;
    let sharesTotal = 0;
    let allocOld = 0;
    for (const id of ids) {
      const d = vms.get(id);
      if (done.has(id) || !d) continue;
      allocOld += (res.get(id) ?? d.balloon) - d.balloonMin;
      sharesTotal += d.shares || 1000;
    }
    let changes = 0;
    const allocNew = allocOld + rest;
    for (const id of ids) {
      const d = vms.get(id);
      if (done.has(id) || !d) continue;
      let desired = d.balloonMin + Math.trunc((allocNew / sharesTotal) * (d.shares || 1000));
      if (desired > d.maxmem) {
        desired = d.maxmem;
        repeat = true;
      } else if (desired < d.balloonMin) {
        desired = d.balloonMin;
        repeat = true;
      }
      let balloon: number;
      if (bytes > 0 && desired - d.balloon > 0) balloon = Math.min(d.balloon + max, desired);
      else if (desired - d.balloon < 0) balloon = Math.max(d.balloon - max, desired);
      else {
        done.add(id);
        continue;
      }
      const diff = balloon - d.balloon;
      if (diff !== 0) {
        const old = res.get(id) ?? d.balloon;
        res.set(id, balloon);
        const change = balloon - old;
        if (change !== 0) {
          changes += change;
          progress += Math.abs(diff);
          repeat = true;
        }
      }
    }
    rest -= changes;
  }
  return rest;
}

/** PVE::AutoBalloon::compute_alg1: new balloon sizes (bytes) by VM. */
export function computeAlg1(
  vms: Map<string, ProxmoxVm>,
  goal: number,
  maxChange: number,
  minGoal: number,
): Map<string, number> {
  const all: string[] = [];
  const pressure: string[] = [];
  const spare: string[] = [];
  for (const [id, d] of vms) {
    if (!d.balloon || !d.balloonMin || d.shares === 0) continue;
    all.push(id);
    if (d.freemem && d.freemem > d.balloonMin * 0.25 && d.balloon >= d.balloonMin) spare.push(id);
    else pressure.push(id);
  }
  const res = new Map<string, number>();
  if (goal > minGoal) {
    const rest = changeFunc(vms, res, pressure, goal, maxChange);
    if (rest >= goal) changeFunc(vms, res, all, rest, maxChange);
  } else if (goal < -minGoal) {
    const rest = changeFunc(vms, res, spare, goal, maxChange);
    if (rest <= goal) changeFunc(vms, res, all, rest, maxChange);
  }
  return res;
}

/** pvestatd's host figures, given the budget view when there is one. */
export function proxmoxHostMemory(obs: Observation): { totalBytes: number; usedBytes: number } {
  const b = obs.host.budget;
  if (b && b.limitBytes !== null) return { totalBytes: b.limitBytes, usedBytes: b.usageBytes };
  return { totalBytes: obs.host.memTotalBytes, usedBytes: obs.host.memTotalBytes - obs.host.memAvailableBytes };
}

function decide(obs: Observation, cfg: ProxmoxBalloonConfig): BalloonAction[] {
  const { totalBytes, usedBytes } = proxmoxHostMemory(obs);
  const goal = Math.trunc((totalBytes * cfg.targetPercent) / 100 - usedBytes);
  const vms = new Map<string, ProxmoxVm>();
  for (const g of obs.guests) {
    if (!g.alive || g.balloonActualBytes === undefined) continue;
    const min = cfg.balloonMinBytes[g.name] ?? Math.max(cfg.minFloorBytes, cfg.minFraction * g.memoryBytes);
    vms.set(g.name, {
      balloon: g.balloonActualBytes,
      balloonMin: Math.trunc(Math.min(min, g.memoryBytes)),
      maxmem: g.memoryBytes,
      shares: cfg.shares[g.name] ?? 1000,
      freemem: g.stats?.freeMemory,
    });
  }
  const res = computeAlg1(vms, goal, cfg.maxChangeBytes, cfg.minGoalBytes);
  const out: BalloonAction[] = [];
  for (const id of [...res.keys()].sort()) {
    const d = vms.get(id);
    const target = Math.trunc(res.get(id) ?? 0);
    if (!d || target === Math.trunc(d.balloon)) continue;
    out.push({
      kind: 'balloon',
      guest: id,
      targetBytes: target,
      reason:
        `Proxmox ${goal > 0 ? 'grow' : 'shrink'}: goal ${formatBytes(goal)} = ${cfg.targetPercent}% of ` +
        `${formatBytes(totalBytes)} - used ${formatBytes(usedBytes)}; balloon ${formatBytes(d.balloon)} -> ` +
        `${formatBytes(target)} (min ${formatBytes(d.balloonMin)}, max ${formatBytes(d.maxmem)}, shares ${d.shares}, ` +
        `freemem ${d.freemem === undefined ? 'unknown' : formatBytes(d.freemem)}, step <= ${formatBytes(cfg.maxChangeBytes)})`,
    });
  }
  return out;
}

export function createProxmoxBalloonPeer(partial: Partial<ProxmoxBalloonConfig> = {}): ProxmoxBalloonPeer {
  const cfg: ProxmoxBalloonConfig = { ...DEFAULT_PROXMOX_BALLOON_CONFIG, ...partial };
  return {
    config: cfg,
    initial: { next: undefined },
    step(obs, _prev, state) {
      const tick = tickDue(state.next, obs.t, cfg.periodMs);
      return { state: { next: tick.next }, actions: tick.due ? decide(obs, cfg) : [] };
    },
  };
}
