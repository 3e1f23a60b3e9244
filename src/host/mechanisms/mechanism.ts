import type { HostJournal } from '../journal/journal.js';
import type { JournalData, JournalObject } from '../journal/journal-data.js';
import type { HostPaths } from '../paths.js';

/**
 * What overcommit knows about one way of overselling memory (KSM, UKSM, zram, zswap, a swap file, the budget cgroup,
 * THP): every part is optional, and `apply`, `restore`, `status`, `doctor` and the presets iterate over the registry
 * (`index.ts`) instead of switching on names. Adding a mechanism is one file here plus its line in the registry; see
 * docs/design.md, "Adding a mechanism".
 */
export interface Mechanism<S extends PlanStep = never, St = never, F = never, K extends ObjectKind = never> {
  /** The registry key, the status and doctor section name, and (with `step`) the plan step's `op`. */
  readonly name: string;
  /** Plan steps of this mechanism (a preset lists them; `apply` and the lab run them through the journal). */
  step?: StepHandler<S>;
  /** The journal objects this mechanism creates, and how restore takes one away. */
  objects?: ObjectHandler<K>;
  /** Live settings and figures for `overcommit status` (read-only: works without root where the files allow). */
  status?: (paths: HostPaths, journal: JournalData | undefined) => Promise<St>;
  /** What `overcommit doctor` gathers (read-only) and judges (pure, one check per capability). */
  doctor?: { facts: (paths: HostPaths) => Promise<F>; diagnose: (facts: F, host: CommonFacts) => Check[] };
}

/** A plan step: what one mechanism is asked to do. `op` names the mechanism. */
export interface PlanStep {
  op: string;
}

export interface StepHandler<S> {
  /** One line for --dry-run and logs. */
  describe: (step: S) => string;
  /** Read-only checks before the journal exists: a missing feature or a bad path changes nothing on the host. */
  preflight: (ctx: PreflightContext, step: S) => Promise<void>;
  /** Does it through the journal; returns what it did worth a log line beyond `describe`. */
  apply: (journal: HostJournal, step: S) => Promise<string[]>;
  /** The step leaves a swap device on (zswap's preflight needs one behind it). */
  makesSwap?: boolean;
}

export interface PreflightContext {
  paths: HostPaths;
  /** An earlier step of the same plan makes a swap device. */
  swapComing: boolean;
}

export type ObjectKind = JournalObject['kind'];

export interface ObjectHandler<K extends ObjectKind> {
  kind: K;
  /** Takes the object away if it is still there (idempotent); returns one line per action. */
  undo: (paths: HostPaths, object: Extract<JournalObject, { kind: K }>) => Promise<string[]>;
  /** The /proc/swaps names this object stands for (status marks those swaps as ours). */
  swapNames?: (paths: HostPaths, object: Extract<JournalObject, { kind: K }>) => string[];
}

/** Host facts that are no single mechanism's: doctor gathers them once and hands them to every judgement. */
export interface CommonFacts {
  isRoot: boolean;
  kernel: string;
  psi: boolean;
  programs: Record<string, string | undefined>;
  kvmDevice: boolean;
  debugfs: boolean;
}

export type CheckStatus = 'ok' | 'warn' | 'missing';
export interface Check {
  id: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it (only when not ok). */
  fix?: string;
}

/** Builds a check: ok with its detail, or `status` with the fix. */
export function check(id: string, ok: boolean, detail: string, fix: string, status: CheckStatus = 'missing'): Check {
  return ok ? { id, status: 'ok', detail } : { id, status, detail, fix };
}
