import { spawn } from 'node:child_process';
import { open, readFile, rm } from 'node:fs/promises';
import { hasPvhEntry } from './elf.js';

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

/** Where the XZ-compressed kernel starts inside a bzImage (Debian compresses with XZ), or -1. Pure. */
export function findXzPayload(bzImage: Buffer): number {
  return bzImage.indexOf(XZ_MAGIC);
}

/**
 * Extracts the uncompressed ELF vmlinux from a bzImage into `dest` (`xz -dc --single-stream`: the payload is
 * followed by other data). Returns false, leaving nothing behind, when the kernel is not XZ-compressed, xz is
 * missing, or the result has no PVH entry note.
 */
export async function extractPvhKernel(bzImagePath: string, dest: string): Promise<boolean> {
  const bz = await readFile(bzImagePath);
  const at = findXzPayload(bz);
  if (at < 0) return false;
  const out = await open(dest, 'w');
  const ok = await new Promise<boolean>((resolve) => {
    const xz = spawn('xz', ['-dc', '--single-stream'], { stdio: ['pipe', out.fd, 'ignore'] });
    xz.on('error', () => resolve(false));
    xz.on('close', (code) => resolve(code === 0));
    xz.stdin?.on('error', () => undefined);
    xz.stdin?.end(bz.subarray(at));
  });
  await out.close();
  if (ok) {
    const head = await readFile(dest);
    if (hasPvhEntry(head)) return true;
  }
  await rm(dest, { force: true });
  return false;
}
