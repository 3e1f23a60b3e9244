/**
 * A writer for the "newc" cpio format the Linux kernel unpacks as an initramfs. Pure: entries in, bytes out.
 * Several archives may be concatenated into one initrd (the kernel unpacks them in order), which is how the
 * optional fio layer is added on top of the base image.
 */
export type CpioEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; data: Buffer; mode?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'chardev'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const hex8 = (n: number) => n.toString(16).padStart(8, '0');
const pad4 = (n: number) => (4 - (n % 4)) % 4;

function header(ino: number, mode: number, size: number, name: string, rdevMajor = 0, rdevMinor = 0): Buffer {
  const nameBytes = Buffer.from(name + '\0', 'utf8');
  const fields = [
    ino,
    mode,
    0, // uid
    0, // gid
    1, // nlink
    0, // mtime: 0 keeps the archive reproducible (content-addressed cache)
    size,
    0, // devmajor
    0, // devminor
    rdevMajor,
    rdevMinor,
    nameBytes.length,
    0, // check
  ];
  const h = Buffer.from('070701' + fields.map(hex8).join(''), 'ascii');
  return Buffer.concat([h, nameBytes, Buffer.alloc(pad4(h.length + nameBytes.length))]);
}

/** Serializes entries (in the given order: parents before children) and the trailer. */
export function cpioArchive(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, '');
    switch (e.type) {
      case 'dir':
        parts.push(header(ino++, S_IFDIR | (e.mode ?? 0o755), 0, name));
        break;
      case 'file':
        parts.push(
          header(ino++, S_IFREG | (e.mode ?? 0o644), e.data.length, name),
          e.data,
          Buffer.alloc(pad4(e.data.length)),
        );
        break;
      case 'symlink': {
        const t = Buffer.from(e.target, 'utf8');
        parts.push(header(ino++, S_IFLNK | 0o777, t.length, name), t, Buffer.alloc(pad4(t.length)));
        break;
      }
      case 'chardev':
        parts.push(header(ino++, S_IFCHR | (e.mode ?? 0o600), 0, name, e.major, e.minor));
        break;
    }
  }
  parts.push(header(0, 0, 0, 'TRAILER!!!'));
  const body = Buffer.concat(parts);
  return Buffer.concat([body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

/** Adds the parent directories every path needs, once each, before the entries. */
export function withParentDirs(entries: readonly CpioEntry[]): CpioEntry[] {
  const seen = new Set<string>();
  const out: CpioEntry[] = [];
  for (const e of entries) {
    const parts = e.path.replace(/^\/+/, '').split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!seen.has(d)) {
        seen.add(d);
        out.push({ type: 'dir', path: d });
      }
    }
    if (e.type === 'dir') {
      const d = e.path.replace(/^\/+/, '');
      if (seen.has(d)) continue;
      seen.add(d);
    }
    out.push(e);
  }
  return out;
}
