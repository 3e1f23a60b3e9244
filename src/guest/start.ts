import type { HostJournal } from '../host/journal/journal.js';
import { Guest } from './guest.js';
import { buildImage, type BuildOptions, type GuestImage } from './image/builder.js';
import { cacheDir as defaultCacheDir } from '../util/cache-dir.js';
import { chooseAccel, qemuVersion, type AccelVerdict } from './launcher/accel.js';
import { launchGuest, type StartOptions } from './launcher/launch.js';

export interface StartGuestOptions extends Omit<StartOptions, 'image' | 'accel' | 'qemuVersion'> {
  build?: BuildOptions;
  log?: (line: string) => void;
}

export interface Started {
  guest: Guest;
  image: GuestImage;
  accel: AccelVerdict;
  bootMs: number;
}

/**
 * Builds (or finds) the image, picks the accelerator, launches the guest and waits until it is ready. On failure
 * the guest's process and files are removed and dropped from the journal before the error is thrown.
 */
export async function startGuest(journal: HostJournal, o: StartGuestOptions): Promise<Started> {
  const log = o.log ?? (() => undefined);
  const image = await buildImage({ ...o.build, log });
  if (image.cached) log(`image ${image.key}: cached`);
  const cacheDir = defaultCacheDir(o.build?.cacheDir);
  const accel = await chooseAccel(cacheDir, image.pvhKernel ?? image.kernel, image.initrd, image.kernelVersion);
  if (accel.accel === 'tcg')
    log(`accelerator: TCG (software emulation, 10-25x slower than KVM): ${accel.reason ?? ''}`);
  const t0 = Date.now();
  const record = await launchGuest(journal, { ...o, image, accel, qemuVersion: await qemuVersion() });
  return { guest: new Guest(journal.paths, record), image, accel, bootMs: Date.now() - t0 };
}
