import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pct, table } from '../../../../src/cli/render/table.js';

test('table aligns every column but the last, two spaces apart, no trailing spaces', () => {
  assert.equal(
    table([
      ['a', 'bb', 'x'],
      ['ccc', 'd', 'yy'],
      ['', '', ''],
    ]),
    'a    bb  x\nccc  d   yy\n',
  );
});

test('rows of different lengths: the last cell of each row is not padded', () => {
  assert.equal(
    table([
      ['KSM', 'on'],
      ['', 'saved 1 MiB', 'extra'],
    ]),
    'KSM  on\n     saved 1 MiB  extra',
  );
});

test('no rows -> empty text', () => {
  assert.equal(table([]), '');
});

test('pct has two decimals', () => {
  assert.equal(pct(1.234), '1.23');
  assert.equal(pct(0), '0.00');
});
