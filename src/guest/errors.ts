import { OvercommitError } from '../errors.js';

export class GuestBootError extends OvercommitError {
  constructor(name: string, why: string, serialTail: string) {
    super(
      'COMMAND_FAILED',
      `guest ${name} did not come up: ${why}${serialTail ? `\n--- serial log (tail) ---\n${serialTail}` : ''}`,
      'see the serial log above; overcommit doctor checks qemu',
      {
        name,
        serialTail,
      },
    );
  }
}

export class GuestDeadError extends OvercommitError {
  constructor(name: string, serialTail: string) {
    super(
      'COMMAND_FAILED',
      `guest ${name} is dead (its QEMU process is gone)${serialTail ? `\n--- serial log (tail) ---\n${serialTail}` : ''}`,
      `overcommit vm stop ${name} removes its files`,
      {
        name,
        serialTail,
      },
    );
  }
}

export class UnknownGuestError extends OvercommitError {
  constructor(name: string, known: string[]) {
    super(
      'USAGE',
      `no guest named '${name}'`,
      known.length ? `running guests: ${known.join(', ')}` : 'no guests are running (overcommit vm start NAME)',
      { name },
    );
  }
}
