import { rm } from 'node:fs/promises';
import type { HostJournal } from '../host/journal/journal.js';
import { readProcessKsm, type ProcessKsm } from '../host/mechanisms/ksm.js';
import type { HostPaths } from '../host/paths.js';
import { isSameProcessAlive } from '../host/process-identity.js';
import { stopProcess } from '../host/processes.js';
import {
  parseMeminfo,
  parsePressure,
  parseVmstat,
  readProcessMemory,
  type ProcessMemory,
  type Psi,
} from '../host/procfs.js';
import { guestExec } from './exec-channel/client.js';
import { commandLine, type ExecResult } from './exec-channel/protocol.js';
import { GuestDeadError, UnknownGuestError } from './errors.js';
import { serialTail } from './launcher/launch.js';
import { QmpClient, type GuestStats } from './qmp/client.js';
import { listRecords, loadRecord, type GuestRecord } from './record.js';

/** Everything the host can learn about one guest at an instant. */
export interface GuestSnapshot {
  name: string;
  alive: boolean;
  balloonActualBytes?: number;
  stats?: GuestStats;
  process?: ProcessMemory;
  ksm?: ProcessKsm;
}

/** One running guest: balloon, stats, in-guest commands, host-side memory figures, stop. */
export class Guest {
  private qmpClient: Promise<QmpClient> | undefined;
  constructor(
    readonly paths: HostPaths,
    readonly record: GuestRecord,
  ) {}

  get name(): string {
    return this.record.name;
  }

  static async open(paths: HostPaths, stateDir: string, name: string): Promise<Guest> {
    const r = await loadRecord(stateDir, name);
    if (!r)
      throw new UnknownGuestError(
        name,
        (await listRecords(stateDir)).map((x) => x.name),
      );
    return new Guest(paths, r);
  }

  static async list(paths: HostPaths, stateDir: string): Promise<Guest[]> {
    return (await listRecords(stateDir)).map((r) => new Guest(paths, r));
  }

  alive(): Promise<boolean> {
    return isSameProcessAlive(this.paths.proc, this.record.pid, this.record.startTime);
  }

  /** Throws GuestDeadError (with the serial log's tail) when QEMU is gone. */
  async assertAlive(): Promise<void> {
    if (!(await this.alive())) throw new GuestDeadError(this.name, await serialTail(this.record.serialLog));
  }

  /** One QMP connection per Guest, shared by concurrent callers (QEMU serves one QMP client at a time). */
  qmp(): Promise<QmpClient> {
    const current = this.qmpClient;
    const connecting = (async () => {
      const c = current ? await current.catch(() => undefined) : undefined;
      if (c && !c.closed) return c;
      await this.assertAlive();
      return QmpClient.connect(this.record.qmpSocket, { connectTimeoutMs: 3000, commandTimeoutMs: 5000 });
    })();
    this.qmpClient = connecting; // set before any await: concurrent callers chain onto this one connection
    connecting.catch(() => {
      if (this.qmpClient === connecting) this.qmpClient = undefined;
    });
    return connecting;
  }

  /** Sets the balloon target: the guest's memory size it should shrink or grow to (QMP `balloon`). */
  async setBalloon(targetBytes: number): Promise<void> {
    await (await this.qmp()).balloon(targetBytes);
  }

  async balloonActual(): Promise<number> {
    return (await (await this.qmp()).queryBalloon()).actual;
  }

  async guestStats(): Promise<GuestStats> {
    return (await this.qmp()).guestStats();
  }

  /** Runs argv in the guest (quoted for its shell) through the control channel. */
  async exec(argv: readonly string[], timeoutMs?: number): Promise<ExecResult> {
    return this.script(commandLine(argv), timeoutMs);
  }

  async script(text: string, timeoutMs?: number): Promise<ExecResult> {
    await this.assertAlive();
    return guestExec(this.record.ports.control, this.record.token, text, timeoutMs);
  }

  /** The guest's own /proc/meminfo, /proc/vmstat and /proc/pressure/memory, in one round trip. */
  async inGuest(): Promise<{ meminfo: Record<string, number>; vmstat: Record<string, number>; pressure?: Psi }> {
    const r = await this.script(
      'cat /proc/meminfo; echo @@; cat /proc/vmstat; echo @@; cat /proc/pressure/memory 2>/dev/null',
    );
    const [mi = '', vm = '', pr = ''] = r.stdout.split('@@\n');
    const out: { meminfo: Record<string, number>; vmstat: Record<string, number>; pressure?: Psi } = {
      meminfo: parseMeminfo(mi),
      vmstat: parseVmstat(vm),
    };
    const p = parsePressure(pr);
    if (p) out.pressure = p;
    return out;
  }

  /** QEMU's RSS/PSS/swap on the host and how many of its pages KSM merged. */
  async hostMemory(): Promise<{ process?: ProcessMemory; ksm?: ProcessKsm }> {
    const out: { process?: ProcessMemory; ksm?: ProcessKsm } = {};
    const pm = await readProcessMemory(this.paths, this.record.pid);
    if (pm) out.process = pm;
    const k = await readProcessKsm(this.paths, this.record.pid);
    if (k) out.ksm = k;
    return out;
  }

  async snapshot(): Promise<GuestSnapshot> {
    const alive = await this.alive();
    const s: GuestSnapshot = { name: this.name, alive };
    if (!alive) return s;
    const [actual, stats, host] = await Promise.all([
      this.balloonActual().catch(() => undefined),
      this.guestStats().catch(() => undefined),
      this.hostMemory(),
    ]);
    if (actual !== undefined) s.balloonActualBytes = actual;
    if (stats) s.stats = stats;
    return { ...s, ...host };
  }

  close(): void {
    const c = this.qmpClient;
    this.qmpClient = undefined;
    void c?.then(
      (x) => x.close(),
      () => undefined,
    );
  }

  /** SIGKILL (what a crash looks like). The files stay until stop/restore. */
  kill(): void {
    process.kill(this.record.pid, 'SIGKILL');
  }

  /**
   * Stops the guest (QMP quit, then SIGTERM/SIGKILL if it does not go) and removes its folder; drops its objects
   * from the journal when one is given.
   */
  async stop(journal?: HostJournal): Promise<void> {
    if (await this.alive()) {
      try {
        await (await this.qmp()).quit();
      } catch {
        // fall back to signals below
      }
      this.close();
      await stopProcess(this.paths, this.record.pid, this.record.startTime, 3000);
    }
    this.close();
    await rm(this.record.dir, { recursive: true, force: true });
    if (journal) await journal.forget(this.record.journalIds);
  }
}
