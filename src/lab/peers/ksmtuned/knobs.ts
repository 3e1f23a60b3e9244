import { MissingFeatureError } from '../../../errors.js';
import type { HostJournal } from '../../../host/journal/journal.js';
import { applyKsm, readKsm } from '../../../host/mechanisms/ksm.js';

/** The KSM knobs ksmtuned writes itself (its KSMCTL function), behind the journal's back. */
export const KSMTUNED_KNOBS = ['ksm/pages_to_scan', 'ksm/sleep_millisecs', 'ksm/run'] as const;

/**
 * Makes restore put back the KSM knobs ksmtuned is about to write behind the journal's back (its KSMCTL function
 * echoes into /sys/kernel/mm/ksm): they are marked touched, so restore writes back their values from before the run.
 * Also turns the KSM advisor off (journaled): while it is on, the kernel refuses pages_to_scan, which ksmtuned writes
 * every tick. Returns a line per change.
 */
export async function claimKsmtunedKnobs(journal: HostJournal): Promise<string[]> {
  const ksm = await readKsm(journal.paths);
  if (!ksm.present)
    throw new MissingFeatureError('KSM (/sys/kernel/mm/ksm)', 'ksmtuned needs a kernel built with CONFIG_KSM');
  const out: string[] = [];
  if (ksm.settings.advisor_mode !== undefined && ksm.settings.advisor_mode !== 'none') {
    await applyKsm(journal, { advisor_mode: 'none' });
    out.push(`ksm/advisor_mode ${ksm.settings.advisor_mode} -> none (ksmtuned writes pages_to_scan)`);
  }
  await journal.markTouched(KSMTUNED_KNOBS);
  const before = journal.snapshot().knobs;
  for (const id of KSMTUNED_KNOBS) out.push(`${id} journaled (restore puts back ${before[id] ?? '?'})`);
  return out;
}
