import { join } from 'node:path';
import { MissingFeatureError } from '../errors.js';
import { exists } from './fsio.js';

/** Finds a program on PATH (and the sbin directories, where util-linux puts swapon). */
export async function findProgram(name: string): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const d of dirs) if (d && (await exists(join(d, name)))) return join(d, name);
  return undefined;
}

/** Refuses with the package to install when one of these programs is missing. */
export async function needPrograms(names: string[]): Promise<void> {
  for (const n of names) {
    if (!(await findProgram(n))) throw new MissingFeatureError(`the program ${n}`, 'apt-get install util-linux');
  }
}
