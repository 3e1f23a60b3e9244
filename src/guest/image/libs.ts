import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { MissingFeatureError } from '../../errors.js';
import { parseElfDeps } from './elf.js';

/**
 * Finds the shared libraries a set of binaries needs inside an unpacked package tree (the "staging" root), the way
 * ld.so would: DT_NEEDED, recursively. Symlinks are resolved inside the staging root (absolute targets included),
 * never on the host.
 */
export async function resolveInStaging(root: string, path: string, depth = 0): Promise<string> {
  const st = await lstat(path);
  if (!st.isSymbolicLink()) return path;
  if (depth > 20) throw new Error(`symlink loop at ${path}`);
  const t = await readlink(path);
  const next = t.startsWith('/') ? join(root, t) : join(dirname(path), t);
  return resolveInStaging(root, next, depth + 1);
}

/** soname/basename -> path inside staging, for every *.so* under the usual library directories. */
export async function indexLibraries(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const preferred = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu', 'lib64', 'lib', 'usr/lib'];
  const walk = async (dir: string) => {
    const ents = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of ents) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.so(\.|$)/.test(e.name) && !out.has(e.name)) out.set(e.name, p);
    }
  };
  for (const d of preferred) await walk(join(root, d));
  return out;
}

export interface Resolved {
  /** soname -> real file in staging. */
  libs: Map<string, string>;
  interpreter?: string;
}

export async function resolveLibraries(
  root: string,
  binaries: string[],
  index: Map<string, string>,
): Promise<Resolved> {
  const libs = new Map<string, string>();
  const missing: string[] = [];
  let interpreter: string | undefined;
  const queue = [...binaries];
  const seenFiles = new Set<string>();
  while (queue.length > 0) {
    const file = await resolveInStaging(root, queue.shift() as string);
    if (seenFiles.has(file)) continue;
    seenFiles.add(file);
    const deps = parseElfDeps(await readFile(file));
    if (deps.interpreter) interpreter = deps.interpreter;
    for (const so of deps.needed) {
      if (libs.has(so)) continue;
      const p = index.get(so);
      if (!p) {
        missing.push(`${so} (needed by ${relative(root, file)})`);
        continue;
      }
      const real = await resolveInStaging(root, p);
      libs.set(so, real);
      queue.push(real);
    }
  }
  if (missing.length > 0) {
    throw new MissingFeatureError(
      `shared libraries ${missing.join(', ')}`,
      'the package closure lacks them: report this with the package versions',
    );
  }
  return interpreter ? { libs, interpreter } : { libs };
}
