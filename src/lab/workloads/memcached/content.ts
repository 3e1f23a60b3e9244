import type { ContentMix, ValueSizeSpec } from './config.js';
import { Prng, hashString, mix32 } from './prng.js';
import { VALUE_HEADER_BYTES, sealValue } from './value.js';

/**
 * The duplicated part of every value: 4 KiB of pseudo-random bytes from a fixed seed, repeated. It is the same in
 * every value of every guest and every run, whatever the config's seed, so KSM can merge pages of it across keys and
 * guests — but it does not compress and is not a same-filled page, so zram/zswap get nothing from it.
 */
export const DUP_PATTERN_BYTES = 4096;
export const DUP_PATTERN: Buffer = (() => {
  const b = Buffer.alloc(DUP_PATTERN_BYTES);
  new Prng(0x0dd5eed, 0x4b534d).fill(b, 0, b.length);
  return b;
})();

const CORPUS_BYTES = 64 * 1024;
const WORDS =
  'memory page guest host balloon swap zram zswap merge share budget pressure reclaim cache slab item value key ' +
  'kernel virtual machine overcommit compress sample latency throughput the of and to in is that for it as with';

/** Repetitive text (words from a small vocabulary, seeded per guest): what zram/zswap compress well. */
function corpus(salt: number): Buffer {
  const words = WORDS.split(' ').map((w) => Buffer.from(w + ' ', 'latin1'));
  const rng = new Prng(salt, 0xc0ffee);
  const b = Buffer.alloc(CORPUS_BYTES);
  let i = 0;
  while (i < b.length) i += (words[rng.int(words.length)] as Buffer).copy(b, i);
  return b;
}

/** Copies `len` bytes of `src`, repeated from `start`, into dst at `at`. */
function copyRepeated(src: Buffer, start: number, dst: Buffer, at: number, len: number): void {
  let s = start % src.length;
  while (len > 0) {
    const n = src.copy(dst, at, s, Math.min(src.length, s + len));
    at += n;
    len -= n;
    s = 0;
  }
}

/**
 * Builds values: size and bytes are a pure function of (seed, target id, key index, version), so any value can be
 * recomputed to verify it byte for byte. Layout after the header: duplicated | compressible | random.
 */
export class ValueFactory {
  private readonly salt: number;
  private readonly sizeSalt: number;
  private readonly text: Buffer;
  private readonly rng = new Prng(0);

  /** `targetId` tells guests apart so that their compressible and random parts differ (no accidental sharing). */
  constructor(
    private readonly spec: { content: ContentMix; valueSize: ValueSizeSpec; seed: number },
    targetId: string,
  ) {
    this.salt = mix32(spec.seed, hashString(targetId));
    this.sizeSalt = mix32(spec.seed, 0x517e);
    this.text = corpus(this.salt);
  }

  /** Value size (header included) of this key and version. */
  sizeOf(keyIndex: number, version: number): number {
    const v = this.spec.valueSize;
    if (v.kind === 'fixed') return v.bytes;
    const span = v.maxBytes - v.minBytes + 1;
    return v.minBytes + (mix32(mix32(this.sizeSalt, keyIndex), version) % span);
  }

  /** Writes the whole value (header and payload, `size` bytes) into buf at `off`. */
  write(buf: Buffer, off: number, size: number, key: string, keyIndex: number, version: number): void {
    const payload = size - VALUE_HEADER_BYTES;
    const c = this.spec.content;
    const dup = Math.round(payload * c.duplicatedShare);
    let comp = Math.min(payload - dup, Math.round(payload * c.compressibleShare));
    if (c.randomShare === 0) comp = payload - dup;
    const rnd = payload - dup - comp;
    let at = off + VALUE_HEADER_BYTES;
    if (dup > 0) copyRepeated(DUP_PATTERN, 0, buf, at, dup);
    at += dup;
    const seed = mix32(mix32(this.salt, keyIndex), version);
    if (comp > 0) copyRepeated(this.text, seed % this.text.length, buf, at, comp);
    at += comp;
    if (rnd > 0) {
      this.rng.reseed(seed, 0x7a4d);
      this.rng.fill(buf, at, at + rnd);
    }
    sealValue(buf, off, size, key, version);
  }

  /** The value of (key, version) as a new Buffer. */
  build(key: string, keyIndex: number, version: number): Buffer {
    const size = this.sizeOf(keyIndex, version);
    const b = Buffer.allocUnsafe(size);
    this.write(b, 0, size, key, keyIndex, version);
    return b;
  }
}
