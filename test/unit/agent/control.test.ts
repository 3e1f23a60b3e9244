import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { AgentVerbs, type ControlledLoop } from '../../../src/agent/control.js';
import { PolicySchema, type PolicyConfig } from '../../../src/agent/config.js';
import { UsageError } from '../../../src/errors.js';
import type { ManagedGuest } from '../../../src/guest/managed/source.js';

const MiB = 1024 * 1024;

/** A loop that records what the verbs asked of it; one guest `g1` of 512 MiB whose balloon calls are recorded. */
function fakeLoop(dryRun = false) {
  const calls: string[] = [];
  let policy: PolicyConfig = PolicySchema.parse({});
  const guest = {
    name: 'g1',
    source: 'qmp',
    memoryBytes: () => Promise.resolve(512 * MiB),
    setBalloon: (b: number) => {
      calls.push(`setBalloon ${b}`);
      return Promise.resolve();
    },
  } as unknown as ManagedGuest; // only the two methods the verbs call
  const loop: ControlledLoop = {
    get policyConfig() {
      return policy;
    },
    isDryRun: dryRun,
    setPaused: (p) => calls.push(`paused ${p}`),
    managedGuest: (n) => (n === 'g1' ? guest : undefined),
    noteTarget: (g, t, m) => calls.push(`note ${g} ${t} ${m}`),
    replacePolicy: (p) => {
      policy = p;
      calls.push('replace');
    },
  };
  return { loop, calls, policy: () => policy };
}
const log = pino({ level: 'silent' });

test('pause and resume reach the loop', () => {
  const f = fakeLoop();
  const v = new AgentVerbs(f.loop, log);
  v.pause();
  v.resume();
  assert.deepEqual(f.calls, ['paused true', 'paused false']);
});

test('setBalloon: sets the target and notes it for shutdown; outside 1..memory or an unknown guest is refused', async () => {
  const f = fakeLoop();
  const v = new AgentVerbs(f.loop, log);
  await v.setBalloon('g1', 256 * MiB);
  assert.deepEqual(f.calls, [`setBalloon ${256 * MiB}`, `note g1 ${256 * MiB} ${512 * MiB}`]);
  await assert.rejects(v.setBalloon('g1', 0), UsageError);
  await assert.rejects(v.setBalloon('g1', 513 * MiB), /outside 1\.\.536870912 B/);
  await assert.rejects(v.setBalloon('nope', MiB), /no managed guest named 'nope'/);
  assert.equal(f.calls.length, 2);
});

test('setBalloon in a dry run sets nothing', async () => {
  const f = fakeLoop(true);
  await new AgentVerbs(f.loop, log).setBalloon('g1', 256 * MiB);
  assert.deepEqual(f.calls, []);
});

test('setPolicy patches the policy in force and replaces the loop with it', () => {
  const f = fakeLoop();
  new AgentVerbs(f.loop, log).setPolicy({ ksm: { mode: 'off' } });
  assert.deepEqual(f.calls, ['replace']);
  assert.equal(f.policy().ksm.mode, 'off');
  assert.equal(f.policy().balloon.enabled, true);
});
