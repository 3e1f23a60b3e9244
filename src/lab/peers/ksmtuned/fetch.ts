import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MissingFeatureError } from '../../../errors.js';
// The Debian fetch/unpack code lives with the guest image builder; ksmtuned (a host-side peer) reuses it.
import { cacheDir as defaultCacheDir } from '../../../util/cache-dir.js';
import { candidateVersions, downloadDebs } from '../../../util/apt-download/apt.js';
import { extractDeb } from '../../../util/apt-download/deb.js';
import { exists } from '../../../host/fsio.js';

export const KSMTUNED_PACKAGE = 'ksmtuned';
/** The version the patches were written against (Debian 12 bookworm). */
export const KSMTUNED_TESTED_VERSION = '4.20150326+b1';

export interface KsmtunedPackage {
  version: string;
  /** The unpacked, unmodified /usr/sbin/ksmtuned. */
  script: string;
  /** sha256 of the script, for the report. */
  sha256: string;
  /** True when this call downloaded the package (false: it was in the cache). */
  fetched: boolean;
}

export interface FetchOptions {
  /** Default $OVERCOMMIT_CACHE_DIR or /var/cache/overcommit. */
  cacheDir?: string;
  /** Default apt's candidate. */
  version?: string;
}

/** Where a version's script is cached: CACHE/peers/ksmtuned-VERSION/ksmtuned (':' written %3a, as apt does). */
export function ksmtunedCacheDir(cacheDir: string, version: string): string {
  return join(cacheDir, 'peers', `${KSMTUNED_PACKAGE}-${version.replace(/:/g, '%3a')}`);
}

async function candidate(): Promise<string> {
  try {
    return (await candidateVersions([KSMTUNED_PACKAGE])).get(KSMTUNED_PACKAGE) as string;
  } catch (e) {
    if (e instanceof MissingFeatureError)
      throw new MissingFeatureError(
        `the Debian package ${KSMTUNED_PACKAGE}`,
        `run apt-get update (the package lists may be empty), or pass the version to fetch (${KSMTUNED_TESTED_VERSION} is the one the patches fit)`,
      );
    throw e;
  }
}

/**
 * Gets /usr/sbin/ksmtuned out of Debian's `ksmtuned` package with `apt-get download` + dpkg-deb, into the cache;
 * the package is never installed (installing it enables ksm.service and ksmtuned.service). A cached version is
 * used without asking apt when `version` is given.
 */
export async function fetchKsmtuned(opts: FetchOptions = {}): Promise<KsmtunedPackage> {
  const cacheDir = defaultCacheDir(opts.cacheDir);
  const version = opts.version ?? (await candidate());
  const dir = ksmtunedCacheDir(cacheDir, version);
  const script = join(dir, KSMTUNED_PACKAGE);
  let fetched = false;
  if (!(await exists(script))) {
    const debDir = join(cacheDir, 'debs');
    await mkdir(debDir, { recursive: true });
    const { files, fetched: got } = await downloadDebs(new Map([[KSMTUNED_PACKAGE, version]]), debDir);
    fetched = got.length > 0;
    const tmp = `${dir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    try {
      await extractDeb(files.get(KSMTUNED_PACKAGE) as string, tmp, ['./usr/sbin/ksmtuned']);
      await rename(join(tmp, 'usr/sbin/ksmtuned'), join(tmp, KSMTUNED_PACKAGE));
      await rm(join(tmp, 'usr'), { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
  }
  const sha256 = createHash('sha256')
    .update(await readFile(script))
    .digest('hex');
  return { version, script, sha256, fetched };
}
