import { CommandError } from '../../errors.js';
import { killGroup, spawnGroup } from '../exec.js';

/** A .deb of ours unpacks in seconds (the 70 MB kernel in ~2 s): ten minutes means a hung pipe. */
const EXTRACT_TIMEOUT_MS = 600_000;

/**
 * Unpacks selected paths of a .deb into `dest`: `dpkg-deb --fsys-tarfile DEB | tar -x -C DEST --wildcards PATTERNS`,
 * two processes joined by a pipe (argument arrays, no shell), each the leader of its own process group: a timeout
 * kills both groups. Patterns are tar member names such as
 * './usr/bin/memcached' or './lib/modules/*\/kernel/drivers/virtio/*'. With no patterns, unpacks everything.
 */
export function extractDeb(deb: string, dest: string, patterns: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const dpkg = spawnGroup('dpkg-deb', ['--fsys-tarfile', deb], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tarArgs = ['-x', '-f', '-', '-C', dest, '--no-same-owner'];
    if (patterns.length > 0) tarArgs.push('--wildcards', ...patterns);
    const tar = spawnGroup('tar', tarArgs, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => {
      err += `\nkilled after ${EXTRACT_TIMEOUT_MS} ms: timed out`;
      killGroup(dpkg, 'SIGKILL');
      killGroup(tar, 'SIGKILL');
    }, EXTRACT_TIMEOUT_MS).unref();
    dpkg.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    tar.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    if (dpkg.stdout && tar.stdin) dpkg.stdout.pipe(tar.stdin);
    tar.stdin?.on('error', () => undefined); // tar may exit before dpkg-deb finishes writing (all patterns found)
    let dpkgCode: number | null = null;
    dpkg.on('error', (e) =>
      reject(new CommandError('dpkg-deb', ['--fsys-tarfile', deb], null, e.message, 'apt-get install dpkg')),
    );
    tar.on('error', (e) => reject(new CommandError('tar', tarArgs, null, e.message, 'apt-get install tar')));
    dpkg.on('close', (c) => (dpkgCode = c));
    tar.on('close', (code) => {
      const finish = () => {
        clearTimeout(timer);
        if (code !== 0)
          reject(
            new CommandError('tar', tarArgs, code, err, `is ${deb} a complete .deb? delete it to download it again`),
          );
        else resolve();
      };
      if (dpkgCode !== null || dpkg.exitCode !== null) finish();
      else dpkg.on('close', finish);
    });
  });
}
