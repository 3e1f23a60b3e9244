import type { JournalObject } from '../journal/journal-data.js';
import type { HostPaths } from '../paths.js';
import { budgetCgroupMechanism } from './budget-cgroup.js';
import { ksmMechanism, type KsmStep } from './ksm.js';
import type { ObjectHandler, ObjectKind, StepHandler } from './mechanism.js';
import { swapFileMechanism, type SwapFileStep } from './swapfile.js';
import { thpMechanism } from './thp.js';
import { uksmMechanism, type UksmStep } from './uksm.js';
import { zramMechanism, type ZramStep } from './zram.js';
import { zswapMechanism, type ZswapStep } from './zswap.js';

/**
 * Every mechanism, in the order `status` and `doctor` show them. The one list `apply`, `restore`, `status`, `doctor`
 * and the presets iterate over.
 */
export const MECHANISMS = [
  ksmMechanism,
  uksmMechanism,
  zramMechanism,
  zswapMechanism,
  swapFileMechanism,
  budgetCgroupMechanism,
  thpMechanism,
] as const;

type AnyMechanism = (typeof MECHANISMS)[number];

/** A step of a plan: one mechanism's step (the `op` names it). */
export type Step = KsmStep | UksmStep | SwapFileStep | ZramStep | ZswapStep;

type Named<N> = Extract<AnyMechanism, { name: N }>;
type StatusOf<M> = M extends { status: (...a: never[]) => Promise<infer S> } ? S : never;
type FactsOf<M> = M extends { doctor: { facts: (...a: never[]) => Promise<infer F> } } ? F : never;
type WithStatus = {
  [M in AnyMechanism as M['name']]: [StatusOf<M>] extends [never] ? never : M['name'];
}[AnyMechanism['name']];
type WithFacts = {
  [M in AnyMechanism as M['name']]: [FactsOf<M>] extends [never] ? never : M['name'];
}[AnyMechanism['name']];

/** Each mechanism's section of `overcommit status`, by name. */
export type MechanismStatus = { [N in WithStatus]: StatusOf<Named<N>> };

/** Each mechanism's doctor facts, by name (facts that may be absent are optional keys). */
export type MechanismFacts = {
  [N in WithFacts as undefined extends FactsOf<Named<N>> ? never : N]: FactsOf<Named<N>>;
} & { [N in WithFacts as undefined extends FactsOf<Named<N>> ? N : never]?: FactsOf<Named<N>> };

/** The mechanism that runs this step. */
export function stepHandler(step: Step): StepHandler<Step> {
  const m = MECHANISMS.find((x) => 'step' in x && x.name === step.op);
  if (!m || !('step' in m)) throw new Error(`no mechanism runs plan steps '${step.op}'`);
  // The handler of mechanism `op` takes that op's step: the find above matched them, TypeScript cannot follow.
  return m.step as StepHandler<Step>;
}

/** The mechanism that created journal objects of this kind, or undefined for the journal's own kinds. */
export function objectHandler(kind: ObjectKind): ObjectHandler<ObjectKind> | undefined {
  const m = MECHANISMS.find((x) => 'objects' in x && x.objects.kind === kind);
  // As above: the handler found for `kind` takes objects of that kind.
  return m && 'objects' in m ? (m.objects as unknown as ObjectHandler<ObjectKind>) : undefined;
}

/** The /proc/swaps names of the swap devices a journal object stands for. */
export function swapNamesOf(paths: HostPaths, o: JournalObject): string[] {
  return objectHandler(o.kind)?.swapNames?.(paths, o) ?? [];
}
