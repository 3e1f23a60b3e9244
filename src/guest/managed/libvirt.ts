/**
 * Guests that libvirt runs, driven through `virsh` only (no libvirt binding: see docs/managers.md §3.3). One
 * `virsh domstats --balloon --list-running` a listing tells every running domain with its balloon size, memory
 * ceiling and statistics, so a tick costs one virsh call whatever the number of domains (a virsh call costs about
 * 12 ms of CPU here: 20 runs of this listing took 261 ms of task-clock under perf stat, 23 ms of it the loop's own;
 * a call per domain and tick, as list + dommemstat did, would take more than a core at 100 domains). The balloon
 * target is set with `virsh setmem DOM KiB --live`, the statistics period with `virsh dommemstat DOM --period N
 * --live`, and the QEMU pid comes from libvirt's pid file. The listing goes through one long-lived virsh
 * (virsh-session.ts: 1.3 ms of virsh CPU a call instead of 17.7 ms, bench/virsh-listing.ts); other commands, which
 * may wait on a domain's job, each run their own virsh.
 */
import { readFile } from 'node:fs/promises';
import { CommandError, UsageError } from '../../errors.js';
import { run, type RunResult } from '../../util/exec.js';
import type { GuestStats } from '../qmp/guest-stats.js';
import { GuestGoneError, VirshOutputError } from './errors.js';
import { VirshSession } from './virsh-session.js';
import type { CachedPoll, GuestSource, ManagedGuest } from './source.js';
import {
  balloonGuestStats,
  isDomainGone,
  parseDomstatsBalloon,
  virshErrorLine,
  type DomainBalloon,
} from './virsh-parse.js';

/** What a listing read stands for the guest's poll for this long (the agent lists, then polls, every tick), ms. */
const LISTING_FRESH_MS = 1000;
/**
 * The listing takes no job on a busy domain (--nowait): without it libvirt waits up to 30 s for each domain's job in
 * turn, so one domain stuck behind a hung monitor would hold up the listing of all of them. A domain listed without
 * its live figures (no balloon.rss) is then read on its own, within the poller's per-guest deadline.
 */
const LISTING = ['domstats', '--balloon', '--list-running', '--nowait'] as const;
const READ = ['domstats', '--balloon', '--list-running'] as const;
/**
 * After a failed listing (libvirtd down, a wrong URI, no permission), the next ones within this delay fail at once
 * with the same error, and the delay doubles with each failure in a row up to the most: with libvirtd down, virsh
 * cannot connect and exits, so each listing would start a virsh (17.7 ms of CPU, bench/virsh-listing.ts) every tick.
 * A listing that succeeds ends the backoff.
 */
export const LISTING_RETRY_FIRST_MS = 1000;
export const LISTING_RETRY_MOST_MS = 16_000;

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
  /** Runs virsh (tests); also the listing's runner unless listingRunner is given. */
  runner?: VirshRunner;
  /** Runs the listing. Default: a long-lived virsh session (without `runner`). */
  listingRunner?: VirshRunner;
  /** The clock of the listing's backoff (tests). Default Date.now. */
  now?: () => number;
}

export class LibvirtSource implements GuestSource {
  readonly kind = 'libvirt' as const;
  readonly uri: string;
  readonly statsPeriodSeconds: number | undefined;
  private readonly virshProgram: string;
  private readonly commandTimeoutMs: number;
  private readonly pidDir: string | false;
  private readonly runner: VirshRunner;
  private readonly listingRunner: VirshRunner;
  /** The listing's virsh, when the source runs its own. */
  readonly session: VirshSession | undefined;
  private readonly guests = new Map<string, LibvirtGuest>();
  private listing: Promise<ManagedGuest[]> | undefined;
  /** The last listing's failure while the backoff lasts: its error, until when, and the delay that set it. */
  private failed: { error: Error; until: number; delayMs: number } | undefined;
  private readonly now: () => number;

  constructor(options: LibvirtSourceOptions = {}) {
    this.uri = options.uri ?? 'qemu:///system';
    this.virshProgram = options.virsh ?? 'virsh';
    this.commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
    this.statsPeriodSeconds = options.statsPeriodSeconds;
    this.pidDir = options.pidDir ?? (this.uri === 'qemu:///system' ? '/run/libvirt/qemu' : false);
    this.runner =
      options.runner ??
      ((args, timeoutMs) => run(this.virshProgram, ['-c', this.uri, ...args], { timeoutMs, allowFailure: true }));
    const session = options.runner || options.listingRunner ? undefined : new VirshSession(this.virshProgram, this.uri);
    this.session = session;
    this.listingRunner = options.listingRunner ?? (session ? (a, t) => session.run(a, t) : this.runner);
    this.now = options.now ?? Date.now;
  }

  /**
   * The running domains, by name. A domain restarted since the last call (new pid) gets a fresh guest object. After
   * a failure, fails with the same error without calling virsh until the backoff ends (LISTING_RETRY_FIRST_MS).
   */
  list(): Promise<ManagedGuest[]> {
    const failed = this.failed;
    if (failed && this.now() < failed.until) return Promise.reject(failed.error);
    this.listing ??= this.refresh()
      .then(
        (guests) => {
          this.failed = undefined;
          return guests;
        },
        (e: unknown) => {
          const delayMs = failed ? Math.min(failed.delayMs * 2, LISTING_RETRY_MOST_MS) : LISTING_RETRY_FIRST_MS;
          const error = e instanceof Error ? e : new Error(String(e));
          this.failed = { error, until: this.now() + delayMs, delayMs };
          throw error;
        },
      )
      .finally(() => {
        this.listing = undefined;
      });
    return this.listing;
  }

  close(): void {
    this.guests.clear();
    this.session?.close();
  }

  /**
   * virsh's stdout. A failure that says the domain is missing or not running rejects with GuestGoneError, any other
   * with CommandError.
   */
  async virsh(args: readonly string[], domain?: string, runner = this.runner): Promise<string> {
    const r = await runner(args, this.commandTimeoutMs);
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
    const domains = parseDomstatsBalloon(await this.virsh(LISTING, undefined, this.listingRunner));
    const at = Date.now();
    const pids = await Promise.all(domains.map((d) => this.readPid(d.name)));
    const current = new Map<string, LibvirtGuest>();
    domains.forEach((d, i) => {
      const pid = pids[i];
      const known = this.guests.get(d.name);
      const g = known && known.pid === pid ? known : new LibvirtGuest(this, d.name, pid);
      g.listed(d, at);
      current.set(d.name, g);
    });
    this.guests.clear();
    for (const [name, g] of current) this.guests.set(name, g);
    // A guest that reports no statistics gets the period, once; the listing does not wait for it.
    for (const g of current.values()) void g.ensureStatsPeriod();
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

/**
 * One running libvirt domain. A poll right after a listing is answered from it, without a call; other reads ask
 * `virsh domstats --balloon --list-running DOM` (concurrent reads share one call), which prints nothing once the
 * domain is not running.
 */
export class LibvirtGuest implements ManagedGuest {
  readonly source = 'libvirt' as const;
  readonly pid?: number;
  private latest: { d: DomainBalloon; at: number } | undefined;
  private reading: Promise<DomainBalloon> | undefined;
  private periodSet = false;

  constructor(
    private readonly libvirt: LibvirtSource,
    readonly name: string,
    pid: number | undefined,
  ) {
    if (pid !== undefined) this.pid = pid;
  }

  /** The domain as the source's listing read it, at `at` (Date.now()). */
  listed(d: DomainBalloon, at: number): void {
    this.latest = { d, at };
  }

  /** The ceiling from the last listing or read: it does not change while the domain runs (a restart is a new guest). */
  async memoryBytes(): Promise<number> {
    const kib = this.latest?.d.maximumKiB ?? (await this.read()).maximumKiB;
    if (kib === undefined) throw this.outputError('balloon.maximum');
    return kib * 1024;
  }

  async balloonActual(): Promise<number> {
    const d = await this.read();
    if (d.actualKiB === undefined) throw this.outputError('balloon.current');
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

  /** The guest's statistics; undefined until it reports (the source sets the period when it has one). */
  async stats(): Promise<GuestStats | undefined> {
    return balloonGuestStats(await this.read());
  }

  /**
   * The poll's figures from the listing of this tick, when it had the domain's live figures; else undefined (the
   * poll asks). balloon.current is the size libvirt last heard of in a BALLOON_CHANGE event (QEMU sends at most one
   * a second, the last one always), as the QMP source's balloon size is.
   */
  cachedPoll(): CachedPoll | undefined {
    const l = this.latest;
    if (!l || Date.now() - l.at > LISTING_FRESH_MS) return undefined;
    if (l.d.rssKiB === undefined) return undefined; // listed without its live figures (busy: --nowait)
    if (l.d.maximumKiB === undefined || l.d.actualKiB === undefined) return undefined; // ask: its error names it
    const poll: CachedPoll = { memoryBytes: l.d.maximumKiB * 1024, balloonActualBytes: l.d.actualKiB * 1024 };
    const stats = balloonGuestStats(l.d);
    if (stats) poll.stats = stats;
    return poll;
  }

  /**
   * While the guest reports no statistics and the source has a statsPeriodSeconds, sets that period
   * (`dommemstat DOM --period N --live`), once for this guest object: a domain without a balloon device fails it
   * every time. Never rejects.
   */
  async ensureStatsPeriod(): Promise<void> {
    const period = this.libvirt.statsPeriodSeconds;
    if (this.periodSet || period === undefined || !this.latest || this.latest.d.lastUpdate) return;
    this.periodSet = true;
    await this.libvirt
      .virsh(['dommemstat', this.name, '--period', String(period), '--live'], this.name)
      .catch(() => undefined); // the guest then shows no statistics, which the status and metrics say
  }

  close(): void {}

  private read(): Promise<DomainBalloon> {
    this.reading ??= this.libvirt
      .virsh([...READ, this.name], this.name)
      .then((out) => {
        const d = parseDomstatsBalloon(out).find((x) => x.name === this.name);
        if (!d) throw new GuestGoneError(this.name, 'libvirt: the domain is not running', { uri: this.libvirt.uri });
        this.latest = { d, at: Date.now() };
        return d;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }

  private outputError(field: string): VirshOutputError {
    return new VirshOutputError(`virsh domstats --balloon ${this.name}`, `no ${field} (no balloon device?)`, '');
  }
}
