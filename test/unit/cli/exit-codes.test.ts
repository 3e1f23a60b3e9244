/**
 * The exit statuses as the README documents them: its "Exit statuses:" line is read and compared with the table
 * the CLI uses, both ways (every status the CLI returns is documented, every documented status is returned, and the
 * words for each status name every error code that maps to it).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EXIT } from '../../../src/cli/exit-codes.js';

const README = new URL('../../../README.md', import.meta.url);

/** "Exit statuses: 0 ok, 1 internal error, ..." -> { 0: 'ok', 1: 'internal error', ... }. */
function documented(): Map<number, string> {
  const text = readFileSync(README, 'utf8').replace(/\n(?!\n)/g, ' ');
  const m = /Exit statuses: (.*?)\./.exec(text);
  assert.ok(m?.[1], 'the README has an "Exit statuses:" line');
  const out = new Map<number, string>();
  for (const part of m[1].split(/,\s*(?=\d)/)) {
    const p = /^(\d+) (.+)$/.exec(part.trim());
    assert.ok(p?.[1] && p[2], `README exit status entry '${part}' reads "N words"`);
    assert.ok(!out.has(Number(p[1])), `status ${p[1]} is documented once`);
    out.set(Number(p[1]), p[2].toLowerCase());
  }
  return out;
}

test('exit statuses: the README line and the CLI table agree', () => {
  const doc = documented();
  const used = new Set(Object.values(EXIT));
  assert.deepEqual(
    [...doc.keys()].sort((a, b) => a - b),
    [...used].sort((a, b) => a - b),
  );
  for (const [code, status] of Object.entries(EXIT)) {
    const words = code === 'USAGE' ? ['usage'] : code.toLowerCase().split('_');
    const says = doc.get(status) ?? '';
    for (const w of words) assert.ok(says.includes(w), `README status ${status} ('${says}') names ${code} (${w})`);
  }
});
