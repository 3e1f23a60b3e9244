import { OvercommitError } from '../../errors.js';

/**
 * The QMP client's named errors. They share the code COMMAND_FAILED (a QEMU monitor failing is a failed host
 * operation; cli/exit-codes.ts maps every code exhaustively) and are told apart by class.
 */
export abstract class QmpError extends OvercommitError {}

/** The socket never accepted a connection (QEMU not started, wrong path, no permission). */
export class QmpConnectError extends QmpError {
  constructor(socketPath: string, reason: string, timeoutMs?: number) {
    const waited = timeoutMs === undefined ? '' : ` (waited ${timeoutMs} ms)`;
    super(
      'COMMAND_FAILED',
      `cannot connect to the QMP socket ${socketPath}: ${reason}${waited}`,
      'is QEMU running with -qmp unix:PATH,server=on,wait=off? (overcommit vm list)',
      { socketPath, reason, timeoutMs },
    );
  }
}

/** QEMU (or whatever is on the socket) sent something that is not QMP: bad JSON, an unknown shape, a huge line. */
export class QmpProtocolError extends QmpError {
  readonly detail: string;
  constructor(detail: string, context: Record<string, unknown> = {}) {
    super('COMMAND_FAILED', `QMP protocol error: ${detail}`, 'is the socket really a QEMU QMP monitor (not HMP)?', {
      ...context,
      detail,
    });
    this.detail = detail;
  }
}

/** QEMU answered a command with `{"error": {"class": ..., "desc": ...}}`. */
export class QmpCommandError extends QmpError {
  readonly command: string;
  /** QEMU's error class, e.g. GenericError, CommandNotFound, DeviceNotActive, DeviceNotFound. */
  readonly errorClass: string;
  readonly desc: string;
  constructor(command: string, errorClass: string, desc: string) {
    super('COMMAND_FAILED', `QMP command '${command}' failed: ${desc} (${errorClass})`, hintFor(errorClass), {
      command,
      errorClass,
      desc,
    });
    this.command = command;
    this.errorClass = errorClass;
    this.desc = desc;
  }
}

function hintFor(errorClass: string): string {
  switch (errorClass) {
    case 'CommandNotFound':
      return 'this QEMU does not know the command (overcommit doctor shows its version)';
    case 'DeviceNotActive':
      return 'the guest driver for the device is not loaded yet (wait for the guest to boot)';
    case 'DeviceNotFound':
      return 'the guest was started without that device';
    default:
      return 'see the message from QEMU above';
  }
}

/** What a QmpTimeoutError waited for. */
export type QmpWaitKind = 'greeting' | 'command' | 'event';

/** Nothing arrived in time: the greeting, a command's reply, or an awaited event. */
export class QmpTimeoutError extends QmpError {
  readonly kind: QmpWaitKind;
  /** The command or event name ('greeting' for the greeting). */
  readonly waitedFor: string;
  readonly timeoutMs: number;
  constructor(kind: QmpWaitKind, waitedFor: string, timeoutMs: number) {
    const what =
      kind === 'command'
        ? `a reply to QMP command '${waitedFor}'`
        : kind === 'event'
          ? `QMP event ${waitedFor}`
          : 'the QMP greeting';
    super(
      'COMMAND_FAILED',
      `no ${what} within ${timeoutMs} ms`,
      kind === 'greeting'
        ? 'QEMU serves one QMP client at a time: is another client connected?'
        : 'QEMU may be hung or overloaded (overcommit vm list)',
      { kind, waitedFor, timeoutMs },
    );
    this.kind = kind;
    this.waitedFor = waitedFor;
    this.timeoutMs = timeoutMs;
  }
}

/** The connection is gone: QEMU closed it (exited, crashed) or the client was closed. */
export class QmpClosedError extends QmpError {
  /** True when the other end closed or reset the socket, false when this client closed it. */
  readonly byPeer: boolean;
  constructor(socketPath: string, reason: string, byPeer: boolean) {
    super(
      'COMMAND_FAILED',
      `QMP connection to ${socketPath} is closed: ${reason}`,
      byPeer ? 'QEMU may have exited; overcommit vm list shows whether the guest is alive' : 'connect again',
      { socketPath, reason, byPeer },
    );
    this.byPeer = byPeer;
  }
}

/** A short, single-line excerpt of untrusted text for an error message. */
export function excerpt(text: string, max = 120): string {
  const flat = JSON.stringify(text.length > max ? text.slice(0, max) : text);
  return text.length > max ? `${flat}... (${text.length} chars)` : flat;
}
