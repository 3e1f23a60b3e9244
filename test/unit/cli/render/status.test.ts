import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderStatus } from '../../../../src/cli/render/status.js';
import { parseKsm } from '../../../../src/host/mechanisms/ksm.js';
import { parseMeminfo, parsePressure, parseVmstat } from '../../../../src/host/procfs.js';
import type { HostStatus } from '../../../../src/host/status.js';
import { parseProcSwaps } from '../../../../src/host/swaps.js';
import { parseUksm } from '../../../../src/host/mechanisms/uksm.js';
import { parseZramDevice } from '../../../../src/host/mechanisms/zram.js';
import { parseZswapParams, zswapStatsFrom } from '../../../../src/host/mechanisms/zswap.js';
import { fixture, fixtureDir } from '../../fixtures.js';

const TAKEN_AT = '2025-01-02T03:04:05.000Z';

/** The status of this 6.18 machine, built from the captured files the way readHostStatus builds it. */
async function status618(): Promise<HostStatus> {
  const mi = parseMeminfo(fixture('6.18', 'proc-meminfo-zswap'));
  const vm = parseVmstat(fixture('6.18', 'proc-vmstat-zswap'));
  const zswap = parseZswapParams(await fixtureDir('6.18', 'zswap'));
  const stats = zswapStatsFrom(mi, vm);
  assert.ok(stats);
  zswap.stats = stats;
  const zram = parseZramDevice(1, {
    disksize: '268435456\n',
    comp_algorithm: fixture('6.18', 'zram-comp_algorithm'),
    mm_stat: fixture('6.18', 'zram-mm_stat'),
    io_stat: fixture('6.18', 'zram-io_stat'),
  });
  const psi = (r: string) => parsePressure(fixture('6.18', `pressure-${r}`));
  const memory = psi('memory');
  const io = psi('io');
  const cpu = psi('cpu');
  assert.ok(memory && io && cpu);
  return {
    takenAt: TAKEN_AT,
    kernel: '6.18.44-fc-v669',
    memory: {
      totalBytes: mi.MemTotal ?? 0,
      availableBytes: mi.MemAvailable ?? 0,
      freeBytes: mi.MemFree ?? 0,
      cachedBytes: mi.Cached ?? 0,
      anonBytes: (mi.AnonPages ?? 0) + (mi.Shmem ?? 0),
      swapTotalBytes: mi.SwapTotal ?? 0,
      swapFreeBytes: mi.SwapFree ?? 0,
    },
    ksm: parseKsm(await fixtureDir('6.18', 'ksm')),
    uksm: parseUksm(undefined),
    zram: [{ ...zram, ours: true }],
    zswap,
    swaps: parseProcSwaps(fixture('6.18', 'proc-swaps')).map((s) => ({ ...s, ours: true })),
    swapIo: { pswpin: vm.pswpin ?? 0, pswpout: vm.pswpout ?? 0 },
    psi: { memory, io, cpu },
    thp: { enabled: 'madvise', defrag: 'madvise' },
    cgroup: { layout: { version: 1, memoryRoot: '/sys/fs/cgroup/memory' }, groups: [] },
  };
}

/** A 6.1 host: KSM without advisor, zswap with zbud, no zram device, no swap, no PSI, no memory cgroup. */
async function status61(): Promise<HostStatus> {
  return {
    takenAt: TAKEN_AT,
    kernel: '6.1.0-18-amd64',
    memory: {
      totalBytes: 8 * 1024 ** 3,
      availableBytes: 4 * 1024 ** 3,
      freeBytes: 2 * 1024 ** 3,
      cachedBytes: 1024 ** 3,
      anonBytes: 512 * 1024 ** 2,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
    },
    ksm: parseKsm(await fixtureDir('6.1', 'ksm')),
    uksm: parseUksm(undefined),
    zram: [],
    zswap: parseZswapParams(await fixtureDir('6.1', 'zswap')),
    swaps: [],
    swapIo: { pswpin: 0, pswpout: 0 },
    psi: {},
    thp: {},
    cgroup: { groups: [] },
  };
}

/** The rows of the rendered table as [label, text]: labels are padded to 7 ('Swap IO', 'cgroups', 'Journal'). */
function rows(out: string): Array<[string, string]> {
  return out
    .split('\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => {
      assert.match(l, /^.{7} {2}\S/, `row not aligned: ${JSON.stringify(l)}`);
      return [l.slice(0, 7).trimEnd(), l.slice(9)];
    });
}

describe('renderStatus', () => {
  test('6.18 host from the captures: every section with exact figures', async () => {
    const out = renderStatus(await status618());
    const lines = out.split('\n');
    assert.equal(lines[0], `overcommit status — kernel 6.18.44-fc-v669, ${TAKEN_AT}`);
    assert.ok(out.endsWith('\n'));
    assert.deepEqual(rows(out), [
      ['Memory', 'total 23.5 GiB, available 23.2 GiB, free 23.1 GiB, cached 261 MiB, anon+shmem 83.3 MiB'],
      ['', 'swap 86.4 MiB used of 256 MiB'],
      ['KSM', 'run=1 pages_to_scan=1000 sleep=20ms advisor=none smart_scan=1 use_zero_pages=0 max_page_sharing=256'],
      ['', 'saved 63.8 MiB (sharing 16320 pages onto 64, ratio 255.0), profit 62.8 MiB'],
      ['', 'unshared 0, volatile 0, skipped 0, zero 0, full scans 14'],
      ['UKSM', 'not in this kernel (the uksm preset uses its features on KSM)'],
      ['zram', 'zram1 (ours) 256 MiB lz4: stores 86.8 MiB in 29.5 MiB (2.9x), uses 29.7 MiB, same pages 0'],
      ['zswap', 'enabled=N compressor=lzo max_pool=20% accept=90% shrinker=N'],
      ['', 'pool 29.8 MiB holds 86.4 MiB (2.9x); pages in 0, out 22129, written back 0'],
      ['Swap', '/dev/zram1 partition 256 MiB, used 86.8 MiB, priority 100 (ours)'],
      ['Swap IO', 'pswpin 0, pswpout 22209 (pages since boot)'],
      [
        'PSI',
        'memory some 1.99/0.35/0.07 full 1.99/0.35/0.07; io some 0.00/0.04/0.01 full 0.00/0.04/0.01; ' +
          'cpu some 0.55/1.17/0.36 full 0.00/0.00/0.00 (avg10/60/300 %)',
      ],
      ['THP', 'enabled=madvise defrag=madvise'],
      ['cgroups', 'memory v1 at /sys/fs/cgroup/memory; budget groups: none'],
      ['Journal', 'none: overcommit has changed nothing on this host'],
    ]);
  });

  test('6.1 host: no advisor/smart_scan/profit/skipped, zpool shown, no zram, no swap, no PSI, no cgroup', async () => {
    assert.deepEqual(rows(renderStatus(await status61())), [
      ['Memory', 'total 8.00 GiB, available 4.00 GiB, free 2.00 GiB, cached 1.00 GiB, anon+shmem 512 MiB'],
      ['', 'swap 0 B used of 0 B'],
      ['KSM', 'run=1 pages_to_scan=100 sleep=20ms use_zero_pages=0 max_page_sharing=256'],
      ['', 'saved 11.7 MiB (sharing 3000 pages onto 120, ratio 25.0)'],
      ['', 'unshared 500, volatile 12, full scans 3'],
      ['UKSM', 'not in this kernel (the uksm preset uses its features on KSM)'],
      ['zram', 'no devices (modprobe zram)'],
      ['zswap', 'enabled=Y compressor=lzo zpool=zbud max_pool=20% accept=90%'],
      ['Swap', 'none'],
      ['Swap IO', 'pswpin 0, pswpout 0 (pages since boot)'],
      ['PSI', 'memory n/a; io n/a; cpu n/a (avg10/60/300 %)'],
      ['THP', 'enabled=n/a defrag=n/a'],
      ['cgroups', 'no memory controller'],
      ['Journal', 'none: overcommit has changed nothing on this host'],
    ]);
  });

  test('no KSM, no zswap, a UKSM kernel, an unconfigured zram device not ours', async () => {
    const s = await status61();
    s.ksm = parseKsm(undefined);
    s.zswap = parseZswapParams(undefined);
    s.uksm = parseUksm({ run: '1\n', cpu_governor: 'full [medium] low\n', max_cpu_percentage: '95\n' });
    s.zram = [
      {
        ...parseZramDevice(0, { disksize: '0\n', comp_algorithm: 'lzo [lzo-rle] lz4 zstd\n' }),
        ours: false,
      },
    ];
    const out = renderStatus(s);
    assert.match(out, /^KSM {6}not in this kernel$/m);
    assert.match(out, /^UKSM {5}run=1 governor=medium max cpu 95%$/m);
    assert.match(out, /^zram {5}zram0 unconfigured; algorithms lzo lzo-rle lz4 zstd$/m);
    assert.match(out, /^zswap {4}not in this kernel$/m);
  });

  test('budget groups and a journal', async () => {
    const s = await status618();
    s.cgroup.groups = [
      {
        path: '/sys/fs/cgroup/memory/overcommit/vm1',
        version: 1,
        usageBytes: 66646016,
        limitBytes: 67108864,
        swapUsageBytes: 90640384,
        stat: {},
        pids: [5151],
      },
      { path: '/sys/fs/cgroup/memory/overcommit/vm2', version: 1, usageBytes: 0, limitBytes: null, stat: {}, pids: [] },
    ];
    s.journal = {
      label: 'apply zram',
      createdAt: TAKEN_AT,
      ownerPid: 1234,
      objects: 2,
      touchedKnobs: ['ksm/run', 'zswap/enabled'],
    };
    const out = renderStatus(s);
    assert.match(out, /^cgroups {2}memory v1 at \/sys\/fs\/cgroup\/memory; budget groups:$/m);
    assert.match(
      out,
      /^ {9}\/sys\/fs\/cgroup\/memory\/overcommit\/vm1: 63\.6 MiB of 64\.0 MiB, swap 86\.4 MiB, 1 processes$/m,
    );
    assert.match(out, /^ {9}\/sys\/fs\/cgroup\/memory\/overcommit\/vm2: 0 B of unlimited, 0 processes$/m);
    assert.ok(
      out.includes(
        `Journal  'apply zram' since ${TAKEN_AT} (pid 1234): 2 objects, knobs ksm/run zswap/enabled — overcommit restore undoes it`,
      ),
    );
  });

  test('a journal that touched no knob says so', async () => {
    const s = await status618();
    s.journal = { label: 'apply swap-disk', createdAt: TAKEN_AT, ownerPid: 9, objects: 1, touchedKnobs: [] };
    assert.match(renderStatus(s), /: 1 objects, knobs none — overcommit restore undoes it$/m);
  });

  test('a negative KSM general_profit is shown negative', async () => {
    const s = await status618();
    s.ksm = parseKsm({ ...(await fixtureDir('6.18', 'ksm')), general_profit: '-1048576\n' });
    assert.match(renderStatus(s), /, profit -1\.00 MiB$/m);
  });
});
