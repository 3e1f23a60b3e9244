import { OvercommitError } from '../../../errors.js';

/**
 * The changes overcommit makes to Debian's /usr/sbin/ksmtuned (4.20150326) so the lab can run it as a peer. Pure: script
 * text in, patched text and a list of what changed out. Only the plumbing around the algorithm changes (which file
 * it reads, which processes it counts, how it runs and logs); thresholds, boost/decay, the KSMCTL writes and the
 * SIGUSR1 re-tune are left byte for byte as shipped.
 */

/** The script no longer matches what a patch expects (a different ksmtuned version): nothing was run. */
export class KsmtunedPatchError extends OvercommitError {
  constructor(patch: string, expected: string, found: number, wanted: number) {
    super(
      'MISSING_FEATURE',
      `the ksmtuned script does not match patch '${patch}': expected ${wanted} occurrence(s) of ${JSON.stringify(expected)}, found ${found}`,
      'this ksmtuned version differs from Debian 12 4.20150326; pin that version (fetchKsmtuned({version})) or update src/lab/peers/ksmtuned/patch.ts against the new script',
      { patch, expected, found, wanted },
    );
  }
}

interface Patch {
  name: string;
  /** Literal text of the shipped script; any run of whitespace in it matches any run of whitespace. */
  find: string;
  replace: string;
  /** How many times `find` must occur (all are replaced). */
  count: number;
  /** The line for the report. */
  change: string;
}

/** Env vars the patched script reads beyond the shipped ones. */
export const PATCH_ENV = {
  meminfo: 'KSM_MEMINFO',
  pattern: 'KSM_QEMU_PATTERN',
  conf: 'KSM_CONF',
} as const;

/** The shipped process match: only KVM guests started with -enable-kvm (not `-accel kvm`, not TCG) count. */
export const SHIPPED_QEMU_PATTERN = '^qemu-system.*-enable-kvm';

const MEMINFO = '"${KSM_MEMINFO:-/proc/meminfo}"';

const PATCHES: readonly Patch[] = [
  {
    name: 'config-file',
    find: 'if [ -f /etc/ksmtuned.conf ]; then\n    . /etc/ksmtuned.conf\nfi',
    replace: 'if [ -f "${KSM_CONF-/etc/ksmtuned.conf}" ]; then\n    . "${KSM_CONF-/etc/ksmtuned.conf}"\nfi',
    count: 1,
    change:
      'config file: `. /etc/ksmtuned.conf` -> `. "${KSM_CONF-/etc/ksmtuned.conf}"` (the lab sets KSM_CONF= so a host config file cannot override the run\'s settings; it would, since the script sources it before reading the environment)',
  },
  {
    name: 'debug-timestamp',
    find: 's="`/bin/date`: $*"',
    replace: 's="`/bin/date -u +%Y-%m-%dT%H:%M:%S.%3NZ`: $*"',
    count: 1,
    change:
      'debug log timestamps: `/bin/date` -> `/bin/date -u +%Y-%m-%dT%H:%M:%S.%3NZ` (ISO 8601 UTC with ms, so the lab can align its decisions with its 1 s samples)',
  },
  {
    name: 'meminfo-total',
    find: "total=`awk '/^MemTotal:/ {print $2}' /proc/meminfo`",
    replace: `total=\`awk '/^MemTotal:/ {print $2}' ${MEMINFO}\``,
    count: 1,
    change:
      'MemTotal (read once at start) comes from "${KSM_MEMINFO:-/proc/meminfo}" instead of /proc/meminfo (the lab points it at a synthetic meminfo of the host budget)',
  },
  {
    name: 'meminfo-free',
    find: "awk '/^(MemFree|Buffers|Cached):/ {free += $2}; END {print free}' \\\n /proc/meminfo",
    replace: `awk '/^(MemFree|Buffers|Cached):/ {free += $2}; END {print free}' \\\n                ${MEMINFO}`,
    count: 1,
    change:
      'free = MemFree+Buffers+Cached (read every tick) comes from "${KSM_MEMINFO:-/proc/meminfo}" instead of /proc/meminfo',
  },
  {
    name: 'process-match',
    find: `pgrep -f -d ' ' '${SHIPPED_QEMU_PATTERN}'`,
    replace: `pgrep -f -d ' ' "\${KSM_QEMU_PATTERN:-${SHIPPED_QEMU_PATTERN}}"`,
    count: 1,
    change: `committed-memory process match: pgrep -f '${SHIPPED_QEMU_PATTERN}' -> pgrep -f "\${KSM_QEMU_PATTERN:-${SHIPPED_QEMU_PATTERN}}" (the shipped default stays; the lab passes '^qemu-system', because our guests use -accel kvm|tcg and never -enable-kvm, so unpatched it counts none of them)`,
  },
  {
    name: 'foreground',
    find: 'if touch "$PIDFILE"; then\n  loop &\n  echo $! > "$PIDFILE"\nfi',
    replace:
      'if touch "$PIDFILE"; then\n  echo $$ > "$PIDFILE"\n  trap \'kill $(jobs -p) 2>/dev/null; exit 143\' TERM\n  loop\nfi',
    count: 1,
    change:
      'run in the foreground: `loop &; echo $! > "$PIDFILE"` -> `echo $$ > "$PIDFILE"; loop` (the pid we spawned is the loop, PIDFILE in our state dir), plus a SIGTERM trap that kills its pending `sleep $KSM_MONITOR_INTERVAL` so stopping it leaves no process behind',
  },
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A regex for `find` in which every whitespace run matches any whitespace run. */
function looseRegExp(find: string): RegExp {
  const parts = find.split(/\s+/).map(escapeRegExp);
  return new RegExp(parts.join('\\s+'), 'g');
}

export interface PatchedScript {
  script: string;
  /** One line per change, for the lab report. */
  changes: string[];
}

/**
 * Applies every patch to the shipped script. Throws KsmtunedPatchError naming the first patch whose text is not there
 * exactly as expected, or if any read of /proc/meminfo is left unpatched.
 */
export function patchKsmtunedScript(original: string): PatchedScript {
  let script = original;
  const changes: string[] = [];
  for (const p of PATCHES) {
    const re = looseRegExp(p.find);
    const found = script.match(re)?.length ?? 0;
    if (found !== p.count) throw new KsmtunedPatchError(p.name, p.find, found, p.count);
    script = script.replace(re, () => p.replace);
    changes.push(p.change);
  }
  const raw = script.split('/proc/meminfo').length - 1;
  const viaEnv = script.split(MEMINFO).length - 1;
  if (raw !== viaEnv) throw new KsmtunedPatchError('meminfo-everywhere', '/proc/meminfo', raw - viaEnv, 0);
  return { script, changes };
}
