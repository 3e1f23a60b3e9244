/**
 * Where overcommit caches what it downloads and builds (Debian packages, guest images); OVERCOMMIT_CACHE_DIR
 * overrides it.
 */
export const DEFAULT_CACHE_DIR = '/var/cache/overcommit';

/** The cache directory: an explicit one, else OVERCOMMIT_CACHE_DIR, else the default. */
export function cacheDir(explicit?: string): string {
  return explicit ?? process.env.OVERCOMMIT_CACHE_DIR ?? DEFAULT_CACHE_DIR;
}
