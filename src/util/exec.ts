import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { constants } from 'node:os';
import { CommandError } from '../errors.js';

/** What a finished command left: as google/zx's ProcessOutput, exit code, signal, duration and both streams. */
export interface RunResult {
  stdout: string;
  stderr: string;
  /** The exit status; for a command killed by a signal, 128 + the signal's number (as a shell reports it). */
  exitCode: number;
  /** The signal that ended it, or null when it exited. */
  signal: NodeJS.Signals | null;
  durationMs: number;
}

export interface RunOptions {
  /** Default 60 s; the command's whole process group is killed (SIGKILL) when it runs longer. */
  timeoutMs?: number;
  /** What to tell the user if the command fails. */
  hint?: string;
  /** Do not throw on a non-zero exit; return it. */
  allowFailure?: boolean;
  input?: string;
  cwd?: string;
  /** Kills the command's process group (SIGTERM) when aborted; the promise then rejects with the command's failure. */
  signal?: AbortSignal;
}

/** Process groups of the commands running now: killed if this process exits first (no orphaned apt or tar). */
const live = new Set<ChildProcess>();
let exitHook = false;

/**
 * Spawns a program as the leader of a process group of its own, so a timeout or an abort reaches what it started
 * too (apt-get's download methods, a shell's children), and registers it to be killed should this process exit first.
 * The group is not the terminal's: a Ctrl-C reaches overcommit, which ends its commands itself.
 */
export function spawnGroup(command: string, args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { ...opts, detached: true });
  live.add(child);
  child.on('close', () => live.delete(child));
  child.on('error', () => live.delete(child));
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const c of live) killGroup(c, 'SIGKILL');
    });
  }
  return child;
}

/** Sends a signal to a child's whole process group (spawned by spawnGroup); a group already gone is fine. */
export function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // ESRCH: the group has exited
  }
}

/** Runs a program with an argument array (never a shell string) and collects its output. */
export function run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawnGroup(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const cap = (s: string, add: string) => (s.length > 1_000_000 ? s : s + add);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout = cap(stdout, d)));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = cap(stderr, d)));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, timeoutMs);
    const onAbort = () => killGroup(child, 'SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('close', () => opts.signal?.removeEventListener('abort', onAbort));
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const hint =
        err.code === 'ENOENT' ? `install '${command}' (overcommit doctor lists what is missing)` : (opts.hint ?? '');
      reject(
        new CommandError(command, args, err.code === 'ENOENT' ? 127 : null, err.message, hint, {
          durationMs: Date.now() - started,
        }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const durationMs = Date.now() - started;
      const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
      if (exitCode !== 0 && !opts.allowFailure) {
        reject(
          new CommandError(command, args, code, stderr, opts.hint ?? 'see the command output above', {
            signal,
            durationMs,
            ...(timedOut ? { timeoutMs } : {}),
          }),
        );
        return;
      }
      resolve({ stdout, stderr, exitCode, signal, durationMs });
    });
    child.stdin?.on('error', () => undefined); // a command that exits without reading its input
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}
