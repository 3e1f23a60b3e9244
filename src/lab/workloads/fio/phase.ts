import type { Guest } from '../../../guest/guest.js';
import type { FioResult } from '../results.js';
import { fioArgs, FIO_JOBS, parseFioJson, FioOutputError } from './parse.js';

/** The scratch disk as the guest's /init links it (virtio-blk serial ovc-scratch). */
export const GUEST_SCRATCH_DEVICE = '/dev/scratch';

/**
 * Runs the lab's fio jobs in a guest through the control channel, one after another on its scratch disk, and parses
 * fio's JSON. The guest needs the fio layer (image `tools` disk) and a scratch disk (launch `diskBytes`).
 */
export async function fioPhase(guest: Guest, secondsPerJob: number): Promise<FioResult[]> {
  const timeoutMs = (FIO_JOBS.length * (secondsPerJob + 5) + 30) * 1000;
  const r = await guest.exec(fioArgs(GUEST_SCRATCH_DEVICE, secondsPerJob), timeoutMs);
  if (r.exitCode !== 0) {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');
    throw new FioOutputError(`fio exited with ${r.exitCode}: ${tail}`);
  }
  return parseFioJson(r.stdout);
}
