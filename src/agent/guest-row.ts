import type { GuestPoll } from '../guest/managed/with-timeout.js';
import type { AgentGuest } from './state.js';

/** Pure: a poll -> the row the status page shows. */
export function agentGuestRow(p: GuestPoll, targetBytes: number | undefined): AgentGuest {
  const row: AgentGuest = { name: p.name, source: p.source, status: p.status };
  if (p.error !== undefined) row.error = p.error;
  if (targetBytes !== undefined) row.balloonTargetBytes = targetBytes;
  return row;
}
