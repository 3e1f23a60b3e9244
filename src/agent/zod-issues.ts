/** Turns zod issues into one line each that names the path and the bad value (the project's config error style). */
import type { z } from 'zod';

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const k of path)
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[k] : undefined;
  return value;
}

export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.flatMap((i) => {
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => `${[...i.path, k].map(String).join('.')}: unknown key`);
    }
    const path = i.path.map(String).join('.') || '(top)';
    const value = valueAt(input, i.path);
    const got = value !== undefined && typeof value !== 'object' ? ` (got ${JSON.stringify(value)})` : '';
    return [`${path}: ${i.message}${got}`];
  });
}
