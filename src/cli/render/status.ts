import type { HostStatus } from '../../host/status.js';
import type { Psi } from '../../host/procfs.js';
import { formatBytes as b } from '../../util/size.js';
import { table } from './table.js';

const psiText = (p?: Psi) =>
  p
    ? `some ${p.some.avg10.toFixed(2)}/${p.some.avg60.toFixed(2)}/${p.some.avg300.toFixed(2)}` +
      (p.full ? ` full ${p.full.avg10.toFixed(2)}/${p.full.avg60.toFixed(2)}/${p.full.avg300.toFixed(2)}` : '')
    : 'n/a';

/** The human view of `overcommit status`: one section a mechanism, figures with units. Pure. */
export function renderStatus(s: HostStatus): string {
  const rows: string[][] = [];
  const row = (label: string, text: string) => rows.push([label, text]);
  const m = s.memory;
  row(
    'Memory',
    `total ${b(m.totalBytes)}, available ${b(m.availableBytes)}, free ${b(m.freeBytes)}, cached ${b(m.cachedBytes)}, anon+shmem ${b(m.anonBytes)}`,
  );
  row('', `swap ${b(m.swapTotalBytes - m.swapFreeBytes)} used of ${b(m.swapTotalBytes)}`);
  if (s.ksm.present) {
    const k = s.ksm.settings;
    const st = s.ksm.stats;
    const opt = (name: string, v: string | number | undefined) => (v === undefined ? '' : ` ${name}=${String(v)}`);
    row(
      'KSM',
      `run=${k.run} pages_to_scan=${k.pages_to_scan} sleep=${k.sleep_millisecs}ms${opt('advisor', k.advisor_mode)}${opt('smart_scan', k.smart_scan)}${opt('use_zero_pages', k.use_zero_pages)}${opt('max_page_sharing', k.max_page_sharing)}`,
    );
    row(
      '',
      `saved ${b(s.ksm.derived.savedBytes)} (sharing ${st.pages_sharing ?? 0} pages onto ${st.pages_shared ?? 0}, ratio ${s.ksm.derived.sharingRatio.toFixed(1)})${st.general_profit !== undefined ? `, profit ${b(st.general_profit)}` : ''}`,
    );
    row(
      '',
      `unshared ${st.pages_unshared ?? 0}, volatile ${st.pages_volatile ?? 0}${st.pages_skipped !== undefined ? `, skipped ${st.pages_skipped}` : ''}${st.ksm_zero_pages !== undefined ? `, zero ${st.ksm_zero_pages}` : ''}, full scans ${st.full_scans ?? 0}`,
    );
  } else row('KSM', 'not in this kernel');
  row(
    'UKSM',
    s.uksm.present
      ? `run=${s.uksm.run} governor=${s.uksm.cpuGovernor ?? '?'} max cpu ${s.uksm.maxCpuPercentage ?? '?'}%`
      : 'not in this kernel (the uksm preset uses its features on KSM)',
  );
  if (s.zram.length === 0) row('zram', 'no devices (modprobe zram)');
  s.zram.forEach((d, i) => {
    const who = d.ours ? ' (ours)' : '';
    const text =
      d.disksizeBytes === 0
        ? `${d.name}${who} unconfigured; algorithms ${d.algorithms.join(' ')}`
        : `${d.name}${who} ${b(d.disksizeBytes)} ${d.algorithm ?? '?'}: stores ${b(d.mm?.origDataSizeBytes ?? 0)} in ${b(d.mm?.comprDataSizeBytes ?? 0)} (${d.compressionRatio.toFixed(1)}x), uses ${b(d.mm?.memUsedTotalBytes ?? 0)}, same pages ${d.mm?.samePages ?? 0}`;
    row(i === 0 ? 'zram' : '', text);
  });
  if (s.zswap.present) {
    const z = s.zswap.settings;
    row(
      'zswap',
      `enabled=${z.enabled ? 'Y' : 'N'} compressor=${z.compressor}${z.zpool ? ` zpool=${z.zpool}` : ''} max_pool=${z.max_pool_percent}% accept=${z.accept_threshold_percent}%${z.shrinker_enabled === undefined ? '' : ` shrinker=${z.shrinker_enabled ? 'Y' : 'N'}`}`,
    );
    const st = s.zswap.stats;
    if (st)
      row(
        '',
        `pool ${b(st.poolBytes)} holds ${b(st.storedBytes)} (${st.compressionRatio.toFixed(1)}x); pages in ${st.zswpin}, out ${st.zswpout}, written back ${st.zswpwb}`,
      );
  } else row('zswap', 'not in this kernel');
  if (s.swaps.length === 0) row('Swap', 'none');
  s.swaps.forEach((w, i) =>
    row(
      i === 0 ? 'Swap' : '',
      `${w.filename} ${w.type} ${b(w.sizeBytes)}, used ${b(w.usedBytes)}, priority ${w.priority}${w.ours ? ' (ours)' : ''}`,
    ),
  );
  row('Swap IO', `pswpin ${s.swapIo.pswpin}, pswpout ${s.swapIo.pswpout} (pages since boot)`);
  row('PSI', `memory ${psiText(s.psi.memory)}; io ${psiText(s.psi.io)}; cpu ${psiText(s.psi.cpu)} (avg10/60/300 %)`);
  row('THP', `enabled=${s.thp.enabled ?? 'n/a'} defrag=${s.thp.defrag ?? 'n/a'}`);
  const cg = s.cgroup;
  row(
    'cgroups',
    cg.layout
      ? `memory v${cg.layout.version} at ${cg.layout.memoryRoot}; budget groups: ${cg.groups.length === 0 ? 'none' : ''}`
      : 'no memory controller',
  );
  for (const g of cg.groups) {
    row(
      '',
      `${g.path}: ${b(g.usageBytes)} of ${g.limitBytes === null ? 'unlimited' : b(g.limitBytes)}${g.swapUsageBytes !== undefined ? `, swap ${b(g.swapUsageBytes)}` : ''}, ${g.pids.length} processes`,
    );
  }
  row(
    'Journal',
    s.journal
      ? `'${s.journal.label}' since ${s.journal.createdAt} (pid ${s.journal.ownerPid}): ${s.journal.objects} objects, knobs ${s.journal.touchedKnobs.join(' ') || 'none'} — overcommit restore undoes it`
      : 'none: overcommit has changed nothing on this host',
  );
  return `overcommit status — kernel ${s.kernel}, ${s.takenAt}\n${table(rows)}\n`;
}
