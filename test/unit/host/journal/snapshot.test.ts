import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffSnapshots, type HostSnapshot } from '../../../../src/host/journal/snapshot.js';

function base(): HostSnapshot {
  return {
    knobs: { 'ksm/run': '0', 'ksm/advisor_mode': 'none', 'zswap/enabled': 'N', 'vm/swappiness': '60' },
    swaps: [{ filename: '/dev/sda2', type: 'partition', sizeBytes: 1073737728, priority: -2 }],
    zram: [{ index: 0, disksizeBytes: 0, algorithm: 'lzo-rle' }],
    cgroups: ['system.slice', 'user.slice'],
  };
}

describe('diffSnapshots', () => {
  test('equal snapshots -> no lines', () => {
    assert.deepEqual(diffSnapshots(base(), base()), []);
  });

  test('a changed knob is named with both values', () => {
    const after = base();
    after.knobs['ksm/run'] = '1';
    after.knobs['zswap/enabled'] = 'Y';
    assert.deepEqual(diffSnapshots(base(), after), ['knob ksm/run: 0 -> 1', 'knob zswap/enabled: N -> Y']);
  });

  test('a knob that appeared or disappeared', () => {
    const after = base();
    delete after.knobs['vm/swappiness'];
    after.knobs['zswap/zpool'] = 'zbud';
    assert.deepEqual(diffSnapshots(base(), after), [
      'knob vm/swappiness: 60 -> undefined',
      'knob zswap/zpool: undefined -> zbud',
    ]);
  });

  test('a swap left behind', () => {
    const after = base();
    after.swaps.push({
      filename: '/var/lib/overcommit/overcommit.swap',
      type: 'file',
      sizeBytes: 1073737728,
      priority: 10,
    });
    const d = diffSnapshots(base(), after);
    assert.equal(d.length, 1);
    assert.equal(
      d[0],
      'swaps: [{"filename":"/dev/sda2","type":"partition","sizeBytes":1073737728,"priority":-2}] -> ' +
        '[{"filename":"/dev/sda2","type":"partition","sizeBytes":1073737728,"priority":-2},' +
        '{"filename":"/var/lib/overcommit/overcommit.swap","type":"file","sizeBytes":1073737728,"priority":10}]',
    );
  });

  test('a zram device left configured and a cgroup left behind', () => {
    const after = base();
    after.zram.push({ index: 1, disksizeBytes: 268435456, algorithm: 'lz4' });
    after.cgroups.push('overcommit', 'overcommit/vm1');
    assert.deepEqual(diffSnapshots(base(), after), [
      'zram: [{"index":0,"disksizeBytes":0,"algorithm":"lzo-rle"}] -> [{"index":0,"disksizeBytes":0,"algorithm":"lzo-rle"},{"index":1,"disksizeBytes":268435456,"algorithm":"lz4"}]',
      'cgroups: ["system.slice","user.slice"] -> ["system.slice","user.slice","overcommit","overcommit/vm1"]',
    ]);
  });

  test('a swap priority change alone is a difference', () => {
    const after = base();
    const s = after.swaps[0];
    assert.ok(s);
    s.priority = 5;
    assert.equal(diffSnapshots(base(), after).length, 1);
  });
});
