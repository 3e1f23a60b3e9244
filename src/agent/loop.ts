/**
 * The agent's loop: every tick, observe the host and the managed guests (each guest within its own timeout, so one
 * that hangs never stalls the tick), step the policies, carry out their actions (or only log them in a dry run),
 * publish the snapshot, the observation and every decision.
 *
 * Cost (bench/agent-overhead): on a VM every wake-up of the process costs milliseconds of CPU, more than most of a
 * tick's own work, so a tick is built to be one wake-up plus the guests' answers. Ticks run at a fixed rate, and the
 * next tick's timer is armed before anything else: Node still wakes at the time of a cleared timer when it was the
 * earliest, never when a later one exists. The guests' deadline is that next tick (or guests.timeoutMs when that
 * comes first), shared by every guest: no timer per call.
 */
import type { Logger } from 'pino';
import { PolicyLoop, type TimelineEntry } from '../control/policy-loop.js';
import type { ExecutorContext } from '../control/executor.js';
import { errorMessage } from '../errors.js';
import type { GuestSource, ManagedGuest } from '../guest/managed/source.js';
import { GuestPoller } from '../guest/managed/poller.js';
import { listSources, timeboxed } from '../guest/managed/with-timeout.js';
import type { CgroupLayout } from '../host/mechanisms/budget-cgroup.js';
import type { HostJournal } from '../host/journal/journal.js';
import type { HostPaths } from '../host/paths.js';
import { Collector } from '../observe/collect.js';
import type { Observation } from '../observe/observation.js';
import type { HostState } from '../policy/actions.js';
import type { AgentConfig, PolicyConfig } from './config.js';
import type { EventBus } from './events.js';
import { observePolledGuest } from '../observe/guest-observation.js';
import { ProcessFigureCache } from '../observe/process-figures.js';
import { agentGuestRow } from './guest-row.js';
import { IDLE_STATS_MS, atFullSize, mayInflate } from './idle-stats.js';
import { agentPolicies } from './policies.js';
import { emptySnapshot, type AgentGuest, type AgentSnapshot } from './state.js';

const KEEP_DECISIONS = 200;
const KEEP_TICKS = 600;
/** The host figures no policy reads (CPU times, io and cpu PSI) are read every this many ticks (Collector). */
const DISPLAY_EVERY = 5;

export interface AgentLoopOptions {
  config: AgentConfig;
  paths: HostPaths;
  /** Absent in a dry run: nothing is written. */
  journal?: HostJournal;
  sources: GuestSource[];
  bus: EventBus;
  log: Logger;
  budget?: { layout: CgroupLayout; path: string };
}

export class AgentLoop {
  private snap: AgentSnapshot = emptySnapshot();
  private policy: PolicyConfig;
  private loop: PolicyLoop;
  /** Loops replaced by a policy change, until their actions in flight are done. */
  private retired: PolicyLoop[] = [];
  private guests: ManagedGuest[] = [];
  private polled: AgentGuest[] = [];
  private readonly collector: Collector;
  private readonly targets = new Map<string, { target: number; memory: number }>();
  private readonly poller = new GuestPoller();
  /** Guests at full size at their last poll (idle-stats.ts). */
  private readonly idleGuests = new WeakSet<ManagedGuest>();
  private readonly processes: ProcessFigureCache;
  /** Each failing source's last error, logged once until it changes or the source lists again. */
  private readonly sourceErrors = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Ends the wait of the tick in progress for its guests (the next tick is due, or the loop stops). */
  private endWait: (() => void) | undefined;
  private busy = false;
  private behind = false;
  private stopped = false;

  constructor(private readonly o: AgentLoopOptions) {
    this.policy = o.config.policy;
    this.processes = new ProcessFigureCache(o.paths);
    this.collector = new Collector({
      paths: o.paths,
      guests: () => [],
      displayEvery: DISPLAY_EVERY,
      ...(o.budget ? { budget: o.budget } : {}),
    });
    this.loop = this.makeLoop();
  }

  private get dryRun(): boolean {
    return this.o.config.dryRun || !this.o.journal;
  }

  private makeLoop(): PolicyLoop {
    const ctx: ExecutorContext = {
      guests: () => this.guests.map((g) => timeboxed(g, this.o.config.guests.timeoutMs)),
      dryRun: this.dryRun,
      ...(this.o.journal ? { journal: this.o.journal } : {}),
    };
    // The agent keeps its own bounded list of decisions (lastDecisions); the loop's timeline only what a status needs.
    return new PolicyLoop(agentPolicies(this.policy), ctx, (e) => this.onDecision(e), KEEP_DECISIONS);
  }

  private onDecision(e: TimelineEntry): void {
    const s = this.snap;
    s.lastDecisions = [...s.lastDecisions, e].slice(-KEEP_DECISIONS);
    s.actionsTotal[e.action.kind] = (s.actionsTotal[e.action.kind] ?? 0) + 1;
    const a = e.action;
    if (a.kind === 'balloon' && e.ok && !this.dryRun) {
      const mem = this.snap.observation?.guests.find((g) => g.name === a.guest)?.memoryBytes ?? 0;
      this.targets.set(a.guest, { target: a.targetBytes, memory: mem });
    }
    const line = { policy: e.policy, kind: e.action.kind, ok: e.ok, detail: e.detail, reason: e.action.reason };
    if (e.ok) this.o.log.info(line, this.dryRun ? 'would act' : 'acted');
    else this.o.log.warn(line, 'action failed');
    this.o.bus.publish({ type: 'decision', data: e });
  }

  snapshot = (): AgentSnapshot => this.snap;

  /**
   * One observe -> decide -> act round. The guests have until `deadline` (by default guests.timeoutMs, on a timer of
   * its own) to answer.
   */
  async tick(deadline?: Promise<void>): Promise<void> {
    const started = Date.now();
    const cfg = this.o.config;
    const errors = this.snap.loop.errors;
    const success: Record<string, boolean> = {};
    const hostP = this.collector.host().then(
      (h) => {
        success.host = true;
        return h;
      },
      (e: unknown) => {
        success.host = false;
        errors.host = (errors.host ?? 0) + 1;
        this.o.log.warn({ err: errorMessage(e) }, 'host observation failed');
        return undefined;
      },
    );
    const listed = await listSources(this.o.sources, cfg.guests.timeoutMs, deadline);
    for (const f of listed.failures) {
      const k = `source-${f.kind}`;
      errors[k] = (errors[k] ?? 0) + 1;
      // Logged when it starts or its error changes, not every tick of an outage (the error count and the status show it)
      if (this.sourceErrors.get(f.kind) !== f.error) {
        this.o.log.warn({ source: f.kind, status: f.status, err: f.error }, 'guest source failed');
        this.sourceErrors.set(f.kind, f.error);
      }
    }
    for (const s of this.o.sources) {
      const ok = !listed.failures.some((f) => f.kind === s.kind);
      success[`source-${s.kind}`] = ok;
      if (ok && this.sourceErrors.delete(s.kind)) this.o.log.info({ source: s.kind }, 'guest source back');
    }
    this.guests = listed.guests;
    const idle = this.idleGuests;
    const statsAge = mayInflate(this.policy, this.loop.states())
      ? undefined
      : (g: ManagedGuest) => (idle.has(g) ? IDLE_STATS_MS : undefined);
    const polls = await this.poller.poll(listed.guests, cfg.guests.timeoutMs, deadline, statsAge);
    listed.guests.forEach((g, i) => {
      const s = polls[i]?.snapshot;
      if (s && atFullSize(s)) idle.add(g);
      else idle.delete(g);
    });
    const pids = polls.flatMap((p) => (p.status === 'ok' && p.pid !== undefined ? [p.pid] : []));
    const procs = this.processes.refresh(pids);
    const host = await hostP;
    const guestObs = polls.map((p) => observePolledGuest(p, p.pid === undefined ? undefined : procs.get(p.pid)));
    this.polled = polls.map((p) => agentGuestRow(p, this.targets.get(p.name)?.target));
    if (host) {
      const obs: Observation = { t: started, host, guests: guestObs.filter((g) => g !== undefined) };
      this.snap.observation = obs;
      this.loop.observe(obs);
      this.o.bus.publish({ type: 'observation', data: obs });
    }
    const durations = this.snap.loop.tickDurationsMs; // kept in place: one array for the life of the agent
    durations.push(Date.now() - started);
    if (durations.length > KEEP_TICKS) durations.splice(0, durations.length - KEEP_TICKS);
    this.snap = {
      ...this.snap,
      guests: this.polled,
      paused: this.snap.paused,
      loop: { ticks: this.snap.loop.ticks + 1, lastTickMs: Date.now(), tickDurationsMs: durations, errors },
      collectorSuccess: success,
    };
    const hs = this.hostState();
    if (hs) this.snap.hostState = hs;
  }

  private hostState(): HostState | undefined {
    const states = this.loop.states() as Record<string, { host?: { state?: HostState } } | undefined>;
    return states.auto?.host?.state;
  }

  start(): void {
    const period = this.o.config.tickSeconds * 1000;
    let due = Date.now();
    const fire = () => {
      if (this.stopped) return;
      const now = Date.now();
      due += period;
      if (due <= now) due = now + period; // fell a whole period behind: start afresh
      this.timer = setTimeout(fire, due - now);
      this.endWait?.();
      if (this.busy) this.behind = true;
      else this.running = this.runTicks();
    };
    fire();
  }

  /** Runs ticks until none is due: a tick that comes while one still runs runs right after it, once. */
  private async runTicks(): Promise<void> {
    this.busy = true;
    try {
      do {
        this.behind = false;
        try {
          await this.tick(this.nextDeadline());
        } catch (e) {
          this.o.log.error({ err: errorMessage(e) }, 'tick failed');
        }
      } while (this.behind && !this.stopped);
    } finally {
      this.busy = false;
    }
  }

  /** The guests' deadline for the tick about to run: the next tick, or guests.timeoutMs when that comes first. */
  private nextDeadline(): Promise<void> {
    const timeoutMs = this.o.config.guests.timeoutMs;
    return new Promise<void>((resolve) => {
      this.endWait = resolve;
      // Left to fire even when the guests answer first: clearing it would not spare the wake-up.
      if (timeoutMs < this.o.config.tickSeconds * 1000) setTimeout(resolve, timeoutMs).unref();
    });
  }

  /** Stops ticking and waits for the actions in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.endWait?.();
    await this.running;
    this.loop.pause();
    await Promise.all([this.loop, ...this.retired].map((l) => l.drain()));
  }

  /** Gives back what the agent ballooned away (shutdown): every guest it set below its memory goes to full. */
  async deflateAll(): Promise<string[]> {
    // List the guests afresh (the last tick's listing may have failed), then deflate all at once under one deadline.
    const listed = await listSources(this.o.sources, Math.max(5000, this.o.config.guests.timeoutMs));
    const guests = listed.guests.length > 0 ? listed.guests : this.guests;
    const jobs = [...this.targets].map(async ([name, t]) => {
      const g = guests.find((x) => x.name === name);
      if (!g) {
        this.o.log.warn({ guest: name }, 'not found at shutdown: its balloon was left as the agent set it');
        return undefined;
      }
      const tg = timeboxed(g, Math.max(5000, this.o.config.guests.timeoutMs));
      try {
        const mem = t.memory > 0 ? t.memory : await tg.memoryBytes();
        if (t.target >= mem) return undefined;
        await tg.setBalloon(mem);
        return `${name}: balloon back to ${mem} B`;
      } catch (e) {
        this.o.log.warn({ guest: name, err: errorMessage(e) }, 'could not deflate at shutdown');
        return undefined;
      }
    });
    return (await Promise.all(jobs)).filter((x): x is string => x !== undefined);
  }

  // What the control verbs (control.ts) work through: the loop keeps the state, the verbs keep the rules.

  /** The policy settings now in force. */
  get policyConfig(): PolicyConfig {
    return this.policy;
  }

  get isDryRun(): boolean {
    return this.dryRun;
  }

  /** Pauses or resumes the policies (the tick still observes and publishes). */
  setPaused(paused: boolean): void {
    this.snap = { ...this.snap, paused };
    if (paused) this.loop.pause();
    else this.loop.resume();
  }

  /** The managed guest of that name at the last tick, bounded by the guests' timeout; undefined when none. */
  managedGuest(name: string): ManagedGuest | undefined {
    const g = this.guests.find((x) => x.name === name);
    return g && timeboxed(g, this.o.config.guests.timeoutMs);
  }

  /** Remembers a balloon target set outside the policies (given back by deflateAll). */
  noteTarget(guest: string, targetBytes: number, memoryBytes: number): void {
    this.targets.set(guest, { target: targetBytes, memory: memoryBytes });
  }

  /** New policy settings: the policies restart from their initial state; the old loop finishes its actions. */
  replacePolicy(p: PolicyConfig): void {
    this.policy = p;
    const paused = this.snap.paused;
    this.loop.pause();
    const old = this.loop;
    this.retired.push(old);
    void old.drain().finally(() => (this.retired = this.retired.filter((l) => l !== old)));
    this.loop = this.makeLoop();
    if (paused) this.loop.pause();
  }
}
