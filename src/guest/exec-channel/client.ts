import { connect } from 'node:net';
import { OvercommitError } from '../../errors.js';
import { ControlProtocolError, encodeRequest, parseResponse, type ExecResult } from './protocol.js';

export class GuestExecError extends OvercommitError {
  constructor(what: string, hint: string) {
    super('COMMAND_FAILED', what, hint);
  }
}

/** Runs a shell script in the guest over its control channel (one TCP connection per command). */
export function guestExec(port: number, token: string, script: string, timeoutMs = 60_000): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (err?: Error, r?: ExecResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(r as ExecResult);
    };
    const timer = setTimeout(
      () =>
        finish(
          new GuestExecError(
            `guest command timed out after ${timeoutMs} ms`,
            'the guest may be overloaded or dead (overcommit vm list)',
          ),
        ),
      timeoutMs,
    );
    sock.on('connect', () => sock.write(encodeRequest(token, script)));
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      try {
        const r = parseResponse(Buffer.concat(chunks));
        if (r) finish(undefined, r);
      } catch (e) {
        finish(
          new GuestExecError(
            `bad answer from the guest control channel: ${(e as ControlProtocolError).message}`,
            'is the port a guest of ours?',
          ),
        );
      }
    });
    sock.on('error', (e) =>
      finish(new GuestExecError(`guest control channel: ${e.message}`, 'the guest is not up (yet), or it died')),
    );
    sock.on('close', () => {
      if (!done) {
        try {
          const r = parseResponse(Buffer.concat(chunks));
          if (r) return finish(undefined, r);
        } catch {
          // fall through
        }
        finish(
          new GuestExecError('the guest closed the control channel before answering', 'the guest may not be ready yet'),
        );
      }
    });
  });
}
