import type { Check } from '../../host/doctor.js';
import { table } from './table.js';

const MARK = { ok: 'ok', warn: 'WARN', missing: 'MISSING' } as const;

export function renderDoctor(checks: Check[]): string {
  const rows = checks.map((c) => [MARK[c.status], c.id, c.fix ? `${c.detail} -> ${c.fix}` : c.detail]);
  const bad = checks.filter((c) => c.status === 'missing').length;
  const warn = checks.filter((c) => c.status === 'warn').length;
  return `${table(rows)}\n\n${bad === 0 ? 'ready' : `${bad} missing`}${warn ? `, ${warn} warning${warn === 1 ? '' : 's'}` : ''}\n`;
}
