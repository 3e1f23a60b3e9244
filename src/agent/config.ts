/**
 * The agent's configuration (/etc/overcommit/config.yaml): one zod schema, every field with a default and a doc
 * comment. Errors name the path and the bad value. The `policy` section lives in policy-config.ts with its partial twin
 * for POST /api/policy, so a change over HTTP is checked by the same rules as the file.
 */
import { readFile } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { Document, parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { PolicySchema, sizeSchema } from './policy-config.js';
import { MIN_TOKEN_LENGTH } from './token.js';
import { describeIssues } from './zod-issues.js';

export { ConfigError };
export { applyPolicyPatch, parsePolicyPatch, PolicyPatchSchema, PolicySchema } from './policy-config.js';
export type { PolicyConfig, PolicyPatch } from './policy-config.js';

export const DEFAULT_CONFIG_PATH = '/etc/overcommit/config.yaml';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 (also v4-mapped), `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (!isIPv6(h)) return false;
  // The URL parser writes IPv6 canonically: ::1, and v4-mapped 127.x.y.z as ::ffff:7fxx:yyzz.
  const canonical = new URL(`http://[${h}]/`).hostname;
  return canonical === '[::1]' || canonical.startsWith('[::ffff:7f');
}

export const AgentConfigSchema = z
  .strictObject({
    /** Seconds between observations (policies may act less often). */
    tickSeconds: z.number().min(0.1).max(3600).default(1),
    /** Log every action the agent would take and change nothing (also `overcommit agent --dry-run`). */
    dryRun: z.boolean().default(false),
    guests: z
      .strictObject({
        /** QMP sockets of the guests to manage: paths or globs (e.g. /run/overcommit/*.qmp). */
        qmpSockets: z.array(z.string().min(1)).default([]),
        libvirt: z
          .strictObject({
            /** Also manage libvirt domains, through virsh. */
            enabled: z.boolean().default(false),
            /** The libvirt connection URI (virsh -c). */
            uri: z.string().min(1).default('qemu:///system'),
            /** Balloon statistics period set on each domain (virsh dommemstat --period), seconds. */
            statsPeriodSeconds: z.number().int().min(1).max(3600).default(2),
          })
          .prefault({}),
        /**
         * A guest that does not answer a poll within this many ms, or by the next tick when that comes first, is
         * marked `timeout` and the tick goes on without it; it is not asked again until it answers. Also bounds
         * connecting and each action. Shorter than the tick, it costs one more wake-up per tick.
         */
        timeoutMs: z.number().int().min(10).max(60_000).default(1000),
      })
      .prefault({}),
    http: z
      .strictObject({
        /** Address to bind. Loopback only unless allowRemote is true. */
        listen: z.string().min(1).default('127.0.0.1'),
        /** TCP port (0: any free port). */
        port: z.number().int().min(0).max(65_535).default(9474),
        /** Allow `listen` to be an address other machines can reach (the API then needs a token for writes). */
        allowRemote: z.boolean().default(false),
        /** Bearer token for writes (POST). Without a token (or tokenFile) every write is refused. */
        token: z.string().min(MIN_TOKEN_LENGTH, `a token needs at least ${MIN_TOKEN_LENGTH} characters`).optional(),
        /** File holding the bearer token (first line); preferred over `token` so the config can stay readable. */
        tokenFile: z.string().min(1).optional(),
        /** Largest request body accepted (bytes or a size like 16K); bigger: 413. */
        maxBodyBytes: sizeSchema
          .pipe(
            z
              .number()
              .int()
              .min(64)
              .max(1024 * 1024),
          )
          .default(16_384),
      })
      .superRefine((h, ctx) => {
        if (!h.allowRemote && !isLoopback(h.listen)) {
          ctx.addIssue({
            code: 'custom',
            path: ['listen'],
            message: 'is not a loopback address: set http.allowRemote: true to serve other machines',
          });
        }
        if (h.token !== undefined && h.tokenFile !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['token'], message: 'give token or tokenFile, not both' });
        }
      })
      .prefault({}),
    policy: PolicySchema,
    /** The cgroup that is the host budget holding the guests (relative to the cgroup root, e.g. machine.slice). */
    budgetCgroup: z
      .string()
      .min(1)
      .refine((p) => !p.split('/').includes('..'), 'must not contain ..')
      .optional(),
    shutdown: z
      .strictObject({
        /** On SIGTERM/SIGINT, put every host knob back through the host-state journal. */
        restoreHost: z.boolean().default(true),
        /** On SIGTERM/SIGINT, give guests back the memory the agent ballooned away. */
        deflateBalloons: z.boolean().default(true),
      })
      .prefault({}),
    log: z
      .strictObject({
        /** pino log level (JSON lines on stdout). */
        level: z.enum(LOG_LEVELS).default('info'),
      })
      .prefault({}),
  })
  .prefault({});

export type AgentConfig = z.infer<typeof AgentConfigSchema>;

/** Validates a parsed config document; errors name the path and the bad value. */
export function parseConfig(input: unknown, source = 'config'): AgentConfig {
  const r = AgentConfigSchema.safeParse(input ?? {});
  if (r.success) return r.data;
  throw new ConfigError(`invalid ${source}: ${describeIssues(r.error.issues, input).join('; ')}`, 'fix the config');
}

/** Reads and validates a YAML config. `missingOk`: a missing file means all defaults. */
export async function loadConfig(path: string, opts: { missingOk?: boolean } = {}): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && opts.missingOk) return parseConfig({}, `config ${path}`);
    throw new ConfigError(`cannot read config ${path} (${code ?? String(e)})`, 'give the path of a YAML file', {
      path,
    });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    const first = (e as Error).message.split('\n')[0] ?? '';
    throw new ConfigError(`config ${path} is not valid YAML: ${first}`, 'fix the YAML syntax', { path });
  }
  return parseConfig(doc, `config ${path}`);
}

/** The effective config as YAML (what --print-config shows). The token is left out unless showSecrets. */
export function printConfig(cfg: AgentConfig, opts: { showSecrets?: boolean } = {}): string {
  const shown: AgentConfig = opts.showSecrets ? cfg : { ...cfg, http: { ...cfg.http, token: undefined } };
  const doc = new Document(JSON.parse(JSON.stringify(shown)) as unknown);
  const notes = ['effective overcommit agent config (defaults filled in)'];
  if (cfg.http.token !== undefined && !opts.showSecrets) notes.push('http.token is set (hidden)');
  doc.commentBefore = notes.map((n) => ` ${n}`).join('\n');
  return doc.toString();
}

/** Dotted paths of the leaf values that differ between two configs. */
export function configChanges(a: unknown, b: unknown, prefix = ''): string[] {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      configChanges(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        prefix ? `${prefix}.${k}` : k,
      ),
    );
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(top)'];
}

export interface ReloadResult {
  /** The config to run with: the new one, or `current` when the new one is invalid. */
  config: AgentConfig;
  /** Why the new config was refused (the old one stays). */
  error?: ConfigError;
  /** Dotted paths that changed (empty on error); the caller decides what needs a restart (e.g. http.*). */
  changed: string[];
}

/** SIGHUP: reread the file; an invalid file keeps the current config and says why. */
export async function reloadConfig(path: string, current: AgentConfig): Promise<ReloadResult> {
  try {
    const config = await loadConfig(path);
    return { config, changed: configChanges(current, config) };
  } catch (e) {
    if (e instanceof ConfigError) return { config: current, error: e, changed: [] };
    throw e;
  }
}
