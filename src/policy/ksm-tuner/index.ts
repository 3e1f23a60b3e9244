/**
 * The KSM tuners behind one shape, `{ mode, initial, step(obs, prev, state) }`: `ksmtuned` (the classic daemon's
 * rule, a peer) and `adaptive` (this project's). Config fields left out take the mode's defaults.
 */
import type { Observation } from '../../observe/observation.js';
import type { Decision } from '../actions.js';
import { ADAPTIVE_DEFAULTS, type AdaptiveConfig } from './adaptive-config.js';
import { ADAPTIVE_INITIAL, adaptiveStep, type AdaptiveState } from './adaptive.js';
import {
  KSMTUNED_DEFAULTS,
  KSMTUNED_INITIAL,
  ksmtunedStep,
  type KsmtunedConfig,
  type KsmtunedState,
} from './ksmtuned.js';
import type { KsmTuner, KsmTunerMode } from './tuner.js';

export type { KsmTuner, KsmTunerMode } from './tuner.js';
export { KSM_TUNER_MODES } from './tuner.js';
export { KSMTUNED_DEFAULTS, PROXMOX_KSMTUNED, type KsmtunedConfig, type KsmtunedState } from './ksmtuned.js';
export { ADAPTIVE_DEFAULTS, type AdaptiveConfig } from './adaptive-config.js';
export type { AdaptiveState } from './adaptive.js';

export type KsmTunerState = KsmtunedState | AdaptiveState;
/** Either mode's fields; each tuner reads its own. */
export type KsmTunerConfig = Partial<KsmtunedConfig> & Partial<AdaptiveConfig>;

export function ksmtunedTuner(config: Partial<KsmtunedConfig> = {}): KsmTuner<KsmtunedState> {
  const c: KsmtunedConfig = { ...KSMTUNED_DEFAULTS, ...config };
  return { mode: 'ksmtuned', initial: KSMTUNED_INITIAL, step: (obs, _prev, state) => ksmtunedStep(obs, state, c) };
}

export function adaptiveTuner(config: Partial<AdaptiveConfig> = {}): KsmTuner<AdaptiveState> {
  const c: AdaptiveConfig = { ...ADAPTIVE_DEFAULTS, ...config };
  return { mode: 'adaptive', initial: ADAPTIVE_INITIAL, step: (obs, _prev, state) => adaptiveStep(obs, state, c) };
}

/**
 * A tuner over either state, for callers that pick the mode at run time. A state of the other mode (the mode was
 * changed in the config) is replaced by this tuner's initial state: the tuner starts over rather than misread it.
 */
function anyMode<S extends KsmTunerState>(
  tuner: KsmTuner<S>,
  own: (s: KsmTunerState) => s is S,
): KsmTuner<KsmTunerState> {
  return {
    mode: tuner.mode,
    initial: tuner.initial,
    step(obs: Observation, prev: Observation | undefined, state: KsmTunerState): Decision<KsmTunerState> {
      return tuner.step(obs, prev, own(state) ? state : tuner.initial);
    },
  };
}

export function ksmTuner(mode: 'ksmtuned', config?: Partial<KsmtunedConfig>): KsmTuner<KsmtunedState>;
export function ksmTuner(mode: 'adaptive', config?: Partial<AdaptiveConfig>): KsmTuner<AdaptiveState>;
export function ksmTuner(mode: KsmTunerMode, config?: KsmTunerConfig): KsmTuner<KsmTunerState>;
export function ksmTuner(mode: KsmTunerMode, config: KsmTunerConfig = {}): KsmTuner<KsmTunerState> {
  if (mode === 'ksmtuned') {
    return anyMode(ksmtunedTuner(config), (s): s is KsmtunedState => s.mode === 'ksmtuned');
  }
  return anyMode(adaptiveTuner(config), (s): s is AdaptiveState => s.mode === 'adaptive');
}
