/**
 * Steps pure policies with each observation and carries out what they decide. One step at a time: an observation
 * that arrives while the previous step's actions still run is skipped (counted), never queued, so a slow guest
 * cannot build a backlog. Every decision lands in the timeline with its reason and outcome.
 */
import type { Observation } from '../observe/observation.js';
import type { Action, Decision } from '../policy/actions.js';
import { execute, type ActionOutcome, type ExecutorContext } from './executor.js';

/** A policy as the loop sees it: its initial state and its pure step. */
export interface Policy<S> {
  name: string;
  initial: S;
  step(obs: Observation, prev: Observation | undefined, state: S): Decision<S>;
}

/** One carried-out (or failed) action, for logs, the lab timeline and the dashboard. */
export interface TimelineEntry {
  /** Observation time (ms since the epoch) that led to the action. */
  t: number;
  policy: string;
  action: Action;
  ok: boolean;
  detail?: string;
}

/** Holds a policy and its state; the loop only sees step(). */
class Running<S> {
  private state: S;
  constructor(readonly policy: Policy<S>) {
    this.state = policy.initial;
  }
  step(obs: Observation, prev: Observation | undefined): Action[] {
    const d = this.policy.step(obs, prev, this.state);
    this.state = d.state;
    return d.actions;
  }
  get current(): S {
    return this.state;
  }
}

export class PolicyLoop {
  readonly timeline: TimelineEntry[] = [];
  skipped = 0;
  private readonly running: Running<unknown>[];
  private prev: Observation | undefined;
  private busy: Promise<void> | undefined;
  private paused = false;

  constructor(
    policies: readonly Policy<unknown>[],
    private readonly ctx: ExecutorContext,
    private readonly onEntry: (e: TimelineEntry) => void = () => undefined,
    /** Entries kept in `timeline` (the lab keeps all; a daemon must not grow forever). */
    private readonly keep = Infinity,
  ) {
    this.running = policies.map((p) => new Running(p));
  }

  /** The policies' current states, by name (for status pages). */
  states(): Record<string, unknown> {
    return Object.fromEntries(this.running.map((r) => [r.policy.name, r.current]));
  }

  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }

  /** Feed one observation (returns at once; the actions run in the background). */
  observe(obs: Observation): void {
    if (this.busy) {
      this.skipped++;
      return;
    }
    const prev = this.prev;
    this.prev = obs;
    if (this.paused) return;
    const decided: { policy: string; action: Action }[] = [];
    for (const r of this.running) for (const a of r.step(obs, prev)) decided.push({ policy: r.policy.name, action: a });
    if (decided.length === 0) return;
    this.busy = this.carryOut(obs.t, decided).finally(() => (this.busy = undefined));
  }

  private async carryOut(t: number, decided: { policy: string; action: Action }[]): Promise<void> {
    for (const d of decided) {
      const o: ActionOutcome = await execute(this.ctx, d.action);
      const e: TimelineEntry = { t, policy: d.policy, action: d.action, ok: o.ok };
      if (o.detail !== undefined) e.detail = o.detail;
      this.timeline.push(e);
      if (this.timeline.length > this.keep) this.timeline.splice(0, this.timeline.length - this.keep);
      try {
        this.onEntry(e);
      } catch {
        // a listener's failure must not stop the loop (the entry is in the timeline)
      }
    }
  }

  /** Waits for the actions in flight. */
  async drain(): Promise<void> {
    await this.busy;
  }
}
