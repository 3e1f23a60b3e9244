import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { findProgram } from './apply.js';
import { detectCgroupLayout, type CgroupLayout } from './mechanisms/budget-cgroup.js';
import { exists, tryReadText } from './fsio.js';
import { parseChoice } from './journal/knobs.js';
import { readKsm } from './mechanisms/ksm.js';
import type { HostPaths } from './paths.js';
import { readUksm } from './mechanisms/uksm.js';
import { zramAlgorithms } from './mechanisms/zram.js';
import { readZswap } from './mechanisms/zswap.js';

/** What doctor looks at. Gathered by `gatherFacts`, judged by the pure `diagnose`. */
export interface HostFacts {
  isRoot: boolean;
  kernel: string;
  ksm: { present: boolean; advisor: boolean; smartScan: boolean; zeroPages: boolean };
  uksm: boolean;
  zram: { control: boolean; moduleLoaded: boolean; algorithms: string[] };
  zswap: { present: boolean; compressor?: string; zpool: boolean };
  cgroup?: CgroupLayout & { swapAccounting: boolean };
  psi: boolean;
  programs: Record<string, string | undefined>;
  kvmDevice: boolean;
  thp?: string;
  debugfs: boolean;
}

export type CheckStatus = 'ok' | 'warn' | 'missing';
export interface Check {
  id: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it (only when not ok). */
  fix?: string;
}

const PROGRAMS = ['mkswap', 'swapon', 'swapoff', 'fallocate', 'qemu-system-x86_64'];

export async function gatherFacts(paths: HostPaths): Promise<HostFacts> {
  const ksm = await readKsm(paths);
  const zs = await readZswap(paths);
  const layout = await detectCgroupLayout(paths);
  const programs: Record<string, string | undefined> = {};
  for (const p of PROGRAMS) programs[p] = await findProgram(p);
  const thp = await tryReadText(join(paths.sys, 'kernel/mm/transparent_hugepage/enabled'));
  const facts: HostFacts = {
    isRoot: process.getuid?.() === 0,
    kernel: ((await tryReadText(join(paths.proc, 'sys/kernel/osrelease'))) ?? 'unknown').trim(),
    ksm: {
      present: ksm.present,
      advisor: ksm.settings.advisor_mode !== undefined,
      smartScan: ksm.settings.smart_scan !== undefined,
      zeroPages: ksm.settings.use_zero_pages !== undefined,
    },
    uksm: (await readUksm(paths)).present,
    zram: {
      control: await exists(join(paths.sys, 'class/zram-control/hot_add')),
      moduleLoaded: await exists(join(paths.sys, 'module/zram')),
      algorithms: (await zramAlgorithms(paths)) ?? [],
    },
    zswap: { present: zs.present, zpool: zs.settings.zpool !== undefined },
    psi: (await tryReadText(join(paths.proc, 'pressure/memory'))) !== undefined,
    programs,
    kvmDevice: await exists(join(paths.dev, 'kvm')),
    debugfs: await exists(join(paths.sys, 'kernel/debug/zswap')),
  };
  if (zs.settings.compressor) facts.zswap.compressor = zs.settings.compressor;
  if (thp) facts.thp = parseChoice(thp).selected ?? thp.trim();
  if (layout) {
    facts.cgroup = { ...layout, swapAccounting: await hasSwapAccounting(layout) };
  }
  return facts;
}

/** v1: memory.memsw.* exist at the root. v2: the root has no memory files, so look for memory.swap.max in a child. */
async function hasSwapAccounting(layout: CgroupLayout): Promise<boolean> {
  if (layout.version === 1) return exists(join(layout.memoryRoot, 'memory.memsw.limit_in_bytes'));
  const children = await readdir(layout.memoryRoot, { withFileTypes: true }).catch(() => []);
  for (const d of children) {
    if (d.isDirectory() && (await exists(join(layout.memoryRoot, d.name, 'memory.current')))) {
      return exists(join(layout.memoryRoot, d.name, 'memory.swap.max'));
    }
  }
  return false;
}

/** Judges the facts: one check per capability, each with a fix when it is not ok. Pure. */
export function diagnose(f: HostFacts): Check[] {
  const c: Check[] = [];
  const add = (id: string, ok: boolean, detail: string, fix: string, status: CheckStatus = 'missing') =>
    c.push(ok ? { id, status: 'ok', detail } : { id, status, detail, fix });
  add(
    'root',
    f.isRoot,
    f.isRoot ? 'running as root' : 'not root',
    'run with sudo (status and doctor work without it)',
    'warn',
  );
  c.push({ id: 'kernel', status: 'ok', detail: f.kernel });
  add(
    'ksm',
    f.ksm.present,
    f.ksm.present ? 'KSM present' : 'no /sys/kernel/mm/ksm',
    'use a kernel built with CONFIG_KSM=y',
  );
  if (f.ksm.present) {
    add(
      'ksm-advisor',
      f.ksm.advisor,
      f.ksm.advisor ? 'advisor (scan-time) present' : 'no KSM advisor (kernel < 6.7)',
      'the uksm preset falls back to a fixed fast rate; a 6.7+ kernel adds the advisor',
      'warn',
    );
    add(
      'ksm-smart-scan',
      f.ksm.smartScan,
      f.ksm.smartScan ? 'smart_scan present' : 'no smart_scan (kernel < 6.7)',
      'a 6.7+ kernel adds it',
      'warn',
    );
  }
  c.push({
    id: 'uksm',
    status: 'ok',
    detail: f.uksm
      ? 'UKSM kernel: the uksm preset drives it'
      : 'no UKSM (upstream kernel): the uksm preset uses its features on KSM',
  });
  add(
    'zram',
    f.zram.control || f.zram.algorithms.length > 0,
    f.zram.control
      ? `zram-control present; algorithms: ${f.zram.algorithms.join(', ') || '?'}`
      : f.zram.moduleLoaded
        ? 'zram loaded without zram-control'
        : 'zram module not loaded',
    'modprobe zram',
  );
  add(
    'zswap',
    f.zswap.present,
    f.zswap.present
      ? `zswap present (compressor ${f.zswap.compressor ?? '?'}${f.zswap.zpool ? ', zpool selectable' : ', zsmalloc only'})`
      : 'no zswap',
    'use a kernel built with CONFIG_ZSWAP=y',
  );
  add(
    'zswap-debugfs',
    f.debugfs,
    f.debugfs
      ? 'zswap debugfs stats readable'
      : 'debugfs not mounted: zswap detail stats unavailable (meminfo/vmstat still used)',
    'mount -t debugfs none /sys/kernel/debug',
    'warn',
  );
  if (f.cgroup) {
    c.push({ id: 'cgroup', status: 'ok', detail: `memory cgroup v${f.cgroup.version} at ${f.cgroup.memoryRoot}` });
    add(
      'cgroup-swap',
      f.cgroup.swapAccounting,
      f.cgroup.swapAccounting ? 'swap accounting on' : 'swap accounting off: budget groups cannot limit swap',
      'boot with swapaccount=1 (v1)',
      'warn',
    );
  } else {
    add(
      'cgroup',
      false,
      'no memory cgroup controller mounted',
      'mount the cgroup v2 hierarchy with the memory controller (systemd does this)',
    );
  }
  add('psi', f.psi, f.psi ? 'PSI present' : 'no /proc/pressure', 'boot with psi=1 (CONFIG_PSI=y)', 'warn');
  for (const p of ['mkswap', 'swapon', 'swapoff', 'fallocate']) {
    add(`program-${p}`, f.programs[p] !== undefined, f.programs[p] ?? `${p} not found`, 'apt-get install util-linux');
  }
  add(
    'qemu',
    f.programs['qemu-system-x86_64'] !== undefined,
    f.programs['qemu-system-x86_64'] ?? 'qemu-system-x86_64 not found (needed for vm and lab)',
    'apt-get install qemu-system-x86',
    'warn',
  );
  add(
    'kvm',
    f.kvmDevice,
    f.kvmDevice
      ? '/dev/kvm present (guests probe whether KVM really boots)'
      : 'no /dev/kvm: guests will run under TCG (slow)',
    'load kvm_intel or kvm_amd, or enable nested virtualization',
    'warn',
  );
  c.push({ id: 'thp', status: 'ok', detail: `transparent hugepages: ${f.thp ?? 'not present'}` });
  return c;
}
