import * as zlib from 'node:zlib';

/** CRC-32 (IEEE, as zlib): zlib's native one where Node has it (>= 20.15), a table-driven one otherwise. */
let TABLE: Uint32Array | undefined;

function table(): Uint32Array {
  if (TABLE) return TABLE;
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  TABLE = t;
  return t;
}

/** Pure-JS CRC-32 of bytes (or of a string's char codes, which must be < 256), continuing from `initial`. */
export function crc32Js(data: Uint8Array | string, initial = 0): number {
  const t = table();
  let c = ~initial;
  if (typeof data === 'string') {
    for (let i = 0; i < data.length; i++) c = (t[(c ^ data.charCodeAt(i)) & 0xff] as number) ^ (c >>> 8);
  } else {
    for (let i = 0; i < data.length; i++) c = (t[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  }
  return ~c >>> 0;
}

type Crc32 = (data: Uint8Array | string, initial?: number) => number;
const native = (zlib as { crc32?: Crc32 }).crc32;

/** CRC-32 of bytes or of an ASCII string, continuing from `initial` (chainable like zlib.crc32). */
export const crc32: Crc32 = typeof native === 'function' ? native : crc32Js;
