import type { Logger } from 'pino';
import { UsageError } from '../errors.js';
import { applyPolicyPatch, type PolicyConfig, type PolicyPatch } from './config.js';
import type { AgentLoop } from './loop.js';
import type { AgentControl } from './state.js';

/** What the verbs need of the loop (AgentLoop; a fake in tests). */
export type ControlledLoop = Pick<
  AgentLoop,
  'policyConfig' | 'isDryRun' | 'setPaused' | 'managedGuest' | 'noteTarget' | 'replacePolicy'
>;

/**
 * The agent's control verbs (the HTTP API's pause, resume, balloon and policy, and SIGHUP's reload): their checks,
 * their log lines, and the loop calls they come down to. The loop itself only schedules, observes and publishes.
 */
export class AgentVerbs implements AgentControl {
  constructor(
    private readonly loop: ControlledLoop,
    private readonly log: Logger,
  ) {}

  pause(): void {
    this.loop.setPaused(true);
    this.log.info('paused');
  }

  resume(): void {
    this.loop.setPaused(false);
    this.log.info('resumed');
  }

  /** Sets one managed guest's balloon, within 1 B .. its memory; a dry run only logs it. */
  async setBalloon(guest: string, targetBytes: number): Promise<void> {
    const g = this.loop.managedGuest(guest);
    if (!g) throw new UsageError(`no managed guest named '${guest}'`, 'GET /api/status lists the guests');
    const mem = await g.memoryBytes();
    if (targetBytes <= 0 || targetBytes > mem)
      throw new UsageError(
        `balloon target ${targetBytes} B is outside 1..${mem} B`,
        'give a size up to the guest memory',
      );
    if (this.loop.isDryRun) {
      this.log.info({ guest, targetBytes }, 'would set balloon (dry run)');
      return;
    }
    await g.setBalloon(targetBytes);
    this.loop.noteTarget(guest, targetBytes, mem);
    this.log.info({ guest, targetBytes }, 'balloon set through the API');
  }

  setPolicy(patch: PolicyPatch): void {
    this.applyPolicy(applyPolicyPatch(this.loop.policyConfig, patch));
  }

  /** New policy settings (API or SIGHUP): the policies restart from their initial state. */
  applyPolicy(p: PolicyConfig): void {
    this.loop.replacePolicy(p);
    this.log.info({ policy: p }, 'policy changed');
  }
}
