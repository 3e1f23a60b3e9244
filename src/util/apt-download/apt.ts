import { readdir } from 'node:fs/promises';
import { MissingFeatureError } from '../../errors.js';
import { run } from '../exec.js';

/**
 * Debian packages for guest images, fetched with `apt-get download` into a cache and never installed on the host.
 * The parsers are pure (fed with real apt-cache output in tests); the rest is thin I/O.
 */

/** `apt-cache depends --no-recommends ... PKG...` -> package -> its Depends/PreDepends (first alternative; virtual skipped). */
export function parseAptDepends(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  let takeNext = true;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) {
      const name = line.trim();
      if (name.startsWith('<')) {
        current = undefined;
        continue;
      }
      current = [];
      out.set(name, current);
      takeNext = true;
      continue;
    }
    const m = /^\s+(\|)?(Depends|PreDepends):\s+(\S+)/.exec(line);
    if (!m || !current) continue;
    const alt = m[1] === '|';
    const dep = m[3] ?? '';
    // "|Depends: a" then "Depends: b": a or b — take a, skip b.
    if (takeNext && !dep.startsWith('<')) current.push(dep.replace(/:any$/, ''));
    takeNext = !alt;
  }
  return out;
}

/** `apt-cache policy PKG...` -> package -> candidate version (undefined when (none)). */
export function parseAptPolicy(text: string): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  let pkg: string | undefined;
  for (const line of text.split('\n')) {
    const h = /^(\S+):\s*$/.exec(line);
    if (h?.[1]) {
      pkg = h[1];
      out.set(pkg, undefined);
      continue;
    }
    const c = /^\s+Candidate:\s+(\S+)/.exec(line);
    if (c?.[1] && pkg) out.set(pkg, c[1] === '(none)' ? undefined : c[1]);
  }
  return out;
}

/** Packages worth unpacking for shared libraries: lib*, zlib*, not perl/python modules. */
export function isLibraryPackage(name: string): boolean {
  return /^(lib|zlib)/.test(name) && !/-perl$|^libperl|^libpython|-dev$|-common$/.test(name);
}

/** Library packages reachable from `roots` through library packages (the roots themselves included). */
export async function libraryClosure(roots: string[]): Promise<string[]> {
  const seen = new Set<string>(roots);
  let frontier = [...roots];
  while (frontier.length > 0) {
    const r = await run('apt-cache', [
      'depends',
      '--no-recommends',
      '--no-suggests',
      '--no-conflicts',
      '--no-breaks',
      '--no-replaces',
      '--no-enhances',
      ...frontier,
    ]);
    const deps = parseAptDepends(r.stdout);
    const next: string[] = [];
    for (const ds of deps.values()) {
      for (const d of ds) {
        if (!seen.has(d) && isLibraryPackage(d)) {
          seen.add(d);
          next.push(d);
        }
      }
    }
    frontier = next;
  }
  return [...seen].sort();
}

export async function candidateVersions(pkgs: string[]): Promise<Map<string, string>> {
  const r = await run('apt-cache', ['policy', ...pkgs]);
  const pol = parseAptPolicy(r.stdout);
  const out = new Map<string, string>();
  const missing: string[] = [];
  for (const p of pkgs) {
    const v = pol.get(p);
    if (v) out.set(p, v);
    else missing.push(p);
  }
  if (missing.length > 0) {
    throw new MissingFeatureError(
      `the Debian package(s) ${missing.join(', ')}`,
      'run apt-get update (the package lists may be empty), or pass your own kernel with --kernel',
    );
  }
  return out;
}

/** The file name apt-get download gives a package: name_version_arch.deb, with ':' written %3a. */
export function debFileName(name: string, version: string, arch: string): string {
  return `${name}_${version.replace(/:/g, '%3a')}_${arch}.deb`;
}

/**
 * Downloads the packages (exact versions) into `dir` unless already there. Returns name -> .deb path and the
 * names actually fetched (empty on a warm cache).
 */
export async function downloadDebs(
  versions: Map<string, string>,
  dir: string,
): Promise<{ files: Map<string, string>; fetched: string[] }> {
  const have = new Set(await readdir(dir).catch(() => [] as string[]));
  const find = (name: string, v: string) =>
    ['amd64', 'all'].map((a) => debFileName(name, v, a)).find((f) => have.has(f));
  const need = [...versions].filter(([n, v]) => !find(n, v)).map(([n, v]) => `${n}=${v}`);
  if (need.length > 0) {
    await run('apt-get', ['download', '-q', '-o', 'APT::Sandbox::User=root', ...need], {
      cwd: dir,
      timeoutMs: 600_000,
      hint: 'check that the Debian mirror is reachable and run apt-get update',
    });
    for (const f of await readdir(dir)) have.add(f);
  }
  const files = new Map<string, string>();
  for (const [n, v] of versions) {
    const f = find(n, v);
    if (!f)
      throw new MissingFeatureError(
        `the downloaded package ${n} ${v}`,
        'apt-get download did not produce it; run apt-get update',
      );
    files.set(n, `${dir}/${f}`);
  }
  return { files, fetched: need };
}
