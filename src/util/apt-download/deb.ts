import { spawn } from 'node:child_process';
import { CommandError } from '../../errors.js';

/**
 * Unpacks selected paths of a .deb into `dest`: `dpkg-deb --fsys-tarfile DEB | tar -x -C DEST --wildcards PATTERNS`,
 * two processes joined by a pipe (argument arrays, no shell). Patterns are tar member names such as
 * './usr/bin/memcached' or './lib/modules/*\/kernel/drivers/virtio/*'. With no patterns, unpacks everything.
 */
export function extractDeb(deb: string, dest: string, patterns: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const dpkg = spawn('dpkg-deb', ['--fsys-tarfile', deb], { stdio: ['ignore', 'pipe', 'pipe'] });
    const tarArgs = ['-x', '-f', '-', '-C', dest, '--no-same-owner'];
    if (patterns.length > 0) tarArgs.push('--wildcards', ...patterns);
    const tar = spawn('tar', tarArgs, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    dpkg.stderr.on('data', (d: Buffer) => (err += d.toString()));
    tar.stderr.on('data', (d: Buffer) => (err += d.toString()));
    dpkg.stdout.pipe(tar.stdin);
    tar.stdin.on('error', () => undefined); // tar may exit before dpkg-deb finishes writing (all patterns found)
    let dpkgCode: number | null = null;
    dpkg.on('error', (e) =>
      reject(new CommandError('dpkg-deb', ['--fsys-tarfile', deb], null, e.message, 'apt-get install dpkg')),
    );
    tar.on('error', (e) => reject(new CommandError('tar', tarArgs, null, e.message, 'apt-get install tar')));
    dpkg.on('close', (c) => (dpkgCode = c));
    tar.on('close', (code) => {
      const finish = () => {
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
