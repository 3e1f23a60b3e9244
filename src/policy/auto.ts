/**
 * `auto`: the project's controller, one pure step over every mechanism. The host-state machine (ESXi-like, with
 * hysteresis) decides which tiers are on; each tier's own policy then acts inside what its tier allows:
 * - sharing: the adaptive KSM tuner is stepped only while sharing is on; turning it off stops ksmd (run=0) but never
 *   unmerges (merged pages stay merged, nothing is paid twice);
 * - balloon: the balloon controller is always stepped so that a guest under pressure is deflated at once, in any
 *   state; it may inflate only while the balloon tier is on (its inflations are dropped otherwise);
 * - compressed-swap and disk-swap: tier actions the executor carries out (the budget group swaps eagerly into the
 *   compressed device; our swap file goes on), in the order the host-state machine gives them. Compressed swap is
 *   never forbidden while its tier is off: it is the safety net against an allocation burst faster than a tick.
 * Every action keeps its sub-policy's reason, prefixed with the sub-policy's name.
 */
import type { Observation } from '../observe/observation.js';
import type { Action, Decision, Tier } from './actions.js';
import { createBalloonController, type BalloonState } from './balloon.js';
import type { BalloonConfig } from './balloon-config.js';
import { createHostStatePolicy, TIERS_BY_STATE, type HostStateConfig, type HostStateMachine } from './host-state.js';
import { adaptiveTuner, type AdaptiveConfig, type AdaptiveState } from './ksm-tuner/index.js';

export interface AutoConfig {
  hostStates: Partial<HostStateConfig>;
  balloon: Partial<BalloonConfig>;
  ksm: Partial<AdaptiveConfig> & { enabled: boolean };
}

export interface AutoState {
  host: HostStateMachine;
  ksm: AdaptiveState;
  balloon: BalloonState;
  /** Tiers on now (after this step's actions). */
  tiers: Tier[];
}

export interface AutoPolicy {
  name: 'auto';
  initial: AutoState;
  step(obs: Observation, prev: Observation | undefined, state: AutoState): Decision<AutoState>;
}

const tag = (who: string, a: Action): Action => ({ ...a, reason: `[${who}] ${a.reason}` });

export function createAutoPolicy(cfg: Partial<AutoConfig> = {}): AutoPolicy {
  const host = createHostStatePolicy(cfg.hostStates ?? {});
  const balloon = createBalloonController(cfg.balloon ?? {});
  const { enabled: ksmEnabled = true, ...ksmCfg } = cfg.ksm ?? { enabled: true };
  const ksm = adaptiveTuner(ksmCfg);
  return {
    name: 'auto',
    initial: { host: host.initial, ksm: ksm.initial, balloon: balloon.initial, tiers: [] },
    step(obs, prev, st) {
      const actions: Action[] = [];
      const h = host.step(obs, prev, st.host);
      actions.push(...h.actions.map((a) => tag('host-state', a)));
      const tiers = [...TIERS_BY_STATE[h.state.state]];
      const sharing = tiers.includes('sharing');

      let ksmState = st.ksm;
      if (ksmEnabled && sharing) {
        const k = ksm.step(obs, prev, st.ksm);
        ksmState = k.state;
        actions.push(...k.actions.map((a) => tag('ksm', a)));
      } else if (ksmEnabled && st.tiers.includes('sharing') && !sharing) {
        actions.push({ kind: 'ksm', set: { run: 0 }, reason: '[ksm] sharing tier off: ksmd stops, merged pages stay' });
        ksmState = ksm.initial;
      }

      const b = balloon.step(obs, prev, st.balloon);
      let balloonState = b.state;
      if (tiers.includes('balloon')) {
        actions.push(...b.actions.map((a) => tag('balloon', a)));
      } else {
        // Outside the balloon tier: deflations only (a guest under pressure gets its memory back in any state).
        const guests = { ...b.state.guests };
        for (const a of b.actions) {
          if (a.kind !== 'balloon') continue;
          // A guest seen for the first time: its balloon as it is now (or full) is the target to keep.
          const g = obs.guests.find((x) => x.name === a.guest);
          const before = st.balloon.guests[a.guest]?.targetBytes ?? g?.balloonActualBytes ?? g?.memoryBytes;
          if (before !== undefined && a.targetBytes < before) {
            guests[a.guest] = { ...(guests[a.guest] ?? { cooldownUntil: 0 }), targetBytes: before };
            continue;
          }
          actions.push(tag('balloon', a));
        }
        balloonState = { ...b.state, guests };
      }
      return { state: { host: h.state, ksm: ksmState, balloon: balloonState, tiers }, actions };
    },
  };
}
