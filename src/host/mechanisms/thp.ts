import { join } from 'node:path';
import { tryReadText } from '../fsio.js';
import { parseChoice } from '../journal/knobs.js';
import type { HostPaths } from '../paths.js';
import type { Mechanism } from './mechanism.js';

/** Transparent hugepages: a huge page is one page to KSM and to swap, so THP decides what the others can take. */
export interface ThpStatus {
  enabled?: string;
  defrag?: string;
}

async function readThp(paths: HostPaths): Promise<ThpStatus> {
  const text = (f: string) => tryReadText(join(paths.sys, 'kernel/mm/transparent_hugepage', f));
  const [enabled, defrag] = await Promise.all([text('enabled'), text('defrag')]);
  const out: ThpStatus = {};
  if (enabled) out.enabled = parseChoice(enabled).selected ?? enabled.trim();
  if (defrag) out.defrag = parseChoice(defrag).selected ?? defrag.trim();
  return out;
}

/**
 * THP is read, never set: no preset changes it (the knobs `thp/enabled`, `thp/defrag` and `vm/swappiness` are
 * journaled in journal/knobs.ts for the day one does).
 */
export const thpMechanism = {
  name: 'thp' as const,
  status: readThp,
  doctor: {
    facts: async (paths) => (await readThp(paths)).enabled,
    diagnose: (mode) => [{ id: 'thp', status: 'ok', detail: `transparent hugepages: ${mode ?? 'not present'}` }],
  },
} satisfies Mechanism<never, ThpStatus, string | undefined>;
