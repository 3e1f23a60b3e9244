import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ADAPTIVE_DEFAULTS,
  KSM_TUNER_MODES,
  ksmTuner,
  type KsmTunerMode,
  type KsmTunerState,
} from '../../../../src/policy/ksm-tuner/index.js';
import type { Action } from '../../../../src/policy/actions.js';
import { ADAPTIVE_INITIAL, adaptiveStep, type AdaptiveState } from '../../../../src/policy/ksm-tuner/adaptive.js';
import {
  KSMTUNED_DEFAULTS,
  KSMTUNED_INITIAL,
  ksmtunedStep,
  type KsmtunedState,
} from '../../../../src/policy/ksm-tuner/ksmtuned.js';
import type { Observation } from '../../../../src/observe/observation.js';
import { GiB, guest, observation } from './trace.js';

const pagesToScan = (actions: Action[]) => {
  const a = actions[0];
  return a?.kind === 'ksm' ? a.set.pages_to_scan : undefined;
};

describe('ksmTuner factory', () => {
  test('each mode steps exactly as its own rule with the mode defaults (same decisions, same state)', () => {
    // A host of 8 GiB with 9 GiB of guests and nothing free: ksmtuned's rule boosts, the adaptive tuner starts KSM.
    const trace = [0, 60_000, 120_000].map((t) =>
      observation(t, { guests: [guest('a', 9 * GiB)], ksm: { pagesToScan: 100, sleepMillisecs: 20 } }),
    );
    const direct = {
      ksmtuned: (o: Observation, s: KsmtunedState) => ksmtunedStep(o, s, KSMTUNED_DEFAULTS),
      adaptive: (o: Observation, s: AdaptiveState) => adaptiveStep(o, s, ADAPTIVE_DEFAULTS),
    };
    for (const mode of KSM_TUNER_MODES) {
      const tuner = ksmTuner(mode);
      assert.equal(tuner.mode, mode);
      assert.equal(tuner.initial.mode, mode);
      let viaFactory: KsmTunerState = tuner.initial;
      let own: KsmTunerState = mode === 'ksmtuned' ? KSMTUNED_INITIAL : ADAPTIVE_INITIAL;
      const actions: Action[][] = [];
      let prev: Observation | undefined;
      for (const o of trace) {
        const d = tuner.step(o, prev, viaFactory);
        const e =
          mode === 'ksmtuned' ? direct.ksmtuned(o, own as KsmtunedState) : direct.adaptive(o, own as AdaptiveState);
        assert.deepEqual(d, e, `${mode} at t=${o.t}`);
        actions.push(d.actions);
        viaFactory = d.state;
        own = e.state;
        prev = o;
      }
      // The rules themselves: ksmtuned measures at its first tick and boosts by 300 pages a minute later (free < the
      // 20 % threshold, committed > total); the adaptive tuner turns KSM on at once.
      if (mode === 'ksmtuned') {
        assert.deepEqual(actions[0], []);
        const boost = actions[1]?.[0];
        assert.equal(boost?.kind, 'ksm');
        assert.equal(boost?.kind === 'ksm' ? boost.set.run : undefined, 1);
        assert.equal(
          pagesToScan(actions[1] ?? []),
          Math.max(KSMTUNED_DEFAULTS.npagesMin, KSMTUNED_INITIAL.npages + KSMTUNED_DEFAULTS.npagesBoost),
        );
      } else {
        assert.equal(actions[0]?.[0]?.kind, 'ksm');
        assert.equal(pagesToScan(actions[0] ?? []), ADAPTIVE_DEFAULTS.startPagesToScan);
      }
      assert.doesNotThrow(() => JSON.stringify(viaFactory));
    }
  });

  test('config fields left out take the mode defaults', () => {
    const o = observation(0, { guests: [guest('a', 1 * GiB)], ksm: { pagesToScan: 100, sleepMillisecs: 20 } });
    const fast = ksmTuner('adaptive', { startPagesToScan: 3000 });
    assert.equal(pagesToScan(fast.step(o, undefined, fast.initial).actions), 3000);
    const plain = ksmTuner('adaptive');
    assert.equal(pagesToScan(plain.step(o, undefined, plain.initial).actions), ADAPTIVE_DEFAULTS.startPagesToScan);
    const quick = ksmTuner('ksmtuned', { monitorIntervalSeconds: 5 });
    const started = quick.step(observation(0, { guests: [guest('a', 9 * GiB)] }), undefined, quick.initial).state;
    assert.equal(
      quick.step(observation(5000, { guests: [guest('a', 9 * GiB)] }), undefined, started).actions.length,
      1,
    );
  });

  test('a mode picked at run time steps a state of the other mode from its own initial state', () => {
    const mode = 'adaptive' as KsmTunerMode;
    const tuner = ksmTuner(mode);
    const foreign: KsmTunerState = ksmTuner('ksmtuned').initial;
    const d = tuner.step(observation(0, { guests: [guest('a', 1 * GiB)] }), undefined, foreign);
    assert.equal(d.state.mode, 'adaptive');
    assert.equal(d.actions.length, 1);
  });
});
