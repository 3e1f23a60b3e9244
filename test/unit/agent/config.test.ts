import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  applyPolicyPatch,
  isLoopback,
  loadConfig,
  parseConfig,
  parsePolicyPatch,
  printConfig,
  reloadConfig,
} from '../../../src/agent/config.js';
import { usageError } from '../fixtures.js';

const dir = await mkdtemp(join(tmpdir(), 'overcommit-agent-config-'));
after(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('agent config schema', () => {
  test('an empty document is every default', () => {
    const c = parseConfig({});
    assert.equal(c.tickSeconds, 1);
    assert.equal(c.dryRun, false);
    assert.deepEqual(c.guests, {
      qmpSockets: [],
      libvirt: { enabled: false, uri: 'qemu:///system', statsPeriodSeconds: 2 },
      timeoutMs: 1000,
    });
    assert.deepEqual(c.http, { listen: '127.0.0.1', port: 9474, allowRemote: false, maxBodyBytes: 16384 });
    assert.deepEqual(c.policy.ksm, { mode: 'adaptive', maxCpuPercent: 20 });
    assert.equal(c.policy.balloon.floorBytes, 128 * 1024 * 1024);
    assert.deepEqual(c.shutdown, { restoreHost: true, deflateBalloons: true });
    assert.equal(c.log.level, 'info');
    assert.equal(c.budgetCgroup, undefined);
    assert.deepEqual(parseConfig(null), c);
  });

  test('sizes accept strings', () => {
    const c = parseConfig({ policy: { balloon: { floorBytes: '256M' } }, http: { maxBodyBytes: '4K' } });
    assert.equal(c.policy.balloon.floorBytes, 256 * 1024 * 1024);
    assert.equal(c.http.maxBodyBytes, 4096);
  });

  test('a non-loopback listen is refused unless allowRemote', () => {
    assert.throws(
      () => parseConfig({ http: { listen: '0.0.0.0' } }),
      usageError(/http\.listen: is not a loopback address: set http\.allowRemote: true .* \(got "0\.0\.0\.0"\)/),
    );
    assert.equal(parseConfig({ http: { listen: '0.0.0.0', allowRemote: true } }).http.listen, '0.0.0.0');
    assert.equal(parseConfig({ http: { listen: '::1' } }).http.listen, '::1');
  });

  test('isLoopback', () => {
    for (const h of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
      assert.equal(isLoopback(h), true, h);
    }
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', 'example.com', '']) {
      assert.equal(isLoopback(h), false, h);
    }
  });

  test('a bad size names the path and the value', () => {
    assert.throws(
      () => parseConfig({ policy: { balloon: { floorBytes: '12Q' } } }),
      usageError(/policy\.balloon\.floorBytes: is not a size .*\(got "12Q"\)/),
    );
  });

  test('unknown keys are refused, at any depth', () => {
    assert.throws(() => parseConfig({ tickSecond: 2 }), usageError(/tickSecond: unknown key/));
    assert.throws(
      () => parseConfig({ guests: { libvirt: { url: 'x' } } }),
      usageError(/guests\.libvirt\.url: unknown/),
    );
  });

  test('other errors: types, ranges, order, token length, token and tokenFile', () => {
    assert.throws(() => parseConfig({ tickSeconds: 'fast' }), usageError(/tickSeconds: .*\(got "fast"\)/));
    assert.throws(() => parseConfig({ http: { port: 70000 } }), usageError(/http\.port: .*\(got 70000\)/));
    assert.throws(
      () => parseConfig({ policy: { balloon: { lowWatermark: 0.3 } } }),
      usageError(/policy\.balloon\.lowWatermark: must be below highWatermark \(0\.2\) \(got 0\.3\)/),
    );
    assert.throws(() => parseConfig({ http: { token: 'short' } }), usageError(/http\.token: .*16 characters/));
    assert.throws(() => parseConfig({ http: { token: 'x'.repeat(20), tokenFile: '/etc/t' } }), usageError(/not both/));
    assert.throws(() => parseConfig({ policy: { ksm: { mode: 'fast' } } }), usageError(/policy\.ksm\.mode/));
  });

  test('printConfig round-trips and hides the token', () => {
    const c = parseConfig({
      tickSeconds: 2,
      guests: { qmpSockets: ['/run/vm/*.qmp'], libvirt: { enabled: true } },
      policy: { ksm: { mode: 'ksmtuned' }, balloon: { floorBytes: '300M' } },
      budgetCgroup: 'machine.slice',
    });
    const text = printConfig(c);
    assert.deepEqual(parseConfig(parseYaml(text)), c);
    assert.match(text, /^# effective overcommit agent config/);

    const secret = parseConfig({ http: { token: 'abcdefghijklmnopqrstuvwxyz' } });
    const hidden = printConfig(secret);
    assert.doesNotMatch(hidden, /abcdefghijklmnop/);
    assert.match(hidden, /http\.token is set \(hidden\)/);
    assert.deepEqual(parseConfig(parseYaml(printConfig(secret, { showSecrets: true }))), secret);
  });
});

describe('loadConfig / reloadConfig', () => {
  test('loads YAML; errors name the file', async () => {
    const good = await file('good.yaml', 'tickSeconds: 5\npolicy:\n  balloon:\n    floorBytes: 256M\n');
    const c = await loadConfig(good);
    assert.equal(c.tickSeconds, 5);
    assert.equal(c.policy.balloon.floorBytes, 256 * 1024 * 1024);

    const bad = await file('bad.yaml', 'http:\n  listen: 192.168.1.4\n');
    await assert.rejects(loadConfig(bad), usageError(new RegExp(`invalid config ${bad}: http\\.listen`)));
    const broken = await file('broken.yaml', 'http: [\n');
    await assert.rejects(loadConfig(broken), usageError(/is not valid YAML/));
    await assert.rejects(loadConfig(join(dir, 'missing.yaml')), usageError(/cannot read config .*ENOENT/));
    assert.equal((await loadConfig(join(dir, 'missing.yaml'), { missingOk: true })).tickSeconds, 1);
    assert.equal((await loadConfig(await file('empty.yaml', ''))).tickSeconds, 1);
  });

  test('reload keeps the old config when the new one is invalid', async () => {
    const path = await file('reload.yaml', 'tickSeconds: 2\n');
    const current = await loadConfig(path);
    await writeFile(path, 'tickSeconds: 3\npolicy:\n  ksm:\n    mode: off\n');
    const ok = await reloadConfig(path, current);
    assert.equal(ok.error, undefined);
    assert.equal(ok.config.tickSeconds, 3);
    assert.deepEqual(ok.changed.sort(), ['policy.ksm.mode', 'tickSeconds']);

    await writeFile(path, 'tickSeconds: -1\n');
    const bad = await reloadConfig(path, ok.config);
    assert.equal(bad.config, ok.config);
    assert.match(bad.error?.message ?? '', /tickSeconds: .*\(got -1\)/);
    assert.deepEqual(bad.changed, []);
  });
});

describe('policy patch', () => {
  const policy = parseConfig({}).policy;

  test('only the given fields change; sizes accepted', () => {
    const patch = parsePolicyPatch({ ksm: { mode: 'off' }, balloon: { floorBytes: '64M' } });
    assert.deepEqual(patch, { ksm: { mode: 'off' }, balloon: { floorBytes: 64 * 1024 * 1024 } });
    const next = applyPolicyPatch(policy, patch);
    assert.equal(next.ksm.mode, 'off');
    assert.equal(next.ksm.maxCpuPercent, policy.ksm.maxCpuPercent);
    assert.equal(next.balloon.floorBytes, 64 * 1024 * 1024);
  });

  test('invalid patches and patches that break the whole are refused', () => {
    assert.throws(() => parsePolicyPatch({ ksm: { speed: 1 } }), usageError(/ksm\.speed: unknown key/));
    assert.throws(() => parsePolicyPatch({ balloon: { lowWatermark: 2 } }), usageError(/balloon\.lowWatermark/));
    const patch = parsePolicyPatch({ balloon: { lowWatermark: 0.5 } });
    assert.throws(() => applyPolicyPatch(policy, patch), usageError(/lowWatermark: must be below highWatermark/));
  });
});
