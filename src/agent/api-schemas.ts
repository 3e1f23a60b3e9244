/** Request bodies of the agent's write API, validated with zod (the policy patch is the config's own schema). */
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { sizeSchema } from './policy-config.js';
import { describeIssues } from './zod-issues.js';

export { PolicyPatchSchema } from './policy-config.js';

/** POST /api/guests/:name/balloon: `{targetBytes: 536870912}` or `{target: "512M"}`. */
export const BalloonRequestSchema = z
  .strictObject({
    /** The balloon target in bytes: the memory the guest may use. */
    targetBytes: z.number().int().positive().optional(),
    /** The same as a size string (binary units). */
    target: sizeSchema.pipe(z.number().int().positive()).optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.targetBytes === undefined) === (b.target === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of targetBytes (a number) or target (e.g. "512M")' });
    }
  })
  .transform((b) => ({ targetBytes: b.targetBytes ?? b.target ?? 0 }));

export type BalloonRequest = z.output<typeof BalloonRequestSchema>;

/** Parses a body with a schema; errors name the path and the bad value. */
export function parseBody<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new ConfigError(`invalid ${what}: ${describeIssues(r.error.issues, input).join('; ')}`, 'fix the request body');
}
