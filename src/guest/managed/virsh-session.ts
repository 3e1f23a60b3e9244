/**
 * One long-lived `virsh -q -c URI` that is fed commands on its stdin, for the agent's listing each tick: a fresh
 * virsh costs 17.7 ms of virsh CPU and 1.6 ms of libvirtd's (it loads its libraries and connects every time), a
 * command in a running session 1.3 ms and 0.7 ms (bench/virsh-listing.ts, no domain running).
 *
 * virsh prints no exit code per command, and on a pipe it echoes each command after its prompt. So every command is
 * followed by two markers, `echo --err M` (stderr: `error: M`) and `echo M` (stdout: M, with no newline before the
 * next prompt); its reply is what came on each stream before its marker, less the echoed command lines, and it
 * failed when its stderr has an `error:` line. The marker is typed as `'__ovc'TOKEN_N`, so the echo of the command
 * line cannot contain the marker itself (captured transcript: test/fixtures/virsh/session-*).
 *
 * Commands run one at a time. Only commands that never wait on a domain's job may go through a session (the listing
 * with --nowait): one stuck behind a hung monitor would hold up the next. A command that takes longer than its
 * timeout kills the session; the next one starts a fresh session. Arguments must be plain words (no quotes or
 * spaces), which is all the listing needs.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { CommandError } from '../../errors.js';
import type { RunResult } from '../../util/exec.js';

const PROMPT_LINE = /virsh # [^\n]*\n/g;
const PLAIN = /^[A-Za-z0-9_.:@%+=,/-]+$/;
/** Commands one virsh serves before the next starts afresh (an hour of listings at the agent's 1 s tick). */
const RECYCLE_AFTER = 3600;

/** Whether these arguments can be typed into a session as they are. Pure. */
export function plainArgs(args: readonly string[]): boolean {
  return args.length > 0 && args.every((a) => PLAIN.test(a));
}

/** What a session types for one command: the command, then its stderr and stdout markers. Pure. */
export function sessionInput(args: readonly string[], token: string, n: number): string {
  return `${args.join(' ')}\necho --err '__ovc'${token}_${n}\necho '__ovc'${token}_${n}\n`;
}

/**
 * The reply to command n, when both its markers have arrived: its stdout (without the echoed command lines) and
 * stderr, and what is left of each stream after the markers. Pure.
 */
export function takeReply(
  out: string,
  err: string,
  token: string,
  n: number,
): { result: RunResult; out: string; err: string } | undefined {
  const marker = `__ovc${token}_${n}`;
  const o = out.indexOf(marker);
  const errMarker = `error: ${marker}\n`;
  const e = err.indexOf(errMarker);
  if (o < 0 || e < 0) return undefined;
  const stdout = out.slice(0, o).replace(PROMPT_LINE, '');
  const stderr = err.slice(0, e);
  return {
    result: { stdout, stderr, exitCode: /^error:/m.test(stderr) ? 1 : 0, signal: null, durationMs: 0 },
    out: out.slice(o + marker.length),
    err: err.slice(e + errMarker.length),
  };
}

interface Pending {
  args: readonly string[];
  timeoutMs: number;
  resolve: (r: RunResult) => void;
  reject: (e: Error) => void;
  /** When it was asked for (its result's durationMs counts from here, the wait in the queue included). */
  askedAt: number;
}

export class VirshSession {
  private child: ChildProcessWithoutNullStreams | undefined;
  private token = '';
  private n = 0;
  private out = '';
  private err = '';
  private readonly queue: Pending[] = [];
  private current: { p: Pending; n: number; timer: NodeJS.Timeout } | undefined;
  private closed = false;
  private served = 0;
  /** Sessions started so far (tests, diagnostics). */
  started = 0;

  constructor(
    private readonly program: string,
    private readonly uri: string,
    private readonly recycleAfter = RECYCLE_AFTER,
  ) {}

  /** The running virsh's pid, if one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Runs one command (plain arguments, after `-c URI`); resolves with its output whatever its outcome. */
  run(args: readonly string[], timeoutMs: number): Promise<RunResult> {
    if (!plainArgs(args))
      return Promise.reject(new Error(`not plain arguments for a virsh session: ${args.join(' ')}`));
    if (this.closed) return Promise.reject(new Error('the virsh session is closed'));
    return new Promise<RunResult>((resolve, reject) => {
      this.queue.push({ args, timeoutMs, resolve, reject, askedAt: Date.now() });
      this.next();
    });
  }

  /** Ends the session (virsh gets EOF and exits; killed if it does not); commands still queued are rejected. */
  close(): void {
    this.closed = true;
    const e = new Error('the virsh session is closed');
    for (const p of this.queue.splice(0)) p.reject(e);
    this.stop(e);
  }

  private next(): void {
    if (this.current || this.queue.length === 0) return;
    const p = this.queue.shift() as Pending;
    const child = this.child ?? this.start();
    if (!child) {
      p.reject(new CommandError(this.program, ['-q', '-c', this.uri], null, 'could not start', 'is virsh installed?'));
      this.next();
      return;
    }
    const n = ++this.n;
    const timer = setTimeout(() => {
      const what = `${p.args.join(' ')}: no answer within ${p.timeoutMs} ms (the session was killed)`;
      this.stop(new CommandError(this.program, ['-c', this.uri, ...p.args], null, what, 'is libvirtd responding?'));
    }, p.timeoutMs);
    this.current = { p, n, timer };
    child.stdin.write(sessionInput(p.args, this.token, n));
  }

  private start(): ChildProcessWithoutNullStreams | undefined {
    this.token = randomBytes(4).toString('hex');
    this.out = '';
    this.err = '';
    let child: ChildProcessWithoutNullStreams;
    try {
      // LC_ALL=C: the markers and failures are told apart by virsh's English `error:` prefix.
      child = spawn(this.program, ['-q', '-c', this.uri], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, LC_ALL: 'C' },
      });
    } catch {
      return undefined;
    }
    this.started++;
    this.child = child;
    // The session must not keep the process alive: the source closes it, and an agent that exits ends it.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as Socket).unref();
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.out += d;
      this.settle();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.err += d;
      this.settle();
    });
    child.stdin.on('error', () => undefined); // EPIPE when virsh dies: its 'close' says why
    child.on('error', (e: NodeJS.ErrnoException) => {
      const hint = e.code === 'ENOENT' ? `install '${this.program}' (overcommit doctor lists what is missing)` : '';
      this.stopIf(child, new CommandError(this.program, ['-q', '-c', this.uri], null, e.message, hint));
    });
    child.on('close', (code, signal) => {
      const why = `virsh session ended (${signal ?? `exit ${code}`}): ${this.err.trim().split('\n').at(-1) ?? ''}`;
      this.stopIf(child, new CommandError(this.program, ['-q', '-c', this.uri], code, why, 'is libvirtd running?'));
    });
    return child;
  }

  private settle(): void {
    const c = this.current;
    if (!c) return;
    const r = takeReply(this.out, this.err, this.token, c.n);
    if (!r) return;
    this.out = r.out;
    this.err = r.err;
    clearTimeout(c.timer);
    this.current = undefined;
    c.p.resolve({ ...r.result, durationMs: Date.now() - c.p.askedAt });
    if (++this.served % this.recycleAfter === 0) this.recycle();
    this.next();
  }

  /** Lets this virsh go (EOF: it exits) so that the next command starts a fresh one: a daemon's virsh never ages. */
  private recycle(): void {
    const child = this.child;
    this.child = undefined;
    child?.stdin.end();
  }

  private stopIf(child: ChildProcessWithoutNullStreams, e: Error): void {
    if (this.child === child) this.stop(e);
  }

  /** Ends the running virsh; the command in flight fails with e, queued ones go to a fresh session. */
  private stop(e: Error): void {
    const child = this.child;
    this.child = undefined;
    if (child) {
      child.stdin.end();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const c = this.current;
    this.current = undefined;
    if (c) {
      clearTimeout(c.timer);
      c.p.reject(e);
    }
    if (!this.closed) this.next();
  }
}
