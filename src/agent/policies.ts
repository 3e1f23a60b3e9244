/**
 * The policies the agent runs, from its config: with host states on, `auto` (host states, adaptive KSM, balloon,
 * swap tiers); otherwise the KSM tuner and the balloon controller on their own. `ksm.mode: ksmtuned` runs the
 * ksmtuned law in-process (its 60 s rule), `off` leaves KSM alone. Pure.
 */
import type { Policy } from '../control/policy-loop.js';
import type { Action } from '../policy/actions.js';
import { createAutoPolicy } from '../policy/auto.js';
import { createBalloonController } from '../policy/balloon.js';
import { ksmTuner } from '../policy/ksm-tuner/index.js';
import type { PolicyConfig } from './config.js';

function wrap<S>(
  name: string,
  p: { initial: S; step: Policy<S>['step'] },
  keep?: (a: Action) => boolean,
): Policy<unknown> {
  const policy: Policy<S> = {
    name,
    initial: p.initial,
    step: (o, prev, s) => {
      const d = p.step(o, prev, s);
      return keep ? { state: d.state, actions: d.actions.filter(keep) } : d;
    },
  };
  return policy;
}

export function agentPolicies(c: PolicyConfig): Policy<unknown>[] {
  const balloon = {
    floorBytes: c.balloon.floorBytes,
    lowWatermark: c.balloon.lowWatermark,
    highWatermark: c.balloon.highWatermark,
  };
  const out: Policy<unknown>[] = [];
  if (c.hostStates.enabled) {
    const auto = createAutoPolicy({
      balloon,
      ksm: { enabled: c.ksm.mode === 'adaptive', maxCpuPercent: c.ksm.maxCpuPercent },
    });
    // With ballooning off, auto still decides states and tiers but no balloon moves.
    out.push(wrap('auto', auto, c.balloon.enabled ? undefined : (a) => a.kind !== 'balloon'));
    if (c.ksm.mode === 'ksmtuned') out.push(wrap('ksmtuned', ksmTuner('ksmtuned')));
    return out;
  }
  if (c.ksm.mode === 'adaptive') out.push(wrap('ksm', ksmTuner('adaptive', { maxCpuPercent: c.ksm.maxCpuPercent })));
  if (c.ksm.mode === 'ksmtuned') out.push(wrap('ksmtuned', ksmTuner('ksmtuned')));
  if (c.balloon.enabled) out.push(wrap('balloon', createBalloonController(balloon)));
  return out;
}
