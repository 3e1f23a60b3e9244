/**
 * ksmtuned's DEBUG log, parsed. Pure. Each line is `DATE: MESSAGE` where DATE is the patched ISO timestamp (or the
 * shipped `/bin/date` default) and MESSAGE one of the script's debug() calls:
 *   total N | sleep N | thres N                       (once, at start; kB, ms, kB)
 *   committed C free F                                (every tick; kB)
 *   "S < T and free > H, stop ksm"                    (wrote run=0)
 *   "S > T, start ksm", then "F < H, boost" or "F > H, decay", then "KSMCTL start NPAGES SLEEP"
 * ("S > T" and "F > H" are printed for >= too: the messages are the script's, not the comparisons it made.)
 */
export type KsmtunedEvent =
  | { kind: 'total'; totalKb: number }
  | { kind: 'sleep'; sleepMs: number }
  | { kind: 'thres'; thresKb: number }
  | { kind: 'sample'; committedKb: number; freeKb: number }
  | { kind: 'stop'; committedPlusThresKb: number; totalKb: number; thresKb: number }
  | { kind: 'start'; committedPlusThresKb: number; totalKb: number }
  | { kind: 'boost'; freeKb: number; thresKb: number }
  | { kind: 'decay'; freeKb: number; thresKb: number }
  | { kind: 'ksmctl-start'; pagesToScan: number; sleepMs: number }
  | { kind: 'other'; text: string };

export interface KsmtunedLogLine {
  /** The timestamp as written. */
  date: string;
  /** Milliseconds since the epoch, when the date parses (the patched ISO form always does). */
  atMs?: number;
  event: KsmtunedEvent;
}

const n = (s: string | undefined) => Number(s);

const RULES: Array<[RegExp, (m: RegExpExecArray) => KsmtunedEvent]> = [
  [/^total (\d+)$/, (m) => ({ kind: 'total', totalKb: n(m[1]) })],
  [/^sleep (\d+)$/, (m) => ({ kind: 'sleep', sleepMs: n(m[1]) })],
  [/^thres (\d+)$/, (m) => ({ kind: 'thres', thresKb: n(m[1]) })],
  [/^committed (\d+) free (\d+)$/, (m) => ({ kind: 'sample', committedKb: n(m[1]), freeKb: n(m[2]) })],
  [
    /^(\d+) < (\d+) and free > (\d+), stop ksm$/,
    (m) => ({ kind: 'stop', committedPlusThresKb: n(m[1]), totalKb: n(m[2]), thresKb: n(m[3]) }),
  ],
  [/^(\d+) > (\d+), start ksm$/, (m) => ({ kind: 'start', committedPlusThresKb: n(m[1]), totalKb: n(m[2]) })],
  [/^(\d+) < (\d+), boost$/, (m) => ({ kind: 'boost', freeKb: n(m[1]), thresKb: n(m[2]) })],
  [/^(\d+) > (\d+), decay$/, (m) => ({ kind: 'decay', freeKb: n(m[1]), thresKb: n(m[2]) })],
  [/^KSMCTL start (\d+) (\d+)$/, (m) => ({ kind: 'ksmctl-start', pagesToScan: n(m[1]), sleepMs: n(m[2]) })],
];

/** One log line, or undefined for a blank line. Lines the script did not write come back as `other`. */
export function parseKsmtunedLogLine(line: string): KsmtunedLogLine | undefined {
  const l = line.trimEnd();
  if (!l.trim()) return undefined;
  const sep = l.indexOf(': ');
  const date = sep < 0 ? '' : l.slice(0, sep);
  const text = sep < 0 ? l : l.slice(sep + 2);
  let event: KsmtunedEvent = { kind: 'other', text };
  for (const [re, make] of RULES) {
    const m = re.exec(text);
    if (m) {
      event = make(m);
      break;
    }
  }
  const out: KsmtunedLogLine = { date, event };
  const t = Date.parse(date);
  if (Number.isFinite(t)) out.atMs = t;
  return out;
}

/** What ksmtuned computed once at start. */
export interface KsmtunedSetup {
  totalKb?: number;
  sleepMs?: number;
  thresKb?: number;
}

/** One tick of its loop: what it saw and what it did. */
export interface KsmtunedTick {
  date: string;
  atMs?: number;
  committedKb: number;
  freeKb: number;
  action: 'stop' | 'boost' | 'decay';
  /** The values it wrote with run=1 (boost / decay only). */
  pagesToScan?: number;
  sleepMs?: number;
}

export interface KsmtunedLog {
  setup: KsmtunedSetup;
  ticks: KsmtunedTick[];
  /** Lines it wrote that are none of the above (its own errors go to stderr, not here). */
  other: string[];
}

/** Folds the whole log into its setup and one record per tick. A tick cut off by the end of the log is dropped. */
export function parseKsmtunedLog(text: string): KsmtunedLog {
  const out: KsmtunedLog = { setup: {}, ticks: [], other: [] };
  let tick: KsmtunedTick | undefined;
  const finish = () => {
    if (tick && (tick.action === 'stop' || tick.pagesToScan !== undefined)) out.ticks.push(tick);
    tick = undefined;
  };
  for (const line of text.split('\n')) {
    const p = parseKsmtunedLogLine(line);
    if (!p) continue;
    const e = p.event;
    switch (e.kind) {
      case 'total':
        out.setup.totalKb = e.totalKb;
        break;
      case 'sleep':
        out.setup.sleepMs = e.sleepMs;
        break;
      case 'thres':
        out.setup.thresKb = e.thresKb;
        break;
      case 'sample':
        finish();
        tick = { date: p.date, committedKb: e.committedKb, freeKb: e.freeKb, action: 'decay' };
        if (p.atMs !== undefined) tick.atMs = p.atMs;
        break;
      case 'stop':
        if (tick) tick.action = 'stop';
        finish();
        break;
      case 'boost':
      case 'decay':
        if (tick) tick.action = e.kind;
        break;
      case 'ksmctl-start':
        if (tick) {
          tick.pagesToScan = e.pagesToScan;
          tick.sleepMs = e.sleepMs;
        }
        finish();
        break;
      case 'start':
        break;
      case 'other':
        out.other.push(e.text);
        break;
    }
  }
  return out;
}
