/**
 * Guests that libvirt runs, driven through `virsh` only (no libvirt binding: see reference/managers.md 3.3): running
 * domains from `virsh list --name --state-running`, the balloon and the guest's statistics from `virsh dommemstat`,
 * the memory ceiling from `virsh dominfo`, the balloon target with `virsh setmem DOM KiB --live`, the statistics
 * period with `virsh dommemstat DOM --period N --live`, and the QEMU pid from libvirt's pid file.
 */
import { readFile } from 'node:fs/promises';
import { CommandError, UsageError } from '../../errors.js';
import { run, type RunResult } from '../../util/exec.js';
import type { GuestStats } from '../qmp/guest-stats.js';
import { GuestGoneError, VirshOutputError } from './errors.js';
import type { GuestSource, ManagedGuest } from './source.js';
import {
  dommemstatToGuestStats,
  isDomainGone,
  parseDominfo,
  parseDomainNames,
  parseDommemstat,
  virshErrorLine,
  type Dommemstat,
} from './virsh-parse.js';

/** Runs virsh with these arguments (after `-c URI`); resolves whatever the exit code. */
export type VirshRunner = (args: readonly string[], timeoutMs: number) => Promise<RunResult>;

export interface LibvirtSourceOptions {
  /** libvirt connection URI (virsh -c). Default qemu:///system. */
  uri?: string;
  /** The virsh program. Default virsh (from PATH). */
  virsh?: string;
  /** A virsh call still running after this is killed, ms (the loop's per-guest timeout stops waiting sooner). */
  commandTimeoutMs?: number;
  /** Where a domain whose balloon reports no statistics gets this period (seconds) set, live. Default: leave it. */
  statsPeriodSeconds?: number;
  /** Folder of libvirt's DOMAIN.pid files; false: no pids. Default /run/libvirt/qemu for qemu:///system. */
  pidDir?: string | false;
  /** Runs virsh (tests). */
  runner?: VirshRunner;
}

export class LibvirtSource implements GuestSource {
  readonly kind = 'libvirt' as const;
  readonly uri: string;
  readonly statsPeriodSeconds: number | undefined;
  private readonly virshProgram: string;
  private readonly commandTimeoutMs: number;
  private readonly pidDir: string | false;
  private readonly runner: VirshRunner;
  private readonly guests = new Map<string, LibvirtGuest>();
  private listing: Promise<ManagedGuest[]> | undefined;

  constructor(options: LibvirtSourceOptions = {}) {
    this.uri = options.uri ?? 'qemu:///system';
    this.virshProgram = options.virsh ?? 'virsh';
    this.commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
    this.statsPeriodSeconds = options.statsPeriodSeconds;
    this.pidDir = options.pidDir ?? (this.uri === 'qemu:///system' ? '/run/libvirt/qemu' : false);
    this.runner =
      options.runner ??
      ((args, timeoutMs) => run(this.virshProgram, ['-c', this.uri, ...args], { timeoutMs, allowFailure: true }));
  }

  /** The running domains, by name. A domain restarted since the last call (new pid) gets a fresh guest object. */
  list(): Promise<ManagedGuest[]> {
    this.listing ??= this.refresh().finally(() => {
      this.listing = undefined;
    });
    return this.listing;
  }

  close(): void {
    this.guests.clear();
  }

  /**
   * virsh's stdout. A failure that says the domain is missing or not running rejects with GuestGoneError, any other
   * with CommandError.
   */
  async virsh(args: readonly string[], domain?: string): Promise<string> {
    const r = await this.runner(args, this.commandTimeoutMs);
    if (r.exitCode === 0) return r.stdout;
    if (domain !== undefined && isDomainGone(r.stderr)) {
      throw new GuestGoneError(domain, `libvirt: ${virshErrorLine(r.stderr)}`, { uri: this.uri });
    }
    throw new CommandError(
      this.virshProgram,
      ['-c', this.uri, ...args],
      r.exitCode,
      r.stderr,
      `is libvirtd running and ${this.uri} the right URI? (virsh -c ${this.uri} list)`,
    );
  }

  private async refresh(): Promise<ManagedGuest[]> {
    const names = parseDomainNames(await this.virsh(['list', '--name', '--state-running']));
    const pids = await Promise.all(names.map((n) => this.readPid(n)));
    const current = new Map<string, LibvirtGuest>();
    names.forEach((name, i) => {
      const pid = pids[i];
      const known = this.guests.get(name);
      current.set(name, known && known.pid === pid ? known : new LibvirtGuest(this, name, pid));
    });
    this.guests.clear();
    for (const [name, g] of current) this.guests.set(name, g);
    return [...current.values()];
  }

  private async readPid(name: string): Promise<number | undefined> {
    if (this.pidDir === false || name.includes('/')) return undefined;
    try {
      const text = (await readFile(`${this.pidDir}/${name}.pid`, 'utf8')).trim();
      return /^\d+$/.test(text) ? Number(text) : undefined;
    } catch {
      return undefined;
    }
  }
}

/** One running libvirt domain. Concurrent reads share one `virsh dommemstat`. */
export class LibvirtGuest implements ManagedGuest {
  readonly source = 'libvirt' as const;
  readonly pid?: number;
  private maxMemory: Promise<number> | undefined;
  private memstat: Promise<Dommemstat> | undefined;
  private periodSet = false;

  constructor(
    private readonly libvirt: LibvirtSource,
    readonly name: string,
    pid: number | undefined,
  ) {
    if (pid !== undefined) this.pid = pid;
  }

  /** The domain's maximum memory (dominfo `Max memory`), read once. */
  memoryBytes(): Promise<number> {
    const p = (this.maxMemory ??= this.readMaxMemory());
    p.catch(() => {
      if (this.maxMemory === p) this.maxMemory = undefined; // try again next time
    });
    return p;
  }

  async balloonActual(): Promise<number> {
    const d = await this.dommemstat();
    if (d.actualKiB === undefined) {
      throw new VirshOutputError(`virsh dommemstat ${this.name}`, 'no actual line (no balloon device?)', '');
    }
    return d.actualKiB * 1024;
  }

  async setBalloon(bytes: number): Promise<void> {
    if (!Number.isSafeInteger(bytes) || bytes < 1024) {
      throw new UsageError(
        `balloon target must be a whole number of bytes >= 1 KiB, not ${bytes}`,
        'give a size such as 2G',
      );
    }
    await this.libvirt.virsh(['setmem', this.name, String(Math.floor(bytes / 1024)), '--live'], this.name);
  }

  /**
   * The statistics from dommemstat. While the guest reports none and the source has a statsPeriodSeconds, sets that
   * period once (`dommemstat --period N --live`); the first report follows a period later.
   */
  async stats(): Promise<GuestStats | undefined> {
    const s = dommemstatToGuestStats(await this.dommemstat());
    if (s !== undefined || this.periodSet || this.libvirt.statsPeriodSeconds === undefined) return s;
    this.periodSet = true;
    const period = String(this.libvirt.statsPeriodSeconds);
    await this.libvirt.virsh(['dommemstat', this.name, '--period', period, '--live'], this.name);
    return undefined;
  }

  close(): void {}

  private dommemstat(): Promise<Dommemstat> {
    this.memstat ??= this.libvirt
      .virsh(['dommemstat', this.name], this.name)
      .then(parseDommemstat)
      .finally(() => {
        this.memstat = undefined;
      });
    return this.memstat;
  }

  private async readMaxMemory(): Promise<number> {
    const out = await this.libvirt.virsh(['dominfo', this.name], this.name);
    const kib = parseDominfo(out).maxMemoryKiB;
    if (kib === undefined || kib <= 0) {
      throw new VirshOutputError(`virsh dominfo ${this.name}`, 'no Max memory line', out);
    }
    return kib * 1024;
  }
}
