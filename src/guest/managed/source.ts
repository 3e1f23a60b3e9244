/**
 * A guest the agent manages but did not start: found on a QMP socket or through libvirt. Every source hands out the
 * same small interface, so the loop, the metrics and the policies never ask where a guest came from.
 */
import type { GuestStats } from '../qmp/guest-stats.js';

export type { GuestStats } from '../qmp/guest-stats.js';

export type GuestSourceKind = 'qmp' | 'libvirt';

export interface ManagedGuest {
  /** QEMU's -name (query-name), the libvirt domain name, or else the socket file's name. Unique within a source. */
  readonly name: string;
  readonly source: GuestSourceKind;
  /** The QEMU process, when it can be found (libvirt's pid file; a QEMU whose command line holds the QMP socket). */
  readonly pid?: number;
  /** The guest's full memory size (the balloon's ceiling), bytes. */
  memoryBytes(): Promise<number>;
  /** The memory the guest has now, as the balloon has it (query-balloon actual / domstats balloon.current), bytes. */
  balloonActual(): Promise<number>;
  /** Sets the balloon target: the size, in bytes, the guest should shrink or grow to. Returns before the guest acts. */
  setBalloon(bytes: number): Promise<void>;
  /** The balloon driver's latest statistics; undefined when the guest has not reported any (yet) or has no balloon. */
  stats(): Promise<GuestStats | undefined>;
  /**
   * A poll's figures when the guest has them without asking (the balloon from its events, the statistics it
   * reported this period); undefined when a call is due or the connection is in trouble. Optional: it spares the
   * loop the calls and their promises for most guests in most ticks (bench/agent-overhead). A guest whose monitor
   * hangs is seen at the next call that is due: within one statistics period, or statsMaxAgeMs. `statsMaxAgeMs`:
   * statistics up to this old count as at hand when that is longer than the guest's period (an idle guest, asked less
   * often: agent/idle-stats.ts).
   */
  cachedPoll?(statsMaxAgeMs?: number): CachedPoll | undefined;
  /** A poll's figures, asking only for what is not at hand (one call in most ticks that ask at all). Optional. */
  fetchPoll?(statsMaxAgeMs?: number): Promise<CachedPoll>;
  /** Drops the connection. Idempotent; the guest itself is not touched. */
  close(): void;
}

export interface CachedPoll {
  memoryBytes: number;
  balloonActualBytes: number;
  /** Absent when the guest has no balloon or has not reported statistics yet. */
  stats?: GuestStats;
  /** The guest answered, but its statistics could not be read (e.g. the balloon driver is not loaded yet). */
  statsError?: string;
}

export interface GuestSource {
  readonly kind: GuestSourceKind;
  /**
   * The guests there are now. A source keeps its guest objects (and their connections) from one call to the next and
   * closes those that went away. A guest that cannot be reached is still listed: its calls fail with the reason.
   */
  list(): Promise<ManagedGuest[]>;
  /** Closes every guest the source handed out. */
  close(): void;
}
