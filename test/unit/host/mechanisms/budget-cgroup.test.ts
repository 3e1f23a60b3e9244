import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CGROUP_PREFIX,
  checkGroupName,
  chooseCgroupLayout,
  parseLimit,
  parseMemoryStat,
  parsePids,
  readBudget,
} from '../../../../src/host/mechanisms/budget-cgroup.js';
import { fixture, fixturePath, usageError } from '../../fixtures.js';

const FS = '/sys/fs/cgroup';

describe('chooseCgroupLayout', () => {
  test('pure v2: the root lists memory -> v2 at the mount root', () => {
    assert.deepEqual(
      chooseCgroupLayout(FS, {
        rootControllers: 'cpuset cpu io memory hugetlb pids rdma misc\n',
        v1MemoryLimit: false,
      }),
      { version: 2, memoryRoot: FS },
    );
  });

  test('this machine: v1 memory at /sys/fs/cgroup/memory and a unified mount without memory -> v1', () => {
    assert.deepEqual(chooseCgroupLayout(FS, { v1MemoryLimit: true, unifiedControllers: 'hugetlb\n' }), {
      version: 1,
      memoryRoot: '/sys/fs/cgroup/memory',
    });
  });

  test('v1 memory and an empty unified mount -> v1', () => {
    assert.deepEqual(chooseCgroupLayout(FS, { v1MemoryLimit: true, unifiedControllers: '\n' }), {
      version: 1,
      memoryRoot: '/sys/fs/cgroup/memory',
    });
  });

  test('hybrid with memory on the unified mount (no v1 memory) -> v2 at /unified', () => {
    assert.deepEqual(chooseCgroupLayout(FS, { v1MemoryLimit: false, unifiedControllers: 'memory pids\n' }), {
      version: 2,
      memoryRoot: '/sys/fs/cgroup/unified',
    });
  });

  test('a v2 root without memory and v1 memory mounted -> v1', () => {
    assert.deepEqual(chooseCgroupLayout(FS, { rootControllers: 'cpu io pids\n', v1MemoryLimit: true }), {
      version: 1,
      memoryRoot: '/sys/fs/cgroup/memory',
    });
  });

  test('no memory controller anywhere -> undefined', () => {
    assert.equal(chooseCgroupLayout(FS, { v1MemoryLimit: false }), undefined);
    assert.equal(
      chooseCgroupLayout(FS, { rootControllers: 'cpu io\n', v1MemoryLimit: false, unifiedControllers: 'hugetlb\n' }),
      undefined,
    );
  });

  test('a controller whose name only contains "memory" does not count', () => {
    assert.equal(chooseCgroupLayout(FS, { rootControllers: 'memory_x cpu\n', v1MemoryLimit: false }), undefined);
  });

  test('the mount root is a parameter', () => {
    assert.deepEqual(chooseCgroupLayout('/tmp/cg', { v1MemoryLimit: true }), {
      version: 1,
      memoryRoot: '/tmp/cg/memory',
    });
  });
});

describe('parseLimit', () => {
  test('"max" (v2) -> null', () => {
    assert.equal(parseLimit('max\n'), null);
  });

  test('v1 "no limit" (PAGE_COUNTER_MAX x 4 KiB = 9223372036854771712) -> null', () => {
    assert.equal(parseLimit('9223372036854771712\n'), null);
  });

  test('v1 "no limit" with 64 KiB pages (9223372036854710272) -> null', () => {
    assert.equal(parseLimit('9223372036854710272\n'), null);
  });

  test('a real limit -> bytes', () => {
    assert.equal(parseLimit('67108864\n'), 67108864);
    assert.equal(parseLimit('0\n'), 0);
  });
});

describe('parsePids', () => {
  test('one pid a line; blank lines ignored', () => {
    assert.deepEqual(parsePids('4242\n4243\n\n'), [4242, 4243]);
    assert.deepEqual(parsePids(''), []);
    assert.deepEqual(parsePids('  17 \nnot-a-pid\n'), [17]);
  });
});

describe('parseMemoryStat', () => {
  test('v1 memory.stat (6.18 capture): shmem case and anon case', () => {
    const shm = parseMemoryStat(fixture('6.18', 'cgv1-memory.stat'));
    assert.equal(shm.shmem, 66318336);
    assert.equal(shm.rss, 0);
    assert.equal(shm.swap, 90968064);
    assert.equal(shm.hierarchical_memory_limit, 67108864);
    const anon = parseMemoryStat(fixture('6.18', 'cgv1-memory.stat-anon'));
    assert.equal(anon.rss, 66646016);
    assert.equal(anon.swap, 90640384);
    assert.equal(anon.total_swap, 90640384);
  });

  test('v2 memory.stat (hand-made 6.1): anon, zswap, zswapped', () => {
    const st = parseMemoryStat(fixture('6.1', 'cgv2-group/memory.stat'));
    assert.equal(st.anon, 180355072);
    assert.equal(st.zswap, 10485760);
    assert.equal(st.zswapped, 31457280);
    assert.equal(st.zswpout, 20480);
  });
});

describe('checkGroupName', () => {
  test('letters, digits, - and _ up to 64 characters are accepted', () => {
    assert.doesNotThrow(() => checkGroupName('vm-01_a'));
    assert.doesNotThrow(() => checkGroupName('a'.repeat(64)));
  });

  for (const bad of ['', '../etc', 'a/b', '-x', '_x', 'a b', 'a.b', 'a'.repeat(65), 'memory.max']) {
    test(`'${bad.length > 20 ? `${bad.slice(0, 5)}... (${bad.length})` : bad}' is refused`, () => {
      assert.throws(() => checkGroupName(bad), usageError(/^invalid group name '/));
    });
  }

  test('the prefix all our groups live under', () => {
    assert.equal(CGROUP_PREFIX, 'overcommit');
  });
});

describe('readBudget (reads a fixture group directory, read-only)', () => {
  test('v2 group (hand-made 6.1): usage, limit, swap, zswap, pressure, limit hits, pids; no zswap.writeback', async () => {
    const path = fixturePath('6.1', 'cgv2-group');
    const b = await readBudget({ version: 2, memoryRoot: '/unused' }, path);
    assert.equal(b.path, path);
    assert.equal(b.version, 2);
    assert.equal(b.usageBytes, 201326592);
    assert.equal(b.limitBytes, 268435456);
    assert.equal(b.swapUsageBytes, 52428800);
    assert.equal(b.swapLimitBytes, null);
    assert.equal(b.zswapBytes, 10485760);
    assert.equal(b.zswapMaxBytes, null);
    assert.equal('zswapWriteback' in b, false);
    assert.equal(b.limitHits, 17);
    assert.equal(b.oomKills, 1);
    assert.deepEqual(b.pids, [4242, 4243]);
    assert.deepEqual(b.pressure, {
      some: { avg10: 2.5, avg60: 1.25, avg300: 0.4, totalUs: 3456789 },
      full: { avg10: 1.1, avg60: 0.6, avg300: 0.2, totalUs: 1234567 },
    });
    assert.equal(b.stat.anon, 180355072);
  });

  test('v1 group: swap = memsw usage - memory usage; unlimited memsw -> null swap limit; failcnt', async () => {
    const path = fixturePath('6.1', 'cgv1-group');
    const b = await readBudget({ version: 1, memoryRoot: '/unused' }, path);
    assert.equal(b.version, 1);
    assert.equal(b.usageBytes, 66646016);
    assert.equal(b.limitBytes, 67108864);
    assert.equal(b.swapUsageBytes, 157286400 - 66646016);
    assert.equal(b.swapUsageBytes, b.stat.swap);
    assert.equal(b.swapLimitBytes, null);
    assert.equal(b.limitHits, 311);
    assert.equal(b.oomKills, 2, 'memory.oom_control oom_kill');
    assert.deepEqual(b.pids, [5151]);
    assert.equal('pressure' in b, false);
  });

  test('a directory with no files: zero usage, no limit, no pids', async () => {
    const b = await readBudget({ version: 2, memoryRoot: '/unused' }, fixturePath('6.1', 'no-such-group'));
    assert.equal(b.usageBytes, 0);
    assert.equal(b.limitBytes, null);
    assert.deepEqual(b.pids, []);
    assert.deepEqual(b.stat, {});
  });
});
