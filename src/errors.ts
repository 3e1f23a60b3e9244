/**
 * The project's named errors. Each carries a stable `code`, the context that explains it, and a `hint`: one sentence
 * on what to do next. The CLI maps codes to exit statuses in one place (cli/exit-codes.ts).
 */
export type ErrorCode =
  | 'USAGE'
  | 'NOT_ROOT'
  | 'MISSING_FEATURE'
  | 'HOST_WRITE'
  | 'HOST_READ'
  | 'COMMAND_FAILED'
  | 'JOURNAL_BUSY'
  | 'JOURNAL_EXISTS'
  | 'JOURNAL_CORRUPT'
  | 'RESTORE_INCOMPLETE'
  | 'NOT_OURS';

export class OvercommitError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly context: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, hint: string, context: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
    this.context = context;
  }
  /** One line for a terminal: what went wrong, then what to do. */
  oneLine(): string {
    return this.hint ? `${this.message}: ${this.hint}` : this.message;
  }
}

/** Bad input from the user: a size, a preset name, a path. Nothing on the host was changed. */
export class UsageError extends OvercommitError {
  constructor(message: string, hint: string, context: Record<string, unknown> = {}) {
    super('USAGE', message, hint, context);
  }
}

export class NotRootError extends OvercommitError {
  constructor(action: string) {
    super('NOT_ROOT', `${action} needs root`, 'run it as root (sudo overcommit ...)');
  }
}

/** The running kernel or host lacks something the request needs. */
export class MissingFeatureError extends OvercommitError {
  constructor(feature: string, hint: string, context: Record<string, unknown> = {}) {
    super('MISSING_FEATURE', `${feature} is not available on this host`, hint, context);
  }
}

export class HostWriteError extends OvercommitError {
  constructor(path: string, value: string, reason: string, hint: string) {
    super('HOST_WRITE', `cannot write '${value}' to ${path} (${reason})`, hint, { path, value, reason });
  }
}

export class HostReadError extends OvercommitError {
  constructor(path: string, reason: string, hint = 'check that the kernel interface exists (overcommit doctor)') {
    super('HOST_READ', `cannot read ${path} (${reason})`, hint, { path, reason });
  }
}

/** How a command ended, beyond its exit status (util/exec.ts RunResult). */
export interface CommandEnd {
  signal?: NodeJS.Signals | null;
  durationMs?: number;
  /** Set when the command was killed for running longer than this. */
  timeoutMs?: number;
}

/** What an exit status or signal means, in words: 127 not found, 126 not executable, 137 / SIGKILL killed. */
export function describeExit(exitCode: number | null, end: CommandEnd = {}): string {
  if (end.timeoutMs !== undefined) return `killed after ${end.timeoutMs} ms: timed out`;
  if (end.signal) return `killed by ${end.signal}`;
  if (exitCode === null) return 'exit signal';
  if (exitCode === 127) return 'exit 127: command not found';
  if (exitCode === 126) return 'exit 126: not executable';
  if (exitCode === 137) return 'exit 137: killed (SIGKILL)';
  return `exit ${exitCode}`;
}

export class CommandError extends OvercommitError {
  constructor(
    command: string,
    args: readonly string[],
    exitCode: number | null,
    stderrTail: string,
    hint: string,
    end: CommandEnd = {},
  ) {
    const shown = [command, ...args].join(' ');
    const tail = stderrTail.trim() ? `: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : '';
    super('COMMAND_FAILED', `'${shown}' failed (${describeExit(exitCode, end)})${tail}`, hint, {
      command,
      args,
      exitCode,
      stderrTail,
      ...(end.signal ? { signal: end.signal } : {}),
      ...(end.durationMs !== undefined ? { durationMs: end.durationMs } : {}),
      ...(end.timeoutMs !== undefined ? { timeoutMs: end.timeoutMs } : {}),
    });
  }
}

/** Something we did not create was about to be touched. */
export class NotOursError extends OvercommitError {
  constructor(what: string) {
    super('NOT_OURS', `${what} was not created by overcommit`, 'overcommit only changes objects it created itself');
  }
}

export function isOvercommitError(e: unknown): e is OvercommitError {
  return e instanceof OvercommitError;
}

export function errorMessage(e: unknown): string {
  if (e instanceof OvercommitError) return e.oneLine();
  if (e instanceof Error) return e.message;
  return String(e);
}
