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
import { GiB, guest, observation } from './trace.js';

const pagesToScan = (actions: Action[]) => {
  const a = actions[0];
  return a?.kind === 'ksm' ? a.set.pages_to_scan : undefined;
};

describe('ksmTuner factory', () => {
  test('both modes have the same shape: { mode, initial, step(obs, prev, state) }', () => {
    for (const mode of KSM_TUNER_MODES) {
      const tuner = ksmTuner(mode);
      assert.equal(tuner.mode, mode);
      assert.equal(tuner.initial.mode, mode);
      const d = tuner.step(observation(0), undefined, tuner.initial);
      assert.ok(Array.isArray(d.actions));
      assert.equal(d.state.mode, mode);
      assert.doesNotThrow(() => JSON.stringify(d.state));
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
