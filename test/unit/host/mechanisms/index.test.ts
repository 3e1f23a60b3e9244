import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { JournalObjectSchema } from '../../../../src/host/journal/journal-data.js';
import { MECHANISMS, objectHandler, stepHandler, swapNamesOf } from '../../../../src/host/mechanisms/index.js';
import type { HostPaths } from '../../../../src/host/paths.js';
import { PRESETS, planPreset } from '../../../../src/host/presets.js';

const SRC = fileURLToPath(new URL('../../../../src/', import.meta.url));
const read = (rel: string) => readFileSync(join(SRC, rel), 'utf8');
const walk = (d: string): string[] =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : [],
  );
const paths: HostPaths = { sys: '/nonexistent/sys', proc: '/nonexistent/proc', dev: '/dev', cgroupFs: '/nonexistent' };

describe('the mechanism registry', () => {
  test('names are unique, and every mechanism file in host/mechanisms/ is registered', () => {
    const names = MECHANISMS.map((m) => m.name);
    assert.equal(new Set(names).size, names.length);
    const files = readdirSync(join(SRC, 'host/mechanisms')).filter((f) => !['index.ts', 'mechanism.ts'].includes(f));
    for (const f of files) {
      assert.match(read(`host/mechanisms/${f}`), /satisfies Mechanism</, `${f} exports no Mechanism`);
    }
    assert.equal(files.length, MECHANISMS.length, `files ${files.join(', ')} vs mechanisms ${names.join(', ')}`);
  });

  test("every preset's steps are run by the mechanism their op names, and each describes its step", () => {
    for (const p of PRESETS) {
      for (const s of planPreset(p, {}, '/var/lib/overcommit').steps) {
        const h = stepHandler(s);
        assert.equal(MECHANISMS.find((m) => 'step' in m && m.step === h)?.name, s.op);
        assert.ok(h.describe(s).length > 0);
      }
    }
  });

  test("every journal object kind is the journal's own (process, file, dir) or exactly one mechanism's", () => {
    const kinds = JournalObjectSchema.options.map((o) => o.shape.kind.value);
    for (const k of kinds) {
      const owners = MECHANISMS.filter((m) => 'objects' in m && m.objects.kind === k).map((m) => m.name);
      if (['process', 'file', 'dir'].includes(k)) assert.deepEqual(owners, [], k);
      else assert.equal(owners.length, 1, `${k}: ${owners.join(', ')}`);
      assert.equal(objectHandler(k) !== undefined, owners.length === 1);
    }
  });

  test('swap names: a swap file is its path; a zram device its node once its index is known', () => {
    assert.deepEqual(swapNamesOf(paths, { id: 1, kind: 'swapfile', path: '/var/lib/x.swap', sizeBytes: 1 }), [
      '/var/lib/x.swap',
    ]);
    const zram = { id: 2, kind: 'zram' as const, existingBefore: [], hotAdded: true };
    assert.deepEqual(swapNamesOf(paths, { ...zram, index: 3 }), ['/dev/zram3']);
    assert.deepEqual(swapNamesOf(paths, { ...zram, index: null }), []);
    assert.deepEqual(swapNamesOf(paths, { id: 3, kind: 'dir', path: '/tmp/x' }), []);
  });
});

describe('mechanism knowledge stays in host/mechanisms/', () => {
  test('apply, restore, status and doctor do not switch on a mechanism name (presets are recipes of steps)', () => {
    const names = MECHANISMS.map((m) => m.name).join('|');
    const caseArm = new RegExp(`case '(${names})'`);
    for (const f of ['host/apply.ts', 'host/journal/restore.ts', 'host/status.ts', 'host/doctor.ts']) {
      assert.doesNotMatch(read(f), caseArm, f);
    }
  });

  test('swap is switched on and off in one place (host/swaps.ts)', () => {
    const callers = walk(SRC).filter((f) => /run\(\s*'swap(on|off)'/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(
      callers.map((f) => f.slice(SRC.length)),
      ['host/swaps.ts'],
    );
  });
});
