/**
 * bench/guest-boot: time from launch to memcached-ready, for 1 and 3 guests of 256 MB started together, and QEMU
 * RSS per guest once booted — for the two boot modes side by side (pvh: uncompressed vmlinux; bzimage: the
 * compressed kernel). Prints the accelerator with the figures. Run as root:
 *   node --import tsx bench/guest-boot.ts [--rounds N]
 */
import { rm } from 'node:fs/promises';
import { Guest } from '../src/guest/guest.js';
import { startGuest } from '../src/guest/start.js';
import { HostJournal } from '../src/host/journal/journal.js';
import { REAL_PATHS } from '../src/host/paths.js';
import { restoreHost } from '../src/host/journal/restore.js';

const MiB = 1024 * 1024;
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] ?? 1) || 1;
const stateDir = `/var/tmp/ovc-bench-${process.pid}`;

interface Row {
  boot: 'pvh' | 'bzimage';
  guests: number;
  readyMs: number[];
  rssMiB: number[];
  accel: string;
}

async function once(boot: 'pvh' | 'bzimage', n: number): Promise<Row> {
  const journal = await HostJournal.begin(REAL_PATHS, stateDir, `bench guest-boot ${boot} x${n}`);
  try {
    const started = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        startGuest(journal, { stateDir, name: `b${i}`, memoryBytes: 256 * MiB, boot }),
      ),
    );
    await new Promise((r) => setTimeout(r, 3000)); // let RSS settle after boot
    const rss = await Promise.all(
      started.map(async (s) => ((await s.guest.hostMemory()).process?.rssBytes ?? 0) / MiB),
    );
    started.forEach((s) => s.guest.close());
    return {
      boot,
      guests: n,
      readyMs: started.map((s) => s.bootMs),
      rssMiB: rss.map(Math.round),
      accel: started[0]?.accel.accel ?? '?',
    };
  } finally {
    await restoreHost(REAL_PATHS, stateDir, { force: true });
    await rm(stateDir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (let r = 0; r < rounds; r++) {
  for (const n of [1, 3]) for (const boot of ['bzimage', 'pvh'] as const) rows.push(await once(boot, n));
}
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log('boot     guests  ready s (each)          mean s  RSS MiB (each)   accel');
for (const r of rows) {
  console.log(
    `${r.boot.padEnd(8)} ${String(r.guests).padEnd(7)} ${r.readyMs
      .map((x) => (x / 1000).toFixed(2))
      .join(' ')
      .padEnd(23)} ${(avg(r.readyMs) / 1000).toFixed(2).padEnd(7)} ${r.rssMiB.join(' ').padEnd(16)} ${r.accel}`,
  );
}
for (const n of [1, 3]) {
  const pick = (b: string) => rows.filter((r) => r.guests === n && r.boot === b);
  const t = (b: string) => avg(pick(b).flatMap((r) => r.readyMs));
  const m = (b: string) => avg(pick(b).flatMap((r) => r.rssMiB));
  console.log(
    `${n} guest(s): pvh/bzimage ready time ratio ${(t('pvh') / t('bzimage')).toFixed(2)}, RSS ratio ${(m('pvh') / m('bzimage')).toFixed(2)}`,
  );
}
void Guest;
