import { copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { MissingFeatureError } from '../../errors.js';
import { run } from '../../util/exec.js';
import { candidateVersions, downloadDebs, libraryClosure } from '../../util/apt-download/apt.js';
import { cacheDir as defaultCacheDir } from '../../util/cache-dir.js';
import { imageKey } from './cache.js';
import { cpioArchive, withParentDirs, type CpioEntry } from './cpio.js';
import { extractDeb } from '../../util/apt-download/deb.js';
import { controlHandler, initScript, MODULE_ORDER } from './init-script.js';
import { indexLibraries, resolveLibraries, resolveInStaging } from './libs.js';
import { extractPvhKernel } from './vmlinux.js';

/** Bumped whenever the builder's output for the same inputs changes. */
const BUILDER_VERSION = 3;
const LIBDIR = 'lib/x86_64-linux-gnu';

export type Layer = 'fio';

export interface BuildOptions {
  cacheDir?: string;
  /** Optional layers on top of the base image (memcached, iperf3, busybox). */
  layers?: Layer[];
  /** A kernel of the user's own (bzImage) instead of Debian's; its virtio drivers must be built in. */
  kernel?: string;
  log?: (line: string) => void;
}

export interface GuestImage {
  key: string;
  dir: string;
  kernel: string;
  /** The uncompressed vmlinux with a PVH entry, when it could be extracted: boots ~2x faster under TCG. */
  pvhKernel?: string;
  kernelVersion: string;
  initrd: string;
  /**
   * The optional layers (fio and its libraries) as a read-only squashfs image, attached as a virtio-blk disk with
   * serial `ovc-tools` and mounted on /opt/tools: its files live in the guest's page cache (evictable), not in the
   * initramfs (which would pin ~85 MiB of RAM in a 256 MiB guest).
   */
  tools?: string;
  packages: Record<string, string>;
  /** Packages downloaded by this build (empty for a cache hit or a warm package cache). */
  fetched: string[];
  cached: boolean;
  buildMs: number;
}

interface Manifest {
  key: string;
  kernel: string;
  pvhKernel?: string;
  kernelVersion: string;
  initrd: string;
  tools?: string;
  packages: Record<string, string>;
}

interface Resolution {
  kpkg?: string;
  services: string[];
  libPkgs: string[];
  versions: Map<string, string>;
}

/** A stamp of the apt package lists: while it is unchanged, package resolution gives the same answer. */
async function aptListsStamp(): Promise<string> {
  const dir = '/var/lib/apt/lists';
  const names = (await readdir(dir).catch(() => [] as string[])).filter(
    (n) => n.endsWith('_Packages') || n.endsWith('Release'),
  );
  const stats = await Promise.all(names.sort().map(async (n) => [n, (await stat(join(dir, n))).mtimeMs]));
  return imageKey(stats);
}

/**
 * Which packages (exact versions) an image needs: the kernel, busybox, the services, and the library closure of the
 * services. Asking apt takes seconds, so the answer is cached per state of the apt lists.
 */
async function resolvePackages(cacheDir: string, layers: Layer[], debianKernel: boolean): Promise<Resolution> {
  const file = join(cacheDir, 'resolve', `${imageKey({ lists: await aptListsStamp(), layers, debianKernel })}.json`);
  const hit = await readFile(file, 'utf8').then(
    (t) => JSON.parse(t) as { kpkg?: string; services: string[]; libPkgs: string[]; versions: Record<string, string> },
    () => undefined,
  );
  if (hit) return { ...hit, versions: new Map(Object.entries(hit.versions)) };
  const kpkg = debianKernel ? await kernelPackage() : undefined;
  const services = ['busybox-static', 'memcached', 'iperf3', ...layers];
  const libPkgs = (await libraryClosure(['memcached', 'iperf3', ...layers])).filter((p) => !services.includes(p));
  const versions = await candidateVersions([...(kpkg ? [kpkg] : []), ...services, ...libPkgs]);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ kpkg, services, libPkgs, versions: Object.fromEntries(versions) }));
  return kpkg ? { kpkg, services, libPkgs, versions } : { services, libPkgs, versions };
}

async function kernelPackage(): Promise<string> {
  const r = await run('apt-cache', ['depends', 'linux-image-amd64']);
  const m = /Depends:\s+(linux-image-[\d.]+-\d+-amd64)/.exec(r.stdout);
  if (!m?.[1])
    throw new MissingFeatureError(
      'the Debian kernel package (linux-image-amd64)',
      'run apt-get update, or pass --kernel',
    );
  return m[1];
}

const fileEntry = async (path: string, from: string, mode = 0o755): Promise<CpioEntry> => ({
  type: 'file',
  path,
  data: await readFile(from),
  mode,
});

/**
 * Builds (or finds in the cache) a guest image from Debian packages fetched with `apt-get download` and unpacked,
 * never installed. Content-addressed: the key hashes the exact package versions, the init scripts, the layers and
 * the user's kernel, so a second build with the same inputs downloads nothing and writes nothing.
 */
export async function buildImage(opts: BuildOptions = {}): Promise<GuestImage> {
  // Guests started in parallel ask for the same image at once: one build per process and set of inputs.
  const id = JSON.stringify([opts.cacheDir, [...new Set(opts.layers ?? [])].sort(), opts.kernel]);
  let p = inFlight.get(id);
  if (!p) {
    p = build(opts).finally(() => inFlight.delete(id));
    inFlight.set(id, p);
  }
  return p;
}

const inFlight = new Map<string, Promise<GuestImage>>();

async function build(opts: BuildOptions): Promise<GuestImage> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const cacheDir = defaultCacheDir(opts.cacheDir);
  const layers = [...new Set(opts.layers ?? [])].sort();
  const { kpkg, libPkgs, versions } = await resolvePackages(cacheDir, layers, !opts.kernel);
  const userKernel = opts.kernel
    ? await stat(opts.kernel).then((s) => ({ path: opts.kernel, size: s.size, mtime: s.mtimeMs }))
    : null;
  const key = imageKey({
    builder: BUILDER_VERSION,
    versions: Object.fromEntries(versions),
    init: initScript(),
    ctl: controlHandler(),
    layers,
    userKernel,
  });
  const dir = join(cacheDir, 'images', key);
  const manifestPath = join(dir, 'manifest.json');
  const cachedManifest = await readFile(manifestPath, 'utf8').then(
    (t) => JSON.parse(t) as Manifest,
    () => undefined,
  );
  if (cachedManifest) {
    return { ...cachedManifest, dir, fetched: [], cached: true, buildMs: Date.now() - t0 };
  }

  const debDir = join(cacheDir, 'debs');
  await mkdir(debDir, { recursive: true });
  const { files, fetched } = await downloadDebs(versions, debDir);
  log(
    fetched.length
      ? `fetched ${fetched.length} packages in ${Date.now() - t0} ms`
      : 'all packages already in the cache',
  );

  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = join(tmp, 'staging');
  await rm(tmp, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const deb = (n: string) => files.get(n) as string;
    await extractDeb(deb('busybox-static'), staging, ['./bin/busybox']);
    await extractDeb(deb('memcached'), staging, ['./usr/bin/memcached']);
    await extractDeb(deb('iperf3'), staging, ['./usr/bin/iperf3']);
    if (layers.includes('fio')) await extractDeb(deb('fio'), staging, ['./usr/bin/fio']);
    for (const p of libPkgs)
      await extractDeb(deb(p), staging, ['./lib/*', './lib64/*', './usr/lib/*']).catch(() => undefined);
    let kernelVersion: string;
    let kernelFile: string;
    const modules: CpioEntry[] = [];
    if (kpkg) {
      await extractDeb(deb(kpkg), staging, [
        './boot/vmlinuz-*',
        ...MODULE_ORDER.map((m) => `./lib/modules/*/${m}.ko`),
      ]).catch(async () =>
        extractDeb(deb(kpkg), staging, [
          './boot/vmlinuz-*',
          './lib/modules/*/kernel/drivers/*',
          './lib/modules/*/kernel/net/core/*',
        ]),
      );
      const boot = await readdir(join(staging, 'boot'));
      const vmlinuz = boot.find((f) => f.startsWith('vmlinuz-')) as string;
      kernelVersion = vmlinuz.slice('vmlinuz-'.length);
      kernelFile = join(staging, 'boot', vmlinuz);
      const found = await findModules(join(staging, 'lib/modules', kernelVersion));
      for (const m of MODULE_ORDER) {
        const p = found.get(m);
        if (p) modules.push(await fileEntry(`lib/modules/${m}.ko`, p, 0o644));
      }
    } else {
      kernelFile = opts.kernel as string;
      kernelVersion = `user:${basename(kernelFile)}`;
    }

    const index = await indexLibraries(staging);
    const base = await resolveLibraries(
      staging,
      [join(staging, 'usr/bin/memcached'), join(staging, 'usr/bin/iperf3')],
      index,
    );
    const entries: CpioEntry[] = [
      { type: 'dir', path: 'dev' },
      { type: 'chardev', path: 'dev/console', major: 5, minor: 1 },
      { type: 'dir', path: 'proc' },
      { type: 'dir', path: 'sys' },
      { type: 'dir', path: 'tmp', mode: 0o1777 },
      { type: 'dir', path: 'root', mode: 0o700 },
      { type: 'file', path: 'init', data: Buffer.from(initScript()), mode: 0o755 },
      { type: 'file', path: 'ctl', data: Buffer.from(controlHandler()), mode: 0o755 },
      { type: 'file', path: 'etc/passwd', data: Buffer.from('root:x:0:0:root:/root:/bin/sh\n'), mode: 0o644 },
      { type: 'file', path: 'etc/group', data: Buffer.from('root:x:0:\n'), mode: 0o644 },
      await fileEntry('bin/busybox', join(staging, 'bin/busybox')),
      await fileEntry('usr/bin/memcached', join(staging, 'usr/bin/memcached')),
      await fileEntry('usr/bin/iperf3', join(staging, 'usr/bin/iperf3')),
      ...modules,
    ];
    for (const [so, p] of base.libs) entries.push(await fileEntry(`${LIBDIR}/${so}`, p));
    if (base.interpreter) {
      entries.push(
        await fileEntry(
          base.interpreter.replace(/^\//, ''),
          await resolveInStaging(staging, join(staging, base.interpreter)),
        ),
      );
    }
    await mkdir(tmp, { recursive: true });
    if (layers.includes('fio')) {
      const fio = await resolveLibraries(staging, [join(staging, 'usr/bin/fio')], index);
      const files: [string, string][] = [['bin/fio', join(staging, 'usr/bin/fio')]];
      for (const [so, p] of fio.libs) if (!base.libs.has(so)) files.push([`lib/${so}`, p]);
      await buildToolsImage(join(tmp, 'tools'), files, join(tmp, 'tools.squashfs'));
    }
    await writeFile(join(tmp, 'initrd.cpio'), cpioArchive(withParentDirs(entries)));
    await writeFile(join(tmp, 'vmlinuz'), await readFile(kernelFile));
    const pvh = await extractPvhKernel(join(tmp, 'vmlinuz'), join(tmp, 'vmlinux'));
    log(
      pvh
        ? 'kernel: PVH entry found, vmlinux extracted for direct boot'
        : 'kernel: no PVH boot (not XZ, no xz, or no PVH note): bzImage boot',
    );
    await rm(staging, { recursive: true, force: true });
    const manifest: Manifest = {
      key,
      kernel: join(dir, 'vmlinuz'),
      ...(pvh ? { pvhKernel: join(dir, 'vmlinux') } : {}),
      kernelVersion,
      initrd: join(dir, 'initrd.cpio'),
      ...(layers.length > 0 ? { tools: join(dir, 'tools.squashfs') } : {}),
      packages: Object.fromEntries(versions),
    };
    await writeFile(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    log(`built image ${key} (${kernelVersion}) in ${Date.now() - t0} ms`);
    return { ...manifest, dir, fetched, cached: false, buildMs: Date.now() - t0 };
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Copies the layer files into a tree and packs it with mksquashfs (Debian squashfs-tools; zstd: cheap to read). */
async function buildToolsImage(tree: string, files: [string, string][], out: string): Promise<void> {
  for (const [rel, from] of files) {
    await mkdir(dirname(join(tree, rel)), { recursive: true });
    await copyFile(from, join(tree, rel));
  }
  try {
    await run('mksquashfs', [tree, out, '-noappend', '-comp', 'zstd', '-all-root', '-quiet', '-no-progress']);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new MissingFeatureError('mksquashfs (to pack the fio layer)', 'apt-get install squashfs-tools');
    throw e;
  }
  await rm(tree, { recursive: true, force: true });
}

async function findModules(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.ko')) out.set(e.name.slice(0, -3), p);
    }
  };
  await walk(dir);
  return out;
}
