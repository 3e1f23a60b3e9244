import { rm, unlink } from 'node:fs/promises';
import { OvercommitError, errorMessage } from '../../errors.js';
import { JournalBusyError, journalOwnerAlive, loadJournal, removeJournal, type HostJournal } from './journal.js';
import type { JournalData, JournalObject } from './journal-data.js';
import { directKnobSetter } from './knob-io.js';
import { applyKsm, type KsmSettings } from '../mechanisms/ksm.js';
import type { HostPaths } from '../paths.js';
import { findByMarker, stopProcess } from '../processes.js';
import { objectHandler } from '../mechanisms/index.js';

export class RestoreIncompleteError extends OvercommitError {
  constructor(errors: string[], journalFile: string) {
    super(
      'RESTORE_INCOMPLETE',
      `restore could not undo everything: ${errors.join('; ')}`,
      `fix the cause and run overcommit restore again (the journal ${journalFile} is kept)`,
      { errors },
    );
  }
}

export interface RestoreReport {
  /** False when there was no journal: nothing to do. */
  hadJournal: boolean;
  label?: string;
  actions: string[];
}

export type RestoreLog = (line: string) => void;

/** Knob ids restore writes in this order (KSM is handled as a group, in its own safe order). */
const KNOB_ORDER_FIRST = ['zswap/enabled'];

async function restoreKnobs(
  paths: HostPaths,
  data: JournalData,
  actions: string[],
  errors: string[],
  keepKsmMerged: boolean,
) {
  const setter = directKnobSetter(paths);
  const touched = data.touched.filter((id) => data.knobs[id] !== undefined);
  const put = async (id: string) => {
    try {
      if (await setter.setKnob(id, data.knobs[id] as string)) actions.push(`${id} = ${data.knobs[id]}`);
    } catch (e) {
      errors.push(`${id}: ${errorMessage(e)}`);
    }
  };
  // zswap off first (if it was off), so nothing new goes into the pool while swap devices are taken down.
  for (const id of KNOB_ORDER_FIRST) if (touched.includes(id) && data.knobs[id] === 'N') await put(id);
  const ksm: KsmSettings = {};
  for (const id of touched) {
    if (!id.startsWith('ksm/')) continue;
    const name = id.slice(4);
    const v = data.knobs[id] as string;
    (ksm as Record<string, string | number>)[name] = name === 'advisor_mode' ? v : Number(v);
  }
  if (Object.keys(ksm).length > 0) {
    try {
      await applyKsm(setter, ksm, { unmergeOnStop: !keepKsmMerged });
      actions.push(`ksm restored (${Object.keys(ksm).join(', ')})`);
    } catch (e) {
      errors.push(`ksm: ${errorMessage(e)}`);
    }
  }
  for (const id of touched) if (!id.startsWith('ksm/')) await put(id);
}

/**
 * Takes one journaled object away: our processes, files and folders here (the journal's own kinds); swap files, zram
 * devices and cgroups by the mechanism that made them.
 */
export async function undoObject(paths: HostPaths, o: JournalObject): Promise<string[]> {
  switch (o.kind) {
    case 'process': {
      const pids = o.pid !== null ? [o.pid] : await findByMarker(paths, o.marker);
      const out: string[] = [];
      for (const pid of pids) {
        const r = await stopProcess(paths, pid, o.pid !== null ? o.startTime : null);
        if (r) out.push(`${r} (${o.command})`);
      }
      return out;
    }
    case 'file':
      await unlink(o.path).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      return [`rm ${o.path}`];
    case 'dir':
      await rm(o.path, { recursive: true, force: true });
      return [`rm -r ${o.path}`];
    default: {
      const h = objectHandler(o.kind);
      if (!h) throw new Error(`no mechanism undoes journal objects of kind '${o.kind}'`);
      return h.undo(paths, o);
    }
  }
}

/**
 * Undoes exactly the objects these journal ids name (what one call created: a failed launch, a peer that would not
 * start), newest first, and forgets them; nothing else in the journal is touched (guests started in parallel keep
 * theirs). Best effort: a step that fails is skipped, the others still run. A function over the journal rather than
 * one of its methods: the undo steps need the mechanisms, and the mechanisms need the journal.
 */
export async function undoJournaled(journal: HostJournal, ids: readonly number[]): Promise<void> {
  for (const id of [...ids].reverse()) {
    const obj = journal.objects().find((x) => x.id === id);
    if (obj) await undoObject(journal.paths, obj).catch(() => undefined);
  }
  if (ids.length > 0) await journal.forget([...ids]);
}

/**
 * Undoes everything a journal records, in a safe order: our processes stop first (they hold the memory), knobs go back
 * to their snapshot (zswap off, KSM unmerged and restored), then objects are removed newest first (a cgroup after the
 * processes in it, swapoff before a file is deleted). Only what the journal names is touched. Idempotent: each step
 * checks the live state, so a restore that stopped half-way can be run again. The journal is deleted only when
 * every step succeeded.
 */
export async function restoreHost(
  paths: HostPaths,
  stateDir: string,
  opts: {
    force?: boolean;
    log?: RestoreLog;
    journalData?: JournalData;
    /**
     * Stop ksmd (run=0) but keep what it merged (no run=2): for the agent, whose restart must not hand every merged
     * page back to the guests at once (an overcommitted host could OOM, and the unmerge can outlast a stop timeout).
     */
    keepKsmMerged?: boolean;
  } = {},
): Promise<RestoreReport> {
  const data = opts.journalData ?? (await loadJournal(stateDir));
  if (!data) return { hadJournal: false, actions: [] };
  if (!opts.force && (await journalOwnerAlive(paths, data))) {
    throw new JournalBusyError(`${stateDir}/journal.json`, data.owner.pid, data.label);
  }
  const actions: string[] = [];
  const errors: string[] = [];
  const log = (a: string[]) => {
    for (const l of a) opts.log?.(l);
    actions.push(...a);
  };
  const objs = [...data.objects].reverse();
  for (const o of objs.filter((x) => x.kind === 'process')) {
    try {
      log(await undoObject(paths, o));
    } catch (e) {
      errors.push(`process ${o.kind === 'process' ? o.command : ''}: ${errorMessage(e)}`);
    }
  }
  const knobActions: string[] = [];
  await restoreKnobs(paths, data, knobActions, errors, opts.keepKsmMerged ?? false);
  log(knobActions);
  for (const o of objs.filter((x) => x.kind !== 'process')) {
    try {
      log(await undoObject(paths, o));
    } catch (e) {
      errors.push(`${o.kind} ${'path' in o ? o.path : 'index' in o ? `zram${o.index}` : ''}: ${errorMessage(e)}`);
    }
  }
  if (errors.length > 0) throw new RestoreIncompleteError(errors, `${stateDir}/journal.json`);
  await removeJournal(stateDir);
  return { hadJournal: true, label: data.label, actions };
}
