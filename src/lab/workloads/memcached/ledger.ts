/**
 * What each target (guest) must hold, per key: the latest version acknowledged (STORED) and the highest version
 * sent. memcached runs with -M (no eviction), so a key with an acknowledged version must be there: a miss on it is a
 * loss, and a hit must carry a version between the one acknowledged when the read was sent and the highest sent.
 *
 * A SET that failed (SERVER_ERROR: memcached then drops the old item too) or whose reply was lost with its connection
 * leaves the key with no guarantee (acked 0) until the next STORED. At most one SET per key is in flight at a time
 * (the load generator ensures it), so acknowledgements cannot arrive out of order.
 */
const SET_IN_FLIGHT = 1;
const LOST_SEEN = 2;
const CORRUPT_SEEN = 4;

export interface LedgerCounts {
  /** Keys with an acknowledged version (all targets). */
  keysWritten: number;
  /** Keys found missing although acknowledged, at any read since the last clearAnomalies(). */
  lost: number;
  /** Keys read back with a bad checksum, another key's bytes or an impossible version, likewise. */
  corrupt: number;
}

export class KeyLedger {
  private readonly acked: Uint32Array[];
  private readonly issued: Uint32Array[];
  private readonly flags: Uint8Array[];
  /** SETs that failed, per key: a GET overlapping a failure may miss legitimately. */
  private readonly failures: Uint32Array[];

  constructor(
    readonly targets: number,
    readonly keySpace: number,
  ) {
    if (!Number.isInteger(targets) || targets < 1) throw new RangeError(`targets must be >= 1, not ${targets}`);
    if (!Number.isInteger(keySpace) || keySpace < 1) throw new RangeError(`keySpace must be >= 1, not ${keySpace}`);
    this.acked = Array.from({ length: targets }, () => new Uint32Array(keySpace));
    this.issued = Array.from({ length: targets }, () => new Uint32Array(keySpace));
    this.flags = Array.from({ length: targets }, () => new Uint8Array(keySpace));
    this.failures = Array.from({ length: targets }, () => new Uint32Array(keySpace));
  }

  /** The latest acknowledged version (0: none, or no guarantee). */
  ackedVersion(t: number, k: number): number {
    return this.acked[t]![k]!;
  }

  /** The highest version ever sent. */
  issuedVersion(t: number, k: number): number {
    return this.issued[t]![k]!;
  }

  setInFlight(t: number, k: number): boolean {
    return (this.flags[t]![k]! & SET_IN_FLIGHT) !== 0;
  }

  /** Starts a SET: returns its version. Throws if one is already in flight for the key. */
  beginSet(t: number, k: number): number {
    const f = this.flags[t]!;
    if (f[k]! & SET_IN_FLIGHT) throw new Error(`a SET of key ${k} on target ${t} is already in flight`);
    f[k] = f[k]! | SET_IN_FLIGHT;
    const iss = this.issued[t]!;
    const v = iss[k]! + 1;
    if (v > 0xffffffff) throw new RangeError('version overflow');
    iss[k] = v;
    return v;
  }

  /** The SET of `version` was answered STORED. */
  stored(t: number, k: number, version: number): void {
    this.acked[t]![k] = version;
    this.flags[t]![k] = this.flags[t]![k]! & ~SET_IN_FLIGHT;
  }

  /** The SET failed or its outcome is unknown: the key may be gone (memcached drops the old item on failure). */
  setFailed(t: number, k: number): void {
    this.acked[t]![k] = 0;
    this.failures[t]![k] = (this.failures[t]![k]! + 1) >>> 0;
    this.flags[t]![k] = this.flags[t]![k]! & ~SET_IN_FLIGHT;
  }

  /**
   * Judges a GET hit: `version` (from a sound value) must lie in [floor, highest sent], floor being the version
   * acknowledged when the GET was sent.
   */
  hitIsCurrent(t: number, k: number, version: number, floor: number): boolean {
    return version >= floor && version <= this.issued[t]![k]!;
  }

  /** SET failures of the key so far: a GET notes it when sent, for missIsLoss. */
  failureCount(t: number, k: number): number {
    return this.failures[t]![k]!;
  }

  /**
   * Judges a GET miss: lost if the key was guaranteed when the GET was sent (floor > 0), no SET of it is pending
   * and none failed since (a failed SET drops the key on the server, maybe before the GET was served, even if a
   * later SET has been acknowledged by the time the GET's reply comes in).
   */
  missIsLoss(t: number, k: number, floor: number, failuresAtSend: number): boolean {
    return (
      floor > 0 &&
      this.acked[t]![k]! > 0 &&
      (this.flags[t]![k]! & SET_IN_FLIGHT) === 0 &&
      this.failures[t]![k] === failuresAtSend
    );
  }

  markLost(t: number, k: number): void {
    this.flags[t]![k] = this.flags[t]![k]! | LOST_SEEN;
  }

  markCorrupt(t: number, k: number): void {
    this.flags[t]![k] = this.flags[t]![k]! | CORRUPT_SEEN;
  }

  /** Forgets lost/corrupt marks (versions stay). */
  clearAnomalies(): void {
    for (const f of this.flags) for (let k = 0; k < f.length; k++) f[k] = f[k]! & SET_IN_FLIGHT;
  }

  /** Calls fn for every key of target t with an acknowledged version, in key order. */
  forEachWritten(t: number, fn: (k: number, acked: number) => void): void {
    const a = this.acked[t]!;
    for (let k = 0; k < a.length; k++) if (a[k]! > 0) fn(k, a[k]!);
  }

  counts(): LedgerCounts {
    let keysWritten = 0;
    let lost = 0;
    let corrupt = 0;
    for (let t = 0; t < this.targets; t++) {
      const a = this.acked[t]!;
      const f = this.flags[t]!;
      for (let k = 0; k < a.length; k++) {
        if (a[k]! > 0) keysWritten++;
        if (f[k]! & LOST_SEEN) lost++;
        if (f[k]! & CORRUPT_SEEN) corrupt++;
      }
    }
    return { keysWritten, lost, corrupt };
  }
}
