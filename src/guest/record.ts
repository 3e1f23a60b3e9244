import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite } from '../util/atomic-write.js';
import type { Accel, HostPorts, Service } from './launcher/qemu-args.js';

/** What is known about one running guest, saved beside its files so any later command can find it. */
export interface GuestRecord {
  name: string;
  pid: number;
  startTime: string | null;
  dir: string;
  qmpSocket: string;
  serialLog: string;
  ports: HostPorts;
  token: string;
  memoryBytes: number;
  vcpus: number;
  services: Service[];
  disk?: string;
  accel: Accel;
  accelReason?: string;
  qemuVersion: string;
  guestKernel: string;
  /** How the kernel was booted: pvh (uncompressed vmlinux) or bzimage. */
  boot: 'pvh' | 'bzimage';
  hostKernel: string;
  thp: string;
  imageKey: string;
  startedAt: string;
  /** Journal object ids of this guest (process, dir), so `vm stop` can drop them. */
  journalIds: number[];
}

export function guestsDir(stateDir: string): string {
  return join(stateDir, 'guests');
}

export function guestDir(stateDir: string, name: string): string {
  return join(guestsDir(stateDir), name);
}

export async function saveRecord(r: GuestRecord): Promise<void> {
  await atomicWrite(join(r.dir, 'guest.json'), JSON.stringify(r, null, 2) + '\n');
}

export async function loadRecord(stateDir: string, name: string): Promise<GuestRecord | undefined> {
  return readFile(join(guestDir(stateDir, name), 'guest.json'), 'utf8').then(
    (t) => JSON.parse(t) as GuestRecord,
    () => undefined,
  );
}

export async function listRecords(stateDir: string): Promise<GuestRecord[]> {
  const names = await readdir(guestsDir(stateDir)).catch(() => [] as string[]);
  const out: GuestRecord[] = [];
  for (const n of names.sort()) {
    const r = await loadRecord(stateDir, n);
    if (r) out.push(r);
  }
  return out;
}
