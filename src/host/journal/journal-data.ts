import { z } from 'zod';

/** What the journal file holds. Everything needed to undo a run, readable by a process that never saw the run. */
const base = { id: z.number().int() };

export const JournalObjectSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('swapfile'), path: z.string(), sizeBytes: z.number() }),
  z.object({
    ...base,
    kind: z.literal('zram'),
    /** null until hot_add answered: restore then looks for an unconfigured device not in `existingBefore`. */
    index: z.number().int().nullable(),
    existingBefore: z.array(z.number().int()),
    hotAdded: z.boolean(),
  }),
  z.object({ ...base, kind: z.literal('cgroup'), path: z.string(), version: z.union([z.literal(1), z.literal(2)]) }),
  z.object({
    ...base,
    kind: z.literal('process'),
    pid: z.number().int().nullable(),
    startTime: z.string().nullable(),
    /** A string in the process's command line that names it as ours (found by restore if the pid was never saved). */
    marker: z.string(),
    command: z.string(),
  }),
  z.object({ ...base, kind: z.literal('file'), path: z.string() }),
  z.object({ ...base, kind: z.literal('dir'), path: z.string() }),
]);
export type JournalObject = z.infer<typeof JournalObjectSchema>;
export type JournalObjectInput = JournalObject extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never;

export const JournalDataSchema = z.object({
  version: z.literal(1),
  label: z.string(),
  /** Every command that added to this journal (the first is `label`). */
  ops: z.array(z.string()).default([]),
  createdAt: z.string(),
  owner: z.object({ pid: z.number().int(), startTime: z.string().nullable(), argv: z.array(z.string()) }),
  /** Knob id -> value before the first change (only knobs this kernel has). */
  knobs: z.record(z.string(), z.string()),
  /** Knob ids this run wrote at least once. */
  touched: z.array(z.string()),
  objects: z.array(JournalObjectSchema),
  nextId: z.number().int(),
});
export type JournalData = z.infer<typeof JournalDataSchema>;
