import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diagnose, type Check, type HostFacts } from '../../../src/host/doctor.js';

/** This machine (6.18, v1 memory cgroup, zram-control, zswap without zpool), as root, everything installed. */
function facts618(): HostFacts {
  return {
    isRoot: true,
    kernel: '6.18.44-fc-v669',
    ksm: { present: true, advisor: true, smartScan: true, zeroPages: true },
    uksm: false,
    zram: { control: true, moduleLoaded: true, algorithms: ['lzo-rle', 'lzo', 'lz4'] },
    zswap: { present: true, compressor: 'lzo', zpool: false },
    cgroup: { version: 1, memoryRoot: '/sys/fs/cgroup/memory', swapAccounting: true },
    psi: true,
    programs: {
      mkswap: '/usr/sbin/mkswap',
      swapon: '/usr/sbin/swapon',
      swapoff: '/usr/sbin/swapoff',
      fallocate: '/usr/bin/fallocate',
      'qemu-system-x86_64': '/usr/bin/qemu-system-x86_64',
    },
    kvmDevice: true,
    thp: 'madvise',
    debugfs: true,
  };
}

const byId = (checks: Check[], id: string): Check => {
  const c = checks.find((x) => x.id === id);
  assert.ok(c, `no check ${id}`);
  return c;
};

describe('diagnose', () => {
  test('a complete 6.18 host: every check ok, in a stable order, none with a fix', () => {
    const checks = diagnose(facts618());
    assert.deepEqual(
      checks.map((c) => c.id),
      [
        'root',
        'kernel',
        'ksm',
        'ksm-advisor',
        'ksm-smart-scan',
        'uksm',
        'zram',
        'zswap',
        'zswap-debugfs',
        'cgroup',
        'cgroup-swap',
        'thp',
        'psi',
        'program-mkswap',
        'program-swapon',
        'program-swapoff',
        'program-fallocate',
        'qemu',
        'kvm',
      ],
    );
    for (const c of checks) {
      assert.equal(c.status, 'ok', c.id);
      assert.equal('fix' in c, false, c.id);
    }
  });

  test('details of a complete host', () => {
    const checks = diagnose(facts618());
    assert.equal(byId(checks, 'kernel').detail, '6.18.44-fc-v669');
    assert.equal(byId(checks, 'zram').detail, 'zram-control present; algorithms: lzo-rle, lzo, lz4');
    assert.equal(byId(checks, 'zswap').detail, 'zswap present (compressor lzo, zsmalloc only)');
    assert.equal(byId(checks, 'cgroup').detail, 'memory cgroup v1 at /sys/fs/cgroup/memory');
    assert.equal(byId(checks, 'program-swapon').detail, '/usr/sbin/swapon');
    assert.equal(byId(checks, 'thp').detail, 'transparent hugepages: madvise');
    assert.equal(byId(checks, 'uksm').detail, 'no UKSM (upstream kernel): the uksm preset uses its features on KSM');
  });

  test("zram module not loaded -> missing, fix 'modprobe zram'", () => {
    const f = facts618();
    f.zram = { control: false, moduleLoaded: false, algorithms: [] };
    assert.deepEqual(byId(diagnose(f), 'zram'), {
      id: 'zram',
      status: 'missing',
      detail: 'zram module not loaded',
      fix: 'modprobe zram',
    });
  });

  test('zram loaded without zram-control and no device -> missing; with a device listing algorithms -> ok', () => {
    const f = facts618();
    f.zram = { control: false, moduleLoaded: true, algorithms: [] };
    const c = byId(diagnose(f), 'zram');
    assert.equal(c.status, 'missing');
    assert.equal(c.detail, 'zram loaded without zram-control');
    f.zram.algorithms = ['lzo', 'lz4'];
    assert.equal(byId(diagnose(f), 'zram').status, 'ok');
  });

  test('not root -> a warning (status and doctor work without root), not missing', () => {
    const f = facts618();
    f.isRoot = false;
    assert.deepEqual(byId(diagnose(f), 'root'), {
      id: 'root',
      status: 'warn',
      detail: 'not root',
      fix: 'run with sudo (status and doctor work without it)',
    });
    assert.equal(
      diagnose(f).some((c) => c.status === 'missing'),
      false,
    );
  });

  test('a 6.1 host: no advisor or smart_scan (warnings), zswap zpool selectable', () => {
    const f = facts618();
    f.kernel = '6.1.0-18-amd64';
    f.ksm = { present: true, advisor: false, smartScan: false, zeroPages: true };
    f.zswap = { present: true, compressor: 'lzo', zpool: true };
    const checks = diagnose(f);
    assert.deepEqual(byId(checks, 'ksm-advisor'), {
      id: 'ksm-advisor',
      status: 'warn',
      detail: 'no KSM advisor (kernel < 6.7)',
      fix: 'the uksm preset falls back to a fixed fast rate; a 6.7+ kernel adds the advisor',
    });
    assert.equal(byId(checks, 'ksm-smart-scan').status, 'warn');
    assert.equal(byId(checks, 'zswap').detail, 'zswap present (compressor lzo, zpool selectable)');
  });

  test('no KSM: missing, and no advisor/smart_scan checks at all', () => {
    const f = facts618();
    f.ksm = { present: false, advisor: false, smartScan: false, zeroPages: false };
    const checks = diagnose(f);
    assert.equal(byId(checks, 'ksm').status, 'missing');
    assert.equal(byId(checks, 'ksm').fix, 'use a kernel built with CONFIG_KSM=y');
    assert.equal(
      checks.some((c) => c.id === 'ksm-advisor' || c.id === 'ksm-smart-scan'),
      false,
    );
  });

  test('no zswap -> missing with the kernel config to use', () => {
    const f = facts618();
    f.zswap = { present: false, zpool: false };
    assert.deepEqual(byId(diagnose(f), 'zswap'), {
      id: 'zswap',
      status: 'missing',
      detail: 'no zswap',
      fix: 'use a kernel built with CONFIG_ZSWAP=y',
    });
  });

  test('no memory cgroup -> missing, and no cgroup-swap check', () => {
    const f = facts618();
    delete f.cgroup;
    const checks = diagnose(f);
    assert.equal(byId(checks, 'cgroup').status, 'missing');
    assert.equal(byId(checks, 'cgroup').detail, 'no memory cgroup controller mounted');
    assert.equal(
      checks.some((c) => c.id === 'cgroup-swap'),
      false,
    );
  });

  test('swap accounting off -> warning with swapaccount=1', () => {
    const f = facts618();
    f.cgroup = { version: 1, memoryRoot: '/sys/fs/cgroup/memory', swapAccounting: false };
    const c = byId(diagnose(f), 'cgroup-swap');
    assert.equal(c.status, 'warn');
    assert.equal(c.fix, 'boot with swapaccount=1 (v1)');
  });

  test('missing util-linux programs are missing; a missing qemu, /dev/kvm, PSI or debugfs only warn', () => {
    const f = facts618();
    f.programs = {};
    f.kvmDevice = false;
    f.psi = false;
    f.debugfs = false;
    delete f.thp;
    const checks = diagnose(f);
    for (const p of ['mkswap', 'swapon', 'swapoff', 'fallocate']) {
      assert.deepEqual(byId(checks, `program-${p}`), {
        id: `program-${p}`,
        status: 'missing',
        detail: `${p} not found`,
        fix: 'apt-get install util-linux',
      });
    }
    for (const id of ['qemu', 'kvm', 'psi', 'zswap-debugfs']) assert.equal(byId(checks, id).status, 'warn', id);
    assert.equal(byId(checks, 'kvm').detail, 'no /dev/kvm: guests will run under TCG (slow)');
    assert.equal(byId(checks, 'thp').detail, 'transparent hugepages: not present');
  });

  test('a UKSM kernel is reported as driven by the uksm preset', () => {
    const f = facts618();
    f.uksm = true;
    assert.equal(byId(diagnose(f), 'uksm').detail, 'UKSM kernel: the uksm preset drives it');
  });
});
