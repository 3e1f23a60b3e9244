import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OvercommitError, UsageError } from '../../src/errors.js';
import { readDirFiles } from '../../src/host/fsio.js';

/** Kernel text captured from this machine (6.18) or written by hand after the 6.1 sources (see its README). */
export type Kernel = '6.18' | '6.1';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function fixturePath(kernel: Kernel, name: string): string {
  return join(FIXTURES, `linux-${kernel}`, name);
}

/** One fixture file as text. */
export function fixture(kernel: Kernel, name: string): string {
  return readFileSync(fixturePath(kernel, name), 'utf8');
}

/** A fixture directory read the way the drivers read sysfs directories (fsio.readDirFiles): name -> text. */
export async function fixtureDir(kernel: Kernel, name: string): Promise<Record<string, string>> {
  const files = await readDirFiles(fixturePath(kernel, name));
  assert.ok(files, `fixture directory ${name} of linux-${kernel} is missing`);
  return files;
}

/** For assert.throws: a UsageError whose message matches `re`. */
export function usageError(re: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof UsageError, `expected a UsageError, got ${String(e)}`);
    assert.match(e.message, re);
    return true;
  };
}

/** For assert.throws: an OvercommitError with this code whose message matches `re`. */
export function overcommitError(code: string, re: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof OvercommitError, `expected an OvercommitError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, re);
    return true;
  };
}
