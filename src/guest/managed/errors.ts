/**
 * Why a managed guest could not be read or driven, sorted into the three things the loop does something about:
 * `timeout` (it did not answer in time), `gone` (it is not there any more) and `error` (it answered, wrongly).
 */
import { OvercommitError } from '../../errors.js';
import { QmpClosedError, QmpConnectError, QmpTimeoutError } from '../qmp/errors.js';

export type GuestFailure = 'timeout' | 'gone' | 'error';

/** A guest did not answer within its per-guest timeout. */
export class GuestTimeoutError extends OvercommitError {
  readonly guest: string;
  readonly timeoutMs: number;
  constructor(guest: string, what: string, timeoutMs: number) {
    super(
      'COMMAND_FAILED',
      `guest ${guest}: no answer to ${what} within ${timeoutMs} ms`,
      'the guest or its monitor may be hung or overloaded; raise guests.timeoutMs if it is only slow',
      { guest, what, timeoutMs },
    );
    this.guest = guest;
    this.timeoutMs = timeoutMs;
  }
}

/** The guest went away: its QMP socket is missing or refuses connections, or libvirt says it is not running. */
export class GuestGoneError extends OvercommitError {
  readonly guest: string;
  constructor(guest: string, reason: string, context: Record<string, unknown> = {}) {
    super('COMMAND_FAILED', `guest ${guest} is gone: ${reason}`, 'it is skipped until it comes back', {
      ...context,
      guest,
      reason,
    });
    this.guest = guest;
  }
}

/** timeout, gone or error, for any rejection of a guest's call. */
export function classifyFailure(e: unknown): GuestFailure {
  if (e instanceof GuestTimeoutError || e instanceof QmpTimeoutError) return 'timeout';
  if (e instanceof GuestGoneError) return 'gone';
  if (e instanceof QmpClosedError) return e.byPeer ? 'gone' : 'error';
  if (e instanceof QmpConnectError) {
    const reason = typeof e.context.reason === 'string' ? e.context.reason : '';
    if (/ENOENT|ECONNREFUSED/.test(reason)) return 'gone';
    return e.context.timeoutMs !== undefined ? 'timeout' : 'error';
  }
  return 'error';
}

/**
 * A failed statistics call, as a poll counts it: one that hung or found the guest gone speaks for the guest (thrown
 * on), any other failure is the statistics' own and comes back as the value (the guest answered; its balloon driver
 * may not be loaded yet). For `.catch(statsFailure)`.
 */
export function statsFailure(e: unknown): Error {
  if (classifyFailure(e) !== 'error') throw e;
  return e instanceof Error ? e : new Error(String(e));
}

/** virsh succeeded but printed something this version of overcommit cannot read. */
export class VirshOutputError extends OvercommitError {
  constructor(command: string, detail: string, output: string) {
    super(
      'COMMAND_FAILED',
      `cannot read the output of '${command}': ${detail}`,
      'is the domain a QEMU guest with a virtio memballoon? (virsh dumpxml DOMAIN)',
      { command, detail, output: output.slice(0, 500) },
    );
  }
}
