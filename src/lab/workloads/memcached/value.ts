import { crc32 } from './crc32.js';

/**
 * Every value starts with a 12-byte header: 'OVC1', CRC-32 (big-endian), version (big-endian), then the payload.
 * The CRC covers the key, the version and the payload, so a reader that knows which key it asked for can tell a
 * correct value from a corrupt one (a flipped byte anywhere, a truncated value) or from another key's value.
 */
export const VALUE_HEADER_BYTES = 12;
const MAGIC = 0x4f564331; // 'OVC1'

/** checkValue's failure codes (versions are >= 1). */
export const CHECK_TOO_SHORT = -1;
export const CHECK_BAD_MAGIC = -2;
export const CHECK_BAD_CHECKSUM = -3;

/**
 * Writes the header of the value occupying buf[off, off+len) whose payload (from off+12) is already in place.
 * `key` must be ASCII.
 */
export function sealValue(buf: Buffer, off: number, len: number, key: string, version: number): void {
  if (len < VALUE_HEADER_BYTES) throw new RangeError(`a value needs at least ${VALUE_HEADER_BYTES} bytes, not ${len}`);
  if (!Number.isInteger(version) || version < 1 || version > 0xffffffff)
    throw new RangeError(`version must be 1..2^32-1, not ${version}`);
  buf.writeUInt32BE(MAGIC, off);
  buf.writeUInt32BE(version, off + 8);
  buf.writeUInt32BE(crc32(buf.subarray(off + 8, off + len), crc32(key)), off + 4);
}

/** The version stored in `value` if it is a sound value of `key`, else a negative CHECK_* code. */
export function checkValue(value: Uint8Array, key: string): number {
  if (value.length < VALUE_HEADER_BYTES) return CHECK_TOO_SHORT;
  const v = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length);
  if (v.readUInt32BE(0) !== MAGIC) return CHECK_BAD_MAGIC;
  if (v.readUInt32BE(4) !== crc32(v.subarray(8), crc32(key))) return CHECK_BAD_CHECKSUM;
  return v.readUInt32BE(8);
}

/** The version field of a value, unchecked (for messages about stale values). */
export function peekVersion(value: Uint8Array): number {
  return value.length >= VALUE_HEADER_BYTES
    ? (((value[8] as number) << 24) |
        ((value[9] as number) << 16) |
        ((value[10] as number) << 8) |
        (value[11] as number)) >>>
        0
    : 0;
}

export function describeCheck(code: number): string {
  switch (code) {
    case CHECK_TOO_SHORT:
      return 'shorter than the header';
    case CHECK_BAD_MAGIC:
      return "no 'OVC1' header";
    case CHECK_BAD_CHECKSUM:
      return "checksum mismatch (bytes changed, or another key's value)";
    default:
      return code >= 1 ? `sound, version ${code}` : `unknown check code ${code}`;
  }
}
