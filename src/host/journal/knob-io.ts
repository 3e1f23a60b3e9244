import { rawWrite, tryReadText } from '../fsio.js';
import { KNOBS, knobPath, knobSpec, parseChoice, parseKnobValue, validateKnobValue, type KnobSpec } from './knobs.js';
import type { HostPaths } from '../paths.js';

export interface KnobReading {
  value: string;
  /** For choice knobs: the values this kernel offers. */
  choices?: string[];
}

export async function readKnob(paths: HostPaths, s: KnobSpec): Promise<KnobReading | undefined> {
  const text = await tryReadText(knobPath(paths, s));
  if (text === undefined) return undefined;
  const value = parseKnobValue(s, text);
  return s.kind.type === 'choice' ? { value, choices: parseChoice(text).values } : { value };
}

/** Every allowlisted knob this kernel has, id -> current value. What the journal snapshots. */
export async function readAllKnobs(paths: HostPaths): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const readings = await Promise.all(KNOBS.map(async (s) => [s.id, await readKnob(paths, s)] as const));
  for (const [id, r] of readings) if (r) out[id] = r.value;
  return out;
}

/** Anything that writes allowlisted knobs: the journal during a run, a direct writer during restore. */
export interface KnobSetter {
  readonly paths: HostPaths;
  setKnob(id: string, value: string | number | boolean): Promise<boolean>;
}

/** Writes knobs with the allowlist's validation but no journaling: only restore uses it, to put snapshot values back. */
export function directKnobSetter(paths: HostPaths): KnobSetter {
  return {
    paths,
    async setKnob(id, value) {
      const s = knobSpec(id);
      const current = await readKnob(paths, s);
      if (!current) return false;
      const v = validateKnobValue(s, value, current.choices);
      if (current.value === v) return false;
      await rawWrite(knobPath(paths, s), v);
      return true;
    },
  };
}
