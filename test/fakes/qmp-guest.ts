/**
 * A fake QEMU guest on a QMP unix socket that answers like QEMU 7.2 (Debian 12): the greeting, qmp_capabilities,
 * query-name, query-status, query-memory-size-summary, query-balloon, balloon (then, after balloonDelayMs, `actual`
 * follows and BALLOON_CHANGE is emitted), qom-list, qom-get/qom-set of the balloon's guest-stats and
 * guest-stats-polling-interval, quit. Replies are spaced and ordered as QEMU prints them (captured from QEMU 7.2.22),
 * uint64 -1 included. Like QEMU's monitor it serves one client at a time: a second client waits, without a greeting,
 * until the first one leaves.
 *
 * Modes, switchable at run time, for the tests of guests that misbehave:
 * - `ok`: as above;
 * - `hang`: accepts connections and never sends a byte (a QEMU stuck with its monitor lock held);
 * - `garbage`: greets and negotiates, then answers every command with a line that is not JSON;
 * - `garbage-greeting`: what an HMP monitor sends instead of the QMP greeting.
 *
 * For the agent bench, it also runs as a program: `node --import tsx test/fakes/qmp-guest.ts COUNT DIR` starts COUNT
 * guests on DIR/fake-NNN.qmp, prints `ready N` and runs until SIGTERM or SIGINT, or until its stdin closes when that is
 * a pipe. Arguments after DIR are ignored: the agent bench passes `-qmp unix:PATH,...` for each socket and starts the
 * program as `qemu-system-x86_64` (argv0), so the agent finds one QEMU-like process behind every socket and reads its
 * /proc files as it would a real guest's.
 */
import { fstatSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type FakeQmpMode = 'ok' | 'hang' | 'garbage' | 'garbage-greeting';

export interface FakeGuestOptions {
  /** Socket path; default NAME.qmp in a fresh temp dir (removed by close()). */
  path?: string;
  /** What query-name returns; null: `{}`, like a QEMU started without -name. Default 'fake'. */
  name?: string | null;
  /** Guest RAM (query-memory-size-summary base-memory; the balloon's ceiling). Default 256 MiB. */
  memoryBytes?: number;
  mode?: FakeQmpMode;
  /** How long the "guest" takes to reach a new balloon target, ms. Default 50. */
  balloonDelayMs?: number;
  /** The balloon's id under /machine/peripheral; null: an anonymous device (/machine/peripheral-anon/device[0]). */
  balloonId?: string | null;
  /** Initial guest-stats-polling-interval, seconds. Default 0 (off, as QEMU starts). */
  statsPollingInterval?: number;
  /** The balloon's size at start, bytes (a guest someone ballooned before). Default: memoryBytes. */
  actualBytes?: number;
}

export interface FakeGuest {
  readonly path: string;
  readonly name: string | null;
  readonly memoryBytes: number;
  mode: FakeQmpMode;
  /** The balloon's current size (query-balloon actual). */
  readonly actualBytes: number;
  /** The last balloon target set. */
  readonly targetBytes: number;
  readonly statsPollingInterval: number;
  /** The QOM path of the balloon device. */
  readonly balloonPath: string;
  /** Every command received (execute names), all connections, in order. */
  readonly commands: string[];
  /** Connections accepted so far. */
  readonly connectionCount: number;
  /** Stops serving and removes the socket, like a QEMU that exited. */
  close(): Promise<void>;
}

interface Command {
  execute?: unknown;
  arguments?: unknown;
  id?: unknown;
}

/** QEMU prints an unsupported statistic as uint64 -1, a number JSON.stringify cannot print: a placeholder for it. */
const U64_MINUS_ONE = '18446744073709551615';
const U64_TOKEN = Symbol('uint64 -1');

/** JSON as QEMU's monitor prints it: `{"a": 1, "b": [1, 2]}`. */
export function qemuJson(value: unknown): string {
  if (value === U64_TOKEN) return U64_MINUS_ONE;
  if (Array.isArray(value)) return `[${value.map(qemuJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const parts = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${qemuJson(v)}`);
    return `{${parts.join(', ')}}`;
  }
  return JSON.stringify(value);
}

const STAT_NAMES = [
  'stat-htlb-pgalloc',
  'stat-swap-out',
  'stat-available-memory',
  'stat-htlb-pgfail',
  'stat-free-memory',
  'stat-minor-faults',
  'stat-major-faults',
  'stat-total-memory',
  'stat-swap-in',
  'stat-disk-caches',
] as const;

export async function startFakeGuest(options: FakeGuestOptions = {}): Promise<FakeGuest> {
  const name = options.name === undefined ? 'fake' : options.name;
  const tempDir = options.path === undefined ? await mkdtemp(join(tmpdir(), 'fake-qmp-')) : undefined;
  const path = options.path ?? join(tempDir ?? '', `${name ?? 'guest'}.qmp`);
  const memoryBytes = options.memoryBytes ?? 256 * 1024 * 1024;
  const balloonDelayMs = options.balloonDelayMs ?? 50;
  const balloonContainer = options.balloonId === null ? '/machine/peripheral-anon' : '/machine/peripheral';
  const balloonChild = options.balloonId === null ? 'device[0]' : (options.balloonId ?? 'balloon0');
  const balloonPath = `${balloonContainer}/${balloonChild}`;
  const state = {
    mode: options.mode ?? 'ok',
    actual: options.actualBytes ?? memoryBytes,
    target: options.actualBytes ?? memoryBytes,
    interval: options.statsPollingInterval ?? 0,
    minorFaults: 5795,
    commands: [] as string[],
    connections: 0,
  };
  const sockets = new Set<Socket>();
  const waiting: Socket[] = [];
  let active: Socket | undefined;
  let balloonTimer: NodeJS.Timeout | undefined;

  const send = (socket: Socket, text: string) => {
    if (!socket.destroyed) socket.write(`${text}\r\n`);
  };
  const reply = (socket: Socket, cmd: Command, value: unknown) => send(socket, qemuJson({ return: value, id: cmd.id }));
  const replyError = (socket: Socket, cmd: Command, errorClass: string, desc: string) =>
    send(socket, qemuJson({ id: cmd.id, error: { class: errorClass, desc } }));
  const event = (name: string, data: Record<string, unknown>) => {
    const now = Date.now();
    const timestamp = { seconds: Math.floor(now / 1000), microseconds: (now % 1000) * 1000 };
    if (active) send(active, qemuJson({ timestamp, event: name, data }));
  };

  const guestStats = () => {
    if (state.interval === 0) {
      return { stats: Object.fromEntries(STAT_NAMES.map((n) => [n, U64_TOKEN])), 'last-update': 0 };
    }
    state.minorFaults += 17;
    const total = state.actual - 40 * 1024 * 1024;
    const free = Math.max(0, total - 48 * 1024 * 1024);
    const stats: Record<string, number> = {
      'stat-htlb-pgalloc': 0,
      'stat-swap-out': 0,
      'stat-available-memory': free + 3 * 1024 * 1024,
      'stat-htlb-pgfail': 0,
      'stat-free-memory': free,
      'stat-minor-faults': state.minorFaults,
      'stat-major-faults': 0,
      'stat-total-memory': total,
      'stat-swap-in': 0,
      'stat-disk-caches': 12394496,
    };
    return { stats, 'last-update': Math.floor(Date.now() / 1000) };
  };

  const qomGet = (socket: Socket, cmd: Command, args: Record<string, unknown>) => {
    const { path: qomPath, property } = args;
    if (qomPath !== balloonPath)
      return replyError(socket, cmd, 'DeviceNotFound', `Device '${String(qomPath)}' not found`);
    if (property === 'guest-stats') return reply(socket, cmd, guestStats());
    if (property === 'guest-stats-polling-interval') return reply(socket, cmd, state.interval);
    replyError(socket, cmd, 'GenericError', `Property 'virtio-balloon-pci.${String(property)}' not found`);
  };

  const qomSet = (socket: Socket, cmd: Command, args: Record<string, unknown>) => {
    const { path: qomPath, property, value } = args;
    if (qomPath !== balloonPath)
      return replyError(socket, cmd, 'DeviceNotFound', `Device '${String(qomPath)}' not found`);
    if (property !== 'guest-stats-polling-interval') {
      return replyError(socket, cmd, 'GenericError', `Property 'virtio-balloon-pci.${String(property)}' not found`);
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      return replyError(
        socket,
        cmd,
        'GenericError',
        "Invalid parameter type for 'guest-stats-polling-interval', expected: integer",
      );
    }
    if (value < 0) return replyError(socket, cmd, 'GenericError', 'timer value must be greater than zero');
    state.interval = value;
    reply(socket, cmd, {});
  };

  const balloon = (socket: Socket, cmd: Command, args: Record<string, unknown>) => {
    const value = args.value;
    if (value === undefined) return replyError(socket, cmd, 'GenericError', "Parameter 'value' is missing");
    if (typeof value !== 'number' || value <= 0) {
      return replyError(socket, cmd, 'GenericError', "Parameter 'target' expects a size");
    }
    state.target = Math.min(value, memoryBytes);
    reply(socket, cmd, {});
    clearTimeout(balloonTimer);
    balloonTimer = setTimeout(() => {
      if (state.actual === state.target) return;
      state.actual = state.target;
      event('BALLOON_CHANGE', { actual: state.actual });
    }, balloonDelayMs);
  };

  const handle = (socket: Socket, cmd: Command) => {
    const command = typeof cmd.execute === 'string' ? cmd.execute : '';
    state.commands.push(command);
    if (state.mode === 'hang') return;
    if (state.mode === 'garbage' && command !== 'qmp_capabilities') {
      send(socket, `{"return": oops, "id": ${JSON.stringify(cmd.id)} <<garbage>>`);
      return;
    }
    const args =
      typeof cmd.arguments === 'object' && cmd.arguments !== null ? (cmd.arguments as Record<string, unknown>) : {};
    switch (command) {
      case 'qmp_capabilities':
        return reply(socket, cmd, {});
      case 'query-name':
        return reply(socket, cmd, options.name === null ? {} : { name });
      case 'query-status':
        return reply(socket, cmd, { status: 'running', singlestep: false, running: true });
      case 'query-memory-size-summary':
        return reply(socket, cmd, { 'base-memory': memoryBytes, 'plugged-memory': 0 });
      case 'query-balloon':
        return reply(socket, cmd, { actual: state.actual });
      case 'balloon':
        return balloon(socket, cmd, args);
      case 'qom-list':
        if (args.path === balloonContainer) {
          return reply(socket, cmd, [
            { name: 'type', type: 'string' },
            { name: balloonChild, type: 'child<virtio-balloon-pci>' },
          ]);
        }
        if (args.path === '/machine/peripheral' || args.path === '/machine/peripheral-anon') {
          return reply(socket, cmd, [{ name: 'type', type: 'string' }]);
        }
        return replyError(socket, cmd, 'DeviceNotFound', `Device '${String(args.path)}' not found`);
      case 'qom-get':
        return qomGet(socket, cmd, args);
      case 'qom-set':
        return qomSet(socket, cmd, args);
      case 'quit':
        reply(socket, cmd, {});
        event('SHUTDOWN', { guest: false, reason: 'host-qmp-quit' });
        socket.end();
        return;
      default:
        return replyError(socket, cmd, 'CommandNotFound', `The command ${command} has not been found`);
    }
  };

  const serve = (socket: Socket) => {
    active = socket;
    if (state.mode === 'hang') return;
    if (state.mode === 'garbage-greeting') {
      socket.write("QEMU 7.2.22 monitor - type 'help' for more information\r\n(qemu) ");
      return;
    }
    send(
      socket,
      qemuJson({
        QMP: {
          version: { qemu: { micro: 22, minor: 2, major: 7 }, package: 'Debian 1:7.2+dfsg-7+deb12u18+b3' },
          capabilities: ['oob'],
        },
      }),
    );
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      buffered += text;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line === '') continue;
        let cmd: Command;
        try {
          cmd = JSON.parse(line) as Command;
        } catch {
          send(socket, qemuJson({ error: { class: 'GenericError', desc: 'JSON parse error, invalid literal' } }));
          continue;
        }
        handle(socket, cmd);
      }
    });
  };

  const server: Server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('error', () => {}); // a client that resets is not the fake's failure
    socket.on('close', () => {
      sockets.delete(socket);
      const i = waiting.indexOf(socket);
      if (i !== -1) waiting.splice(i, 1);
      if (active === socket) {
        active = undefined;
        const next = waiting.shift();
        if (next) serve(next);
      }
    });
    if (active) waiting.push(socket);
    else serve(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    path,
    name,
    memoryBytes,
    get mode() {
      return state.mode;
    },
    set mode(m: FakeQmpMode) {
      state.mode = m;
    },
    get actualBytes() {
      return state.actual;
    },
    get targetBytes() {
      return state.target;
    },
    get statsPollingInterval() {
      return state.interval;
    },
    balloonPath,
    get commands() {
      return state.commands;
    },
    get connectionCount() {
      return state.connections;
    },
    close: () =>
      (closing ??= (async () => {
        clearTimeout(balloonTimer);
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        if (tempDir) await rm(tempDir, { recursive: true, force: true });
      })()),
  };
}

/** COUNT guests named fake-000... on DIR/fake-NNN.qmp. */
export async function startFakeGuests(
  count: number,
  dir: string,
  options: Omit<FakeGuestOptions, 'path' | 'name'> = {},
): Promise<FakeGuest[]> {
  const guests: FakeGuest[] = [];
  for (let i = 0; i < count; i++) {
    const name = `fake-${String(i).padStart(3, '0')}`;
    guests.push(await startFakeGuest({ ...options, name, path: join(dir, `${name}.qmp`) }));
  }
  return guests;
}

async function main(argv: string[]): Promise<void> {
  const count = Number(argv[0]);
  const dir = argv[1];
  if (!Number.isInteger(count) || count < 1 || !dir) {
    console.error('usage: fake-qmp.ts COUNT DIR [--balloon-mib=N] [ignored arguments]');
    process.exit(2);
  }
  // --balloon-mib=N: every guest starts ballooned to N MiB (of 256), as guests the agent must watch closely.
  const mib = Number(/^--balloon-mib=(\d+)$/.exec(argv[2] ?? '')?.[1] ?? NaN);
  const guests = await startFakeGuests(count, dir, Number.isFinite(mib) ? { actualBytes: mib * 1024 * 1024 } : {});
  const stop = () => {
    void Promise.all(guests.map((g) => g.close())).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (fstatSync(0).isFIFO()) {
    // Started with a pipe on stdin (a bench's child): the parent's exit closes it, and the fakes go with it.
    process.stdin.on('end', stop);
    process.stdin.resume();
  }
  console.log(`ready ${guests.length}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main(process.argv.slice(2));
}
