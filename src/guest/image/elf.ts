/**
 * Reads what a dynamically linked ELF64 (x86-64) file needs to run: its interpreter (PT_INTERP), the sonames it
 * links (DT_NEEDED) and its RUNPATH/RPATH. Pure: bytes in, names out. Enough to copy a Debian binary and exactly
 * the libraries it needs into a guest image, without installing anything on the host.
 */
export interface ElfDeps {
  interpreter?: string;
  needed: string[];
  runpath: string[];
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;

export class NotElfError extends Error {}

function cstr(buf: Buffer, off: number): string {
  const end = buf.indexOf(0, off);
  return buf.toString('utf8', off, end < 0 ? buf.length : end);
}

export function isElf(buf: Buffer): boolean {
  return buf.length >= 64 && buf.readUInt32BE(0) === 0x7f454c46;
}

export function parseElfDeps(buf: Buffer): ElfDeps {
  if (!isElf(buf)) throw new NotElfError('not an ELF file');
  if (buf[4] !== 2 || buf[5] !== 1) throw new NotElfError('only 64-bit little-endian ELF is supported');
  const phoff = Number(buf.readBigUInt64LE(0x20));
  const phentsize = buf.readUInt16LE(0x36);
  const phnum = buf.readUInt16LE(0x38);
  const loads: Array<{ vaddr: number; offset: number; filesz: number }> = [];
  let dynamic: { offset: number; size: number } | undefined;
  const out: ElfDeps = { needed: [], runpath: [] };
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (p + 56 > buf.length) break;
    const type = buf.readUInt32LE(p);
    const offset = Number(buf.readBigUInt64LE(p + 8));
    const vaddr = Number(buf.readBigUInt64LE(p + 16));
    const filesz = Number(buf.readBigUInt64LE(p + 32));
    if (type === PT_LOAD) loads.push({ vaddr, offset, filesz });
    if (type === PT_DYNAMIC) dynamic = { offset, size: filesz };
    if (type === PT_INTERP) out.interpreter = cstr(buf, offset);
  }
  if (!dynamic) return out; // static binary
  const toOffset = (vaddr: number): number => {
    for (const l of loads) if (vaddr >= l.vaddr && vaddr < l.vaddr + l.filesz) return vaddr - l.vaddr + l.offset;
    throw new NotElfError(`address 0x${vaddr.toString(16)} is in no loaded segment`);
  };
  const entries: Array<[bigint, bigint]> = [];
  for (let p = dynamic.offset; p + 16 <= dynamic.offset + dynamic.size && p + 16 <= buf.length; p += 16) {
    const tag = buf.readBigInt64LE(p);
    if (tag === DT_NULL) break;
    entries.push([tag, buf.readBigUInt64LE(p + 8)]);
  }
  const strtab = entries.find(([t]) => t === DT_STRTAB);
  if (!strtab) return out;
  const strOff = toOffset(Number(strtab[1]));
  for (const [tag, val] of entries) {
    if (tag === DT_NEEDED) out.needed.push(cstr(buf, strOff + Number(val)));
    if (tag === DT_RUNPATH || tag === DT_RPATH) out.runpath.push(...cstr(buf, strOff + Number(val)).split(':'));
  }
  return out;
}

const PT_NOTE = 4;
const XEN_ELFNOTE_PHYS32_ENTRY = 18;

/**
 * True when a kernel ELF (an uncompressed vmlinux) carries the Xen PVH entry note: QEMU can then boot it directly
 * (`-kernel vmlinux`), skipping the bzImage's own decompression, which is slow under TCG.
 */
export function hasPvhEntry(buf: Buffer): boolean {
  if (!isElf(buf) || buf[4] !== 2) return false;
  const phoff = Number(buf.readBigUInt64LE(0x20));
  const phentsize = buf.readUInt16LE(0x36);
  const phnum = buf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    if (p + 56 > buf.length || buf.readUInt32LE(p) !== PT_NOTE) continue;
    const off = Number(buf.readBigUInt64LE(p + 8));
    const end = off + Number(buf.readBigUInt64LE(p + 32));
    for (let n = off; n + 12 <= end && n + 12 <= buf.length;) {
      const namesz = buf.readUInt32LE(n);
      const descsz = buf.readUInt32LE(n + 4);
      const type = buf.readUInt32LE(n + 8);
      const name = buf.toString('latin1', n + 12, n + 12 + Math.max(0, namesz - 1));
      if (name === 'Xen' && type === XEN_ELFNOTE_PHYS32_ENTRY) return true;
      n += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4;
    }
  }
  return false;
}
