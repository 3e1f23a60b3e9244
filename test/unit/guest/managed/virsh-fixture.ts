import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../../fixtures.js';

/** virsh output captured from libvirt 9.0.0 / QEMU 7.2 (test/fixtures/virsh/README.md). */
export function virshFixture(name: string): string {
  return readFileSync(join(FIXTURES, 'virsh', name), 'utf8');
}
