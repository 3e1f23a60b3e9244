import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../../../../src/errors.js';
import {
  MEMCACHED_LOAD_DEFAULTS,
  keySpaceForBytes,
  resolveLoadConfig,
  type MemcachedLoadInput,
} from '../../../../../src/lab/workloads/memcached/config.js';

/** Asserts that resolving `input` throws a UsageError naming `field` and showing `shown`. */
function rejects(input: unknown, field: string, shown: string): void {
  assert.throws(
    () => resolveLoadConfig(input as MemcachedLoadInput),
    (e: unknown) => {
      assert.ok(e instanceof UsageError, `UsageError, got ${String(e)}`);
      assert.equal(e.code, 'USAGE');
      assert.equal(e.context.field, field);
      assert.match(e.message, new RegExp(`memcached load: ${field.replace(/[.[\]]/g, '\\$&')} must be`));
      assert.ok(e.message.includes(`got ${shown}`), `message shows the bad value: ${e.message}`);
      assert.ok(e.hint.length > 0);
      return true;
    },
  );
}

describe('memcached load config', () => {
  test('defaults: one target on 127.0.0.1:11211, closed loop, valid content mix', () => {
    const c = resolveLoadConfig();
    assert.deepEqual(c.targets, [{ host: '127.0.0.1', port: 11211 }]);
    assert.equal(c.connectionsPerTarget, MEMCACHED_LOAD_DEFAULTS.connectionsPerTarget);
    assert.deepEqual(c.mode, { kind: 'closed' });
    const m = c.content;
    assert.ok(Math.abs(m.duplicatedShare + m.compressibleShare + m.randomShare - 1) < 1e-9);
  });

  test('host/port shorthand and several targets', () => {
    assert.deepEqual(resolveLoadConfig({ port: 4000 }).targets, [{ host: '127.0.0.1', port: 4000 }]);
    const targets = [
      { host: '10.0.0.1', port: 11211 },
      { host: '10.0.0.2', port: 11211 },
    ];
    assert.deepEqual(resolveLoadConfig({ targets }).targets, targets);
  });

  test('resolving a resolved config gives the same config', () => {
    const c = resolveLoadConfig({ port: 4000, getRatio: 0.5, mode: { kind: 'rate', opsPerSec: 1000 } });
    assert.deepEqual(resolveLoadConfig(c), c);
  });

  test('each bad field is named with its value', () => {
    rejects({ port: 0 }, 'targets[0].port', '0');
    rejects({ port: 70000 }, 'targets[0].port', '70000');
    rejects({ targets: [] }, 'targets', '[]');
    rejects({ targets: [{ host: '', port: 1 }] }, 'targets[0].host', "''");
    rejects({ targets: [{ host: 'a', port: 1 }], port: 2 }, 'targets', '[{"host":"a","port":1}]');
    rejects({ connectionsPerTarget: 0 }, 'connectionsPerTarget', '0');
    rejects({ connectionsPerTarget: 1.5 }, 'connectionsPerTarget', '1.5');
    rejects({ pipelineDepth: 5000 }, 'pipelineDepth', '5000');
    rejects({ getRatio: 1.2 }, 'getRatio', '1.2');
    rejects({ getRatio: Number.NaN }, 'getRatio', 'NaN');
    rejects({ keySpace: 0 }, 'keySpace', '0');
    rejects({ keyPrefix: 'a b' }, 'keyPrefix', "'a b'");
    rejects({ keyPrefix: 'x'.repeat(249), keySpace: 1000 }, 'keyPrefix', `'${'x'.repeat(249)}'`);
    rejects({ access: { kind: 'zipf', theta: -1 } }, 'access.theta', '-1');
    rejects({ access: { kind: 'pareto' } }, 'access.kind', "'pareto'");
    rejects({ valueSize: { kind: 'fixed', bytes: 4 } }, 'valueSize.bytes', '4');
    rejects({ valueSize: { kind: 'fixed', bytes: 2 * 1024 * 1024 } }, 'valueSize.bytes', '2097152');
    rejects({ valueSize: { kind: 'uniform', minBytes: 100, maxBytes: 50 } }, 'valueSize.maxBytes', '50');
    rejects(
      { content: { duplicatedShare: 0.5, compressibleShare: 0.5, randomShare: 0.5 } },
      'content',
      '{"duplicatedShare":0.5,"compressibleShare":0.5,"randomShare":0.5}',
    );
    rejects(
      { content: { duplicatedShare: -0.5, compressibleShare: 1, randomShare: 0.5 } },
      'content.duplicatedShare',
      '-0.5',
    );
    rejects({ mode: { kind: 'rate', opsPerSec: 0 } }, 'mode.opsPerSec', '0');
    rejects({ mode: { kind: 'open' } }, 'mode.kind', "'open'");
    rejects({ durationS: 0 }, 'durationS', '0');
    rejects({ durationS: -3 }, 'durationS', '-3');
    rejects({ fill: 'yes' }, 'fill', "'yes'");
    rejects({ seed: -1 }, 'seed', '-1');
    rejects({ verifyBatchKeys: 0 }, 'verifyBatchKeys', '0');
    rejects({ reconnectWindowS: -1 }, 'reconnectWindowS', '-1');
  });

  test('unknown fields are refused by name', () => {
    rejects({ conections: 4 }, 'conections', '4');
  });

  test('keySpaceForBytes sizes a fill to a byte target', () => {
    assert.equal(keySpaceForBytes(1024 * 1024, { kind: 'fixed', bytes: 1024 }), 1024);
    assert.equal(keySpaceForBytes(3000, { kind: 'uniform', minBytes: 100, maxBytes: 200 }), 20);
    assert.equal(keySpaceForBytes(1, { kind: 'fixed', bytes: 1024 }), 1);
  });
});
