import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderDoctor } from '../../../../src/cli/render/doctor.js';
import { diagnose, type HostFacts } from '../../../../src/host/doctor.js';

const facts: HostFacts = {
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

test('a ready host: one ok line per check, then "ready"', () => {
  const out = renderDoctor(diagnose(facts));
  const lines = out.split('\n');
  assert.equal(lines.length, 19 + 3); // 19 checks, blank line, summary, final newline
  assert.equal(lines[0], `ok  root${' '.repeat(15)}running as root`);
  assert.match(out, /^ok {2}zram {15}zram-control present; algorithms: lzo-rle, lzo, lz4$/m);
  assert.match(out, /^ok {2}kernel {13}6\.18\.44-fc-v669$/m);
  assert.ok(out.endsWith('\n\nready\n'), JSON.stringify(out.slice(-20)));
});

test('missing zram and not root: MISSING and WARN lines with their fixes, then the counts', () => {
  const out = renderDoctor(
    diagnose({ ...facts, isRoot: false, zram: { control: false, moduleLoaded: false, algorithms: [] } }),
  );
  assert.match(out, /^MISSING {2}zram {15}zram module not loaded -> modprobe zram$/m);
  assert.match(out, /^WARN {5}root {15}not root -> run with sudo \(status and doctor work without it\)$/m);
  assert.match(out, /^ok {7}ksm /m);
  assert.ok(out.endsWith('\n\n1 missing, 1 warning\n'), JSON.stringify(out.slice(-40)));
});

test('only warnings: still ready', () => {
  const out = renderDoctor(diagnose({ ...facts, psi: false, kvmDevice: false }));
  assert.ok(out.endsWith('\n\nready, 2 warnings\n'));
  assert.match(out, /^WARN {2}psi {16}no \/proc\/pressure -> boot with psi=1 \(CONFIG_PSI=y\)$/m);
});

test('no checks at all', () => {
  assert.equal(renderDoctor([]), '\n\nready\n');
});
