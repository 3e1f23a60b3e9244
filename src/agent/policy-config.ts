/**
 * The agent's `policy` section: what the controller may do. One set of field rules, two schemas: PolicySchema (every
 * field with its default, part of the config file) and PolicyPatchSchema (every field optional, POST /api/policy).
 */
import { z } from 'zod';
import { DEFAULT_BALLOON_CONFIG } from '../policy/balloon-config.js';
import { ADAPTIVE_DEFAULTS } from '../policy/ksm-tuner/adaptive-config.js';
import { parseSize } from '../util/size.js';
import { ConfigError } from './config-error.js';
import { describeIssues } from './zod-issues.js';

export const KSM_MODES = ['adaptive', 'ksmtuned', 'off'] as const;

/** A size: bytes as a number, or a string like 256M / 1.5G (binary units, as qemu's -m). */
export const sizeSchema = z.union([z.string(), z.number().int().nonnegative()]).transform((v, ctx) => {
  try {
    return typeof v === 'number' ? v : parseSize(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a size (use e.g. 256M, 1G)' });
    return z.NEVER;
  }
});

/** The policy fields without defaults: the config adds defaults, the patch makes each optional. */
const P = {
  ksmMode: z.enum(KSM_MODES),
  maxCpuPercent: z.number().min(1).max(100),
  enabled: z.boolean(),
  floorBytes: sizeSchema,
  watermark: z.number().min(0).max(1),
};

function watermarksInOrder(b: { lowWatermark?: number; highWatermark?: number }, ctx: z.RefinementCtx): void {
  if (b.lowWatermark !== undefined && b.highWatermark !== undefined && !(b.lowWatermark < b.highWatermark)) {
    ctx.addIssue({
      code: 'custom',
      path: ['lowWatermark'],
      message: `must be below highWatermark (${b.highWatermark})`,
    });
  }
}

export const PolicySchema = z
  .strictObject({
    ksm: z
      .strictObject({
        /**
         * `adaptive`: the project's tuner (scan rate from merge yield, CPU capped); `ksmtuned`: the ksmtuned law run
         * in-process; `off`: the agent leaves KSM exactly as it finds it.
         */
        mode: P.ksmMode.default('adaptive'),
        /** Cap on ksmd's CPU, percent of one core (adaptive mode). */
        maxCpuPercent: P.maxCpuPercent.default(ADAPTIVE_DEFAULTS.maxCpuPercent),
      })
      .prefault({}),
    balloon: z
      .strictObject({
        /** Drive guests' virtio-balloons automatically. */
        enabled: P.enabled.default(true),
        /** No guest is inflated below this (bytes or a size like 256M); the controller also keeps a share of RAM. */
        floorBytes: P.floorBytes.default(DEFAULT_BALLOON_CONFIG.floorBytes),
        /** Host headroom (fraction of host memory) below which idle guests are inflated. */
        lowWatermark: P.watermark.default(DEFAULT_BALLOON_CONFIG.lowWatermark),
        /** Host headroom above which guests get memory back (between the two nothing moves). */
        highWatermark: P.watermark.default(DEFAULT_BALLOON_CONFIG.highWatermark),
      })
      .superRefine(watermarksInOrder)
      .prefault({}),
    hostStates: z
      .strictObject({
        /** Run the ESXi-like host-state machine that turns swap tiers on and off; off: no tier is ever changed. */
        enabled: P.enabled.default(true),
      })
      .prefault({}),
  })
  .prefault({});

/** A partial policy, as POST /api/policy takes it: only the fields given change. */
export const PolicyPatchSchema = z.strictObject({
  ksm: z.strictObject({ mode: P.ksmMode.optional(), maxCpuPercent: P.maxCpuPercent.optional() }).optional(),
  balloon: z
    .strictObject({
      enabled: P.enabled.optional(),
      floorBytes: P.floorBytes.optional(),
      lowWatermark: P.watermark.optional(),
      highWatermark: P.watermark.optional(),
    })
    .superRefine(watermarksInOrder)
    .optional(),
  hostStates: z.strictObject({ enabled: P.enabled.optional() }).optional(),
});

export type PolicyConfig = z.infer<typeof PolicySchema>;
export type PolicyPatch = z.infer<typeof PolicyPatchSchema>;

/** Validates a policy patch (the body of POST /api/policy). */
export function parsePolicyPatch(input: unknown): PolicyPatch {
  const r = PolicyPatchSchema.safeParse(input);
  if (r.success) return r.data;
  throw new ConfigError(`invalid policy patch: ${describeIssues(r.error.issues, input).join('; ')}`, 'fix the request');
}

/** The policy with the patch applied, checked as a whole (e.g. lowWatermark < highWatermark after the merge). */
export function applyPolicyPatch(policy: PolicyConfig, patch: PolicyPatch): PolicyConfig {
  const merged = {
    ksm: { ...policy.ksm, ...patch.ksm },
    balloon: { ...policy.balloon, ...patch.balloon },
    hostStates: { ...policy.hostStates, ...patch.hostStates },
  };
  const r = PolicySchema.safeParse(merged);
  if (r.success) return r.data;
  const lines = describeIssues(r.error.issues, merged);
  throw new ConfigError(`policy patch makes the policy invalid: ${lines.join('; ')}`, 'send values that fit together');
}
