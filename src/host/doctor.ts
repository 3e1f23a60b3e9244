import { join } from 'node:path';
import { exists, tryReadText } from './fsio.js';
import { check, type Check, type CommonFacts } from './mechanisms/mechanism.js';
import { MECHANISMS, type MechanismFacts } from './mechanisms/index.js';
import type { HostPaths } from './paths.js';
import { findProgram } from './programs.js';

export type { Check, CheckStatus } from './mechanisms/mechanism.js';

/** What doctor looks at: the host's own facts and each mechanism's. Gathered by `gatherFacts`, judged by `diagnose`. */
export type HostFacts = CommonFacts & MechanismFacts;

const PROGRAMS = ['mkswap', 'swapon', 'swapoff', 'fallocate', 'qemu-system-x86_64'];

export async function gatherFacts(paths: HostPaths): Promise<HostFacts> {
  const programs: Record<string, string | undefined> = {};
  for (const p of PROGRAMS) programs[p] = await findProgram(p);
  const common: CommonFacts = {
    isRoot: process.getuid?.() === 0,
    kernel: ((await tryReadText(join(paths.proc, 'sys/kernel/osrelease'))) ?? 'unknown').trim(),
    psi: (await tryReadText(join(paths.proc, 'pressure/memory'))) !== undefined,
    programs,
    kvmDevice: await exists(join(paths.dev, 'kvm')),
    debugfs: await exists(join(paths.sys, 'kernel/debug/zswap')),
  };
  const sections: Record<string, unknown> = {};
  for (const m of MECHANISMS) {
    if (!('doctor' in m)) continue;
    const f = await m.doctor.facts(paths);
    if (f !== undefined) sections[m.name] = f;
  }
  // Each key was filled by the mechanism of that name, with the type its `facts` returns.
  return { ...common, ...(sections as MechanismFacts) };
}

/** Judges the facts: the host's checks, each mechanism's in registry order, then the tools. Pure. */
export function diagnose(f: HostFacts): Check[] {
  const c: Check[] = [
    check(
      'root',
      f.isRoot,
      f.isRoot ? 'running as root' : 'not root',
      'run with sudo (status and doctor work without it)',
      'warn',
    ),
    { id: 'kernel', status: 'ok', detail: f.kernel },
  ];
  for (const m of MECHANISMS) {
    if (!('doctor' in m)) continue;
    // The facts under a mechanism's name are the ones its own `facts` gathered (or absent, which it judges).
    const judge = m.doctor.diagnose as (facts: unknown, host: CommonFacts) => Check[];
    c.push(...judge((f as unknown as Record<string, unknown>)[m.name], f));
  }
  c.push(check('psi', f.psi, f.psi ? 'PSI present' : 'no /proc/pressure', 'boot with psi=1 (CONFIG_PSI=y)', 'warn'));
  for (const p of ['mkswap', 'swapon', 'swapoff', 'fallocate']) {
    c.push(
      check(
        `program-${p}`,
        f.programs[p] !== undefined,
        f.programs[p] ?? `${p} not found`,
        'apt-get install util-linux',
      ),
    );
  }
  c.push(
    check(
      'qemu',
      f.programs['qemu-system-x86_64'] !== undefined,
      f.programs['qemu-system-x86_64'] ?? 'qemu-system-x86_64 not found (needed for vm and lab)',
      'apt-get install qemu-system-x86',
      'warn',
    ),
    check(
      'kvm',
      f.kvmDevice,
      f.kvmDevice
        ? '/dev/kvm present (guests probe whether KVM really boots)'
        : 'no /dev/kvm: guests will run under TCG (slow)',
      'load kvm_intel or kvm_amd, or enable nested virtualization',
      'warn',
    ),
  );
  return c;
}
