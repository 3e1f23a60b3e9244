import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  budgetBytes,
  builtinScenario,
  loadScenarioFile,
  parseScenario,
  ScenarioError,
} from '../../../src/lab/scenario.js';

const MiB = 1024 * 1024;

test('the default scenario is the seed plan at small scale: 3 guests of 256M, 2.5x, every strategy', () => {
  const s = builtinScenario('default');
  assert.equal(s.guests.count, 3);
  assert.equal(s.guests.memory, 256 * MiB);
  assert.equal(s.budget.ratio, 2.5);
  assert.equal(s.thp, 'never');
  assert.deepEqual(s.strategies, ['none', 'ksm', 'uksm', 'swap-disk', 'zswap', 'zram', 'balloon', 'ksmtuned', 'auto']);
  assert.equal(builtinScenario('quick').guests.memory, 192 * MiB);
});

test('budget: guest RAM / ratio + QEMU overhead; the baseline runs at ratio 1', () => {
  const s = parseScenario({ guests: { count: 2, memory: '256M' }, budget: { ratio: 2, overheadPerGuest: '64M' } });
  assert.deepEqual(budgetBytes(s, 'zram'), { budget: 256 * MiB + 128 * MiB, ratio: 2, guestRam: 512 * MiB });
  assert.deepEqual(budgetBytes(s, 'none'), { budget: 512 * MiB + 128 * MiB, ratio: 1, guestRam: 512 * MiB });
});

for (const [input, message] of [
  [{ budget: { ratio: 0.5 } }, /budget\.ratio: .*>=1.*\(got 0\.5\)/],
  [{ strategies: ['ksm', 'turbo'] }, /strategies\.1: .*"turbo"/],
  [{ guests: { memory: '12XB' } }, /guests\.memory: '12XB' is not a size/],
  [{ guests: { memory: '64M' } }, /guests\.memory: .* below the 128M/],
  [{ memcached: { randomShare: 0.5 } }, /value content shares add up to 1\.2/],
  [{ durationS: 0 }, /durationS: .*\(got 0\)/],
  [{ typo: 1 }, /Unrecognized key: "typo"/],
] as const) {
  test(`invalid scenario is refused with a ScenarioError naming the path: ${JSON.stringify(input)}`, () => {
    assert.throws(
      () => parseScenario(input),
      (e: unknown) => e instanceof ScenarioError && message.test(e.message),
    );
  });
}

test('scenario files: YAML is read and validated; a bad file names itself', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ovc-scn-'));
  try {
    await writeFile(join(dir, 'ok.yaml'), 'name: mine\nguests: { count: 1, memory: 192M }\nstrategies: [none, zram]\n');
    const s = await loadScenarioFile(join(dir, 'ok.yaml'));
    assert.equal(s.name, 'mine');
    assert.deepEqual(s.strategies, ['none', 'zram']);
    await writeFile(join(dir, 'bad.yaml'), 'guests: { count: 0 }\n');
    await assert.rejects(loadScenarioFile(join(dir, 'bad.yaml')), /invalid scenario .*bad\.yaml: guests\.count/);
    await writeFile(join(dir, 'broken.yaml'), 'guests: [\n');
    await assert.rejects(loadScenarioFile(join(dir, 'broken.yaml')), /not valid YAML/);
    await assert.rejects(loadScenarioFile(join(dir, 'missing.yaml')), /cannot read scenario .*ENOENT/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('density and spike: built in, validated', () => {
  const d = builtinScenario('density');
  assert.deepEqual(d.density, { ratios: [1.5, 2, 2.5, 3, 4], minThroughput: 0.9 });
  assert.equal(d.strategies[0], 'none');
  const sp = builtinScenario('spike');
  assert.deepEqual(sp.spike, { guest: 1, atS: 10, share: 0.45 });
  assert.throws(() => parseScenario({ guests: { count: 2 }, spike: { guest: 3 } }), /spike\.guest: there are only 2/);
  assert.throws(
    () => parseScenario({ memcached: { fillShare: 0.8 }, spike: { share: 0.5 } }),
    /spike\.share: fillShare/,
  );
  assert.throws(() => parseScenario({ density: { ratios: [] } }), /density\.ratios/);
});
