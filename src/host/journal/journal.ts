import { mkdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { OvercommitError, MissingFeatureError, NotOursError } from '../../errors.js';
import { atomicWrite } from '../../util/atomic-write.js';
import { rawWrite } from '../fsio.js';
import { JournalDataSchema, type JournalData, type JournalObject, type JournalObjectInput } from './journal-data.js';
import { readAllKnobs, readKnob } from './knob-io.js';
import { knobPath, knobSpec, validateKnobValue } from './knobs.js';
import type { HostPaths } from '../paths.js';
import { isSameProcessAlive, processStartTime } from '../process-identity.js';

export const DEFAULT_STATE_DIR = '/var/lib/overcommit';
export const JOURNAL_FILE = 'journal.json';

export function journalPath(stateDir: string): string {
  return join(stateDir, JOURNAL_FILE);
}

export class JournalBusyError extends OvercommitError {
  constructor(path: string, pid: number, label: string) {
    super(
      'JOURNAL_BUSY',
      `the host is being changed by pid ${pid} (${label}), journal ${path}`,
      `stop that process first (it restores the host on SIGTERM), or pass --force to restore anyway`,
      { path, pid },
    );
  }
}

export class JournalExistsError extends OvercommitError {
  constructor(path: string, label: string, createdAt: string) {
    super(
      'JOURNAL_EXISTS',
      `the host still holds changes from '${label}' (${createdAt}), journal ${path}`,
      'run overcommit restore first',
      { path },
    );
  }
}

export class JournalCorruptError extends OvercommitError {
  constructor(path: string, reason: string) {
    super(
      'JOURNAL_CORRUPT',
      `the journal ${path} cannot be read (${reason})`,
      'inspect it by hand; nothing was changed',
      {
        path,
      },
    );
  }
}

/** Reads the journal in `stateDir`, or undefined if there is none. */
export async function loadJournal(stateDir: string): Promise<JournalData | undefined> {
  const path = journalPath(stateDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new JournalCorruptError(path, String(e));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new JournalCorruptError(path, `not JSON: ${String(e)}`);
  }
  const parsed = JournalDataSchema.safeParse(json);
  if (!parsed.success) throw new JournalCorruptError(path, parsed.error.issues[0]?.message ?? 'schema');
  return parsed.data;
}

export async function journalOwnerAlive(paths: HostPaths, data: JournalData): Promise<boolean> {
  if (data.owner.pid === process.pid) return false;
  return isSameProcessAlive(paths.proc, data.owner.pid, data.owner.startTime);
}

export async function removeJournal(stateDir: string): Promise<void> {
  await unlink(journalPath(stateDir)).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

/** Test hook: `OVERCOMMIT_TEST_KILL_AT=<kind>` SIGKILLs this process right after it journals an object of that kind
 * (or `knob:<id>` after journaling a knob write), to prove that restore copes with a run that died at that point. */
export function testKillPoint(point: string): void {
  if (process.env.OVERCOMMIT_TEST_KILL_AT === point) process.kill(process.pid, 'SIGKILL');
}

/**
 * The host-state journal: the only way overcommit changes the host. It snapshots every allowlisted knob before the
 * first change, records every object before it is created, and is written atomically (fsync) after every step, so
 * `overcommit restore` can undo a run that was SIGKILLed at any instant.
 */
export class HostJournal {
  private constructor(
    readonly paths: HostPaths,
    readonly stateDir: string,
    private data: JournalData,
  ) {}

  get file(): string {
    return journalPath(this.stateDir);
  }

  snapshot(): JournalData {
    return structuredClone(this.data);
  }

  /** Starts a journal. Refuses if one exists (a live owner: busy; a dead one: restore first). */
  static async begin(paths: HostPaths, stateDir: string, label: string): Promise<HostJournal> {
    const existing = await loadJournal(stateDir);
    if (existing) {
      if (await journalOwnerAlive(paths, existing))
        throw new JournalBusyError(journalPath(stateDir), existing.owner.pid, existing.label);
      throw new JournalExistsError(journalPath(stateDir), existing.label, existing.createdAt);
    }
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    const data: JournalData = {
      version: 1,
      label,
      ops: [label],
      createdAt: new Date().toISOString(),
      owner: { pid: process.pid, startTime: await processStartTime(paths.proc, process.pid), argv: process.argv },
      knobs: await readAllKnobs(paths),
      touched: [],
      objects: [],
      nextId: 1,
    };
    const j = new HostJournal(paths, stateDir, data);
    await j.persist();
    return j;
  }

  /**
   * Joins the journal in `stateDir` (taking it over from an owner that has exited) or begins one. Used by commands
   * that add objects to whatever the host already holds, such as `vm start`; `refuseIf` lets a command refuse to
   * stack on some earlier operations (a second `apply`).
   */
  static async attach(
    paths: HostPaths,
    stateDir: string,
    op: string,
    refuseIf?: (ops: string[]) => boolean,
  ): Promise<HostJournal> {
    const existing = await loadJournal(stateDir);
    if (!existing) return HostJournal.begin(paths, stateDir, op);
    if (await journalOwnerAlive(paths, existing))
      throw new JournalBusyError(journalPath(stateDir), existing.owner.pid, existing.label);
    if (refuseIf?.(existing.ops))
      throw new JournalExistsError(journalPath(stateDir), existing.label, existing.createdAt);
    existing.owner = {
      pid: process.pid,
      startTime: await processStartTime(paths.proc, process.pid),
      argv: process.argv,
    };
    existing.ops.push(op);
    const j = new HostJournal(paths, stateDir, existing);
    await j.persist();
    return j;
  }

  /** Drops objects that were undone on purpose (a guest stopped by `vm stop`); removes the journal when empty. */
  async forget(ids: number[]): Promise<void> {
    this.data.objects = this.data.objects.filter((o) => !ids.includes(o.id));
    if (this.data.objects.length === 0 && this.data.touched.length === 0) await removeJournal(this.stateDir);
    else await this.persist();
  }

  private writing: Promise<void> = Promise.resolve();

  /** Writes the journal; concurrent callers (guests started in parallel) are serialized, the last state wins. */
  private persist(): Promise<void> {
    const next = this.writing.then(() => atomicWrite(this.file, JSON.stringify(this.data, null, 2) + '\n'));
    this.writing = next.catch(() => undefined);
    return next;
  }

  /** Writes a global knob (allowlisted, validated) after journaling that it was touched. Returns false if unchanged. */
  async setKnob(id: string, value: string | number | boolean): Promise<boolean> {
    const s = knobSpec(id);
    const current = await readKnob(this.paths, s);
    if (!current || !(id in this.data.knobs)) {
      throw new MissingFeatureError(
        `the kernel knob ${id}`,
        'this kernel lacks it; overcommit doctor lists what it has',
      );
    }
    const v = validateKnobValue(s, value, current.choices);
    if (current.value === v) return false;
    // Changing advisor_mode makes the kernel rewrite pages_to_scan: restore must put both back.
    const alsoChanges = id === 'ksm/advisor_mode' ? ['ksm/pages_to_scan'] : [];
    const fresh = [id, ...alsoChanges].filter((k) => k in this.data.knobs && !this.data.touched.includes(k));
    if (fresh.length > 0) {
      this.data.touched.push(...fresh);
      await this.persist();
    }
    testKillPoint(`knob:${id}`);
    await rawWrite(knobPath(this.paths, s), v);
    return true;
  }

  /**
   * Marks knobs as ours to put back without writing them: for knobs another process we start will write (ksmtuned
   * writes KSM's pages_to_scan, sleep_millisecs and run itself). Restore puts back the values snapshotted at begin.
   */
  async markTouched(ids: readonly string[]): Promise<void> {
    const missing = ids.filter((k) => !(k in this.data.knobs));
    if (missing.length > 0)
      throw new MissingFeatureError(`the kernel knob ${missing.join(', ')}`, 'overcommit doctor lists what it has');
    const fresh = ids.filter((k) => !this.data.touched.includes(k));
    if (fresh.length === 0) return;
    this.data.touched.push(...fresh);
    await this.persist();
  }

  /** Records an object before it is created. Returns its journal id, for `update`. */
  async record(obj: JournalObjectInput): Promise<number> {
    const id = this.data.nextId++;
    this.data.objects.push({ ...obj, id });
    await this.persist();
    testKillPoint(obj.kind);
    return id;
  }

  /** Adds what was learned after creation (the zram index, the pid). */
  async update(id: number, patch: Partial<JournalObject>): Promise<void> {
    const i = this.data.objects.findIndex((o) => o.id === id);
    if (i < 0) throw new Error(`journal has no object ${id}`);
    this.data.objects[i] = { ...this.data.objects[i], ...patch } as JournalObject;
    await this.persist();
  }

  objects(): readonly JournalObject[] {
    return this.data.objects;
  }

  ownsZram(index: number): boolean {
    return this.data.objects.some((o) => o.kind === 'zram' && o.index === index);
  }

  ownsCgroup(path: string): boolean {
    return this.data.objects.some((o) => o.kind === 'cgroup' && (path === o.path || path.startsWith(o.path + '/')));
  }

  /** Writes a file of an object this journal created (a zram device's attribute, a cgroup's memory.max). */
  async writeOwned(kind: 'zram' | 'cgroup', key: number | string, path: string, value: string): Promise<void> {
    const ok = kind === 'zram' ? this.ownsZram(key as number) : this.ownsCgroup(key as string);
    if (!ok) throw new NotOursError(`${kind} ${key}`);
    await rawWrite(path, value);
  }
}
