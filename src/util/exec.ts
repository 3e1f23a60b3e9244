import { spawn } from 'node:child_process';
import { CommandError } from '../errors.js';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  timeoutMs?: number;
  /** What to tell the user if the command fails. */
  hint?: string;
  /** Do not throw on a non-zero exit; return it. */
  allowFailure?: boolean;
  input?: string;
  cwd?: string;
  /** Kills the command (SIGTERM) when aborted; the promise then rejects with the command's failure. */
  signal?: AbortSignal;
}

/** Runs a program with an argument array (never a shell string) and collects its output. */
export function run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    let stdout = '';
    let stderr = '';
    const cap = (s: string, add: string) => (s.length > 1_000_000 ? s : s + add);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout = cap(stdout, d)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = cap(stderr, d)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    const onAbort = () => child.kill('SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('close', () => opts.signal?.removeEventListener('abort', onAbort));
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const hint =
        err.code === 'ENOENT' ? `install '${command}' (overcommit doctor lists what is missing)` : (opts.hint ?? '');
      reject(new CommandError(command, args, null, err.message, hint));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const exitCode = code ?? 128;
      if (exitCode !== 0 && !opts.allowFailure) {
        const why = signal
          ? `${stderr}\nkilled by ${signal}${signal === 'SIGKILL' ? ` (timeout ${timeoutMs} ms?)` : ''}`
          : stderr;
        reject(new CommandError(command, args, code, why, opts.hint ?? 'see the command output above'));
        return;
      }
      resolve({ stdout, stderr, exitCode });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}
