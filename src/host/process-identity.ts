import { tryReadText } from './fsio.js';

/** Field 22 of /proc/PID/stat: the start time in clock ticks since boot. With the pid it names a process uniquely. */
export function parseStatStartTime(statText: string): string | null {
  // The command (field 2) is in parentheses and may hold spaces and ')': split after the last ')'.
  const end = statText.lastIndexOf(')');
  if (end < 0) return null;
  const rest = statText
    .slice(end + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state), so field 22 is rest[19].
  return rest[19] ?? null;
}

export async function processStartTime(proc: string, pid: number): Promise<string | null> {
  const t = await tryReadText(`${proc}/${pid}/stat`);
  return t === undefined ? null : parseStatStartTime(t);
}

/** Field 3 of /proc/PID/stat: R, S, D, Z (zombie), X (dead), ... */
export function parseStatState(statText: string): string | undefined {
  const end = statText.lastIndexOf(')');
  return end < 0
    ? undefined
    : statText
        .slice(end + 2)
        .trim()
        .split(/\s+/)[0];
}

/** True when `pid` is alive (not a zombie) and is the same process (same start time) as when it was recorded. */
export async function isSameProcessAlive(proc: string, pid: number, startTime: string | null): Promise<boolean> {
  const t = await tryReadText(`${proc}/${pid}/stat`);
  if (t === undefined) return false;
  const state = parseStatState(t);
  if (state === 'Z' || state === 'X') return false;
  const now = parseStatStartTime(t);
  return now !== null && (startTime === null || now === startTime);
}
