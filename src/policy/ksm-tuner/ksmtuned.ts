/**
 * ksmtuned's rule, reimplemented faithfully as a reference peer (ksmtuned/ksmtuned src/ksmtuned.sh.in, 2009-2018;
 * see docs/managers.md §2). What the script does, and what this does:
 *
 * - At start it reads MemTotal (kB) once and computes, in bash integer arithmetic (truncating division):
 *   `sleep = KSM_SLEEP_MSEC * 16 * 1024 * 1024 / total`, then `[ $sleep -le 10 ] && sleep=10`;
 *   `thres = total * KSM_THRES_COEF / 100`, raised to KSM_THRES_CONST when that is larger. npages starts at 0.
 * - Its loop is `sleep $KSM_MONITOR_INTERVAL; adjust`: it sleeps FIRST, so the first adjust comes one interval after
 *   start. Here the first observation is the start and adjusts follow every `monitorIntervalSeconds` of obs.t.
 *   (SIGUSR1, which cuts the sleep short upstream, has no equivalent: nothing signals a pure policy.)
 * - adjust: `committed` = Σ `ps -o rsz=` (kB) of the qemu processes, `free` = MemFree + Buffers + Cached (kB).
 *   If `committed + thres < total` and `free > thres` it writes run=0 (every time, and npages is NOT reset).
 *   Otherwise npages += BOOST when `free < thres`, else += DECAY (so free == thres decays), clamped to MIN..MAX,
 *   and it writes pages_to_scan, sleep_millisecs, run=1 (every time, even when unchanged). Each adjust here returns
 *   one KsmAction carrying exactly what the script writes.
 *
 * Differences, stated:
 * - Buffers is not in the Observation, so free = MemFree + Cached. Buffers is usually tens of MB on a VM host;
 *   it only matters when free sits within that much of thres.
 * - committed counts the observation's alive guests (rssBytes, or pssBytes for Proxmox's ksm-control-daemon, which
 *   sums PSS since 1.5), each floored to kB as ps prints it. The script counts every process its pgrep matches;
 *   Debian's variant only KVM ones, so TCG guests are invisible to the real daemon (the lab says which it ran).
 * - It reads host-wide meminfo, like the script: in a lab where a memory cgroup plays the host, it sees the big host.
 */
import type { GuestObservation, Observation } from '../../observe/observation.js';
import type { Decision, KsmAction } from '../actions.js';

export interface KsmtunedConfig {
  /** KSM_MONITOR_INTERVAL: seconds between adjusts. */
  monitorIntervalSeconds: number;
  /** KSM_NPAGES_BOOST: added to pages_to_scan when free < thres. */
  npagesBoost: number;
  /** KSM_NPAGES_DECAY: added (negative) when free >= thres. */
  npagesDecay: number;
  /** KSM_NPAGES_MIN / KSM_NPAGES_MAX: the clamp on pages_to_scan. */
  npagesMin: number;
  npagesMax: number;
  /** KSM_SLEEP_MSEC: sleep_millisecs for a 16 GiB host; scaled inversely with MemTotal, floored at 10. */
  sleepMsec: number;
  /** KSM_THRES_COEF: the threshold, percent of MemTotal. */
  thresCoef: number;
  /** KSM_THRES_CONST: the threshold's floor, kB. */
  thresConstKb: number;
  /** What "committed" sums per guest: `rss` (ksmtuned's `ps -o rsz`) or `pss` (Proxmox's KSM_PS_METRIC default). */
  committedMetric: 'rss' | 'pss';
}

/** ksmtuned's defaults (the shipped ksmtuned.conf has every line commented out). */
export const KSMTUNED_DEFAULTS: Readonly<KsmtunedConfig> = {
  monitorIntervalSeconds: 60,
  npagesBoost: 300,
  npagesDecay: -50,
  npagesMin: 64,
  npagesMax: 1250,
  sleepMsec: 10,
  thresCoef: 20,
  thresConstKb: 2048,
  committedMetric: 'rss',
};

/** Proxmox's ksm-control-daemon 1.5: PSS instead of RSS, and KSM_SLEEP_MSEC=100 ("to reduce cpu load"). */
export const PROXMOX_KSMTUNED: Readonly<Partial<KsmtunedConfig>> = { committedMetric: 'pss', sleepMsec: 100 };

/** What the script computes once at start. */
export interface KsmtunedConstants {
  totalKb: number;
  sleepMs: number;
  thresKb: number;
}

export interface KsmtunedState {
  mode: 'ksmtuned';
  /** The script's npages: starts at 0, never reset (not even when KSM is stopped). */
  npages: number;
  /** null until the first observation (the daemon's start). */
  constants: KsmtunedConstants | null;
  /** obs.t of the last adjust, or of the start (the script sleeps a full interval before its first adjust). */
  lastAdjustT: number | null;
}

export const KSMTUNED_INITIAL: KsmtunedState = { mode: 'ksmtuned', npages: 0, constants: null, lastAdjustT: null };

/** bash `$[a / b]` on non-negative integers. */
function idiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

export function ksmtunedConstants(memTotalBytes: number, config: KsmtunedConfig): KsmtunedConstants {
  const totalKb = Math.floor(memTotalBytes / 1024);
  let sleepMs = totalKb > 0 ? idiv(config.sleepMsec * 16 * 1024 * 1024, totalKb) : 10;
  if (sleepMs <= 10) sleepMs = 10;
  let thresKb = idiv(totalKb * config.thresCoef, 100);
  if (config.thresConstKb > thresKb) thresKb = config.thresConstKb;
  return { totalKb, sleepMs, thresKb };
}

function guestKb(g: GuestObservation, metric: KsmtunedConfig['committedMetric']): number {
  const bytes = metric === 'pss' ? g.pssBytes : g.rssBytes;
  return bytes === undefined ? 0 : Math.floor(bytes / 1024);
}

/** Σ of the alive guests' RSS (or PSS), kB. */
export function committedKb(obs: Observation, metric: KsmtunedConfig['committedMetric']): number {
  return obs.guests.filter((g) => g.alive).reduce((sum, g) => sum + guestKb(g, metric), 0);
}

/** MemFree + Cached, kB (ksmtuned adds Buffers, which the Observation does not carry). */
export function freeKb(obs: Observation): number {
  return Math.floor(obs.host.memFreeBytes / 1024) + Math.floor(obs.host.cachedBytes / 1024);
}

/** One run of the script's adjust(). */
export function ksmtunedAdjust(
  obs: Observation,
  npages: number,
  c: KsmtunedConstants,
  config: KsmtunedConfig,
): { npages: number; action: KsmAction } {
  const free = freeKb(obs);
  const committed = committedKb(obs, config.committedMetric);
  const metric = config.committedMetric === 'pss' ? 'PSS' : 'RSS';
  if (committed + c.thresKb < c.totalKb && free > c.thresKb) {
    const reason =
      `ksmtuned: committed ${committed} kB (guest ${metric}) + thres ${c.thresKb} kB < total ${c.totalKb} kB ` +
      `and free ${free} kB > thres: stop KSM (pages_to_scan stays ${npages})`;
    return { npages, action: { kind: 'ksm', set: { run: 0 }, reason } };
  }
  const boost = free < c.thresKb;
  const delta = boost ? config.npagesBoost : config.npagesDecay;
  const next = Math.min(config.npagesMax, Math.max(config.npagesMin, npages + delta));
  const why =
    committed + c.thresKb >= c.totalKb
      ? `committed ${committed} kB (guest ${metric}) + thres ${c.thresKb} kB >= total ${c.totalKb} kB`
      : `free ${free} kB <= thres ${c.thresKb} kB`;
  const step = boost ? `free ${free} kB < thres, boost ${delta}` : `free ${free} kB >= thres, decay ${delta}`;
  const reason =
    `ksmtuned: ${why}: start KSM; ${step}: pages_to_scan ${npages} -> ${next} ` +
    `(${config.npagesMin}..${config.npagesMax}), sleep_millisecs ${c.sleepMs}`;
  return {
    npages: next,
    action: { kind: 'ksm', set: { pages_to_scan: next, sleep_millisecs: c.sleepMs, run: 1 }, reason },
  };
}

/** One step: start on the first observation, adjust once every monitorIntervalSeconds after that. */
export function ksmtunedStep(obs: Observation, state: KsmtunedState, config: KsmtunedConfig): Decision<KsmtunedState> {
  if (state.constants === null || state.lastAdjustT === null) {
    const constants = ksmtunedConstants(obs.host.memTotalBytes, config);
    return { state: { ...state, constants, lastAdjustT: obs.t }, actions: [] };
  }
  if (obs.t - state.lastAdjustT < config.monitorIntervalSeconds * 1000) return { state, actions: [] };
  const { npages, action } = ksmtunedAdjust(obs, state.npages, state.constants, config);
  return { state: { ...state, npages, lastAdjustT: obs.t }, actions: [action] };
}
