/**
 * The shape every KSM tuner has (and the balloon and `auto` controllers share): a pure step function over
 * observations and the tuner's own state. `prev` is the observation before `obs` (undefined on the first step); a
 * tuner may keep its own snapshot in its state instead when it decides less often than it is stepped.
 */
import type { Observation } from '../../observe/observation.js';
import type { Decision } from '../actions.js';

/** `ksmtuned`: the classic daemon's rule, a peer to beat. `adaptive`: this project's tuner. */
export const KSM_TUNER_MODES = ['ksmtuned', 'adaptive'] as const;
export type KsmTunerMode = (typeof KSM_TUNER_MODES)[number];

export interface KsmTuner<S> {
  readonly mode: KsmTunerMode;
  /** The state to pass to the first step. Plain data (JSON-safe), so it can be logged and recorded. */
  readonly initial: S;
  step(obs: Observation, prev: Observation | undefined, state: S): Decision<S>;
}
