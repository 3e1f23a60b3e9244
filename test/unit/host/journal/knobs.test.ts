import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { describe, test } from 'node:test';
import { UsageError } from '../../../../src/errors.js';
import {
  KNOBS,
  knobPath,
  knobSpec,
  parseChoice,
  parseKnobValue,
  validateKnobValue,
} from '../../../../src/host/journal/knobs.js';
import { fixture, usageError } from '../../fixtures.js';

const paths = { sys: '/x/sys', proc: '/x/proc', dev: '/x/dev', cgroupFs: '/x/sys/fs/cgroup' };

describe('parseChoice', () => {
  test('"[none] scan-time" -> none selected, both offered', () => {
    assert.deepEqual(parseChoice('[none] scan-time\n'), { selected: 'none', values: ['none', 'scan-time'] });
  });

  test('zram comp_algorithm capture (trailing space): lz4 selected', () => {
    assert.deepEqual(parseChoice(fixture('6.18', 'zram-comp_algorithm')), {
      selected: 'lz4',
      values: ['lzo-rle', 'lzo', 'lz4'],
    });
  });

  test('THP defrag: a value with "+" selected last', () => {
    assert.deepEqual(parseChoice('always defer defer+madvise madvise [never]\n'), {
      selected: 'never',
      values: ['always', 'defer', 'defer+madvise', 'madvise', 'never'],
    });
  });

  test('nothing selected, and empty text', () => {
    assert.deepEqual(parseChoice('a b\n'), { selected: undefined, values: ['a', 'b'] });
    assert.deepEqual(parseChoice(''), { selected: undefined, values: [] });
  });
});

describe('KNOBS / knobSpec / knobPath', () => {
  test('ids are unique and each names the file it writes', () => {
    const ids = KNOBS.map((k) => k.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const k of KNOBS) assert.equal(basename(k.rel), k.id.split('/')[1], k.id);
  });

  test('knobSpec finds a knob; an unknown one is a UsageError naming it', () => {
    assert.deepEqual(knobSpec('ksm/run'), {
      id: 'ksm/run',
      root: 'sys',
      rel: 'kernel/mm/ksm/run',
      kind: { type: 'int', min: 0, max: 2 },
    });
    assert.throws(() => knobSpec('ksm/nope'), usageError(/^unknown knob 'ksm\/nope'$/));
  });

  test('knobPath puts sys knobs under paths.sys and proc knobs under paths.proc', () => {
    assert.equal(knobPath(paths, knobSpec('zswap/enabled')), '/x/sys/module/zswap/parameters/enabled');
    assert.equal(knobPath(paths, knobSpec('vm/swappiness')), '/x/proc/sys/vm/swappiness');
  });
});

describe('parseKnobValue', () => {
  test('choice -> the selected value; int and yn -> trimmed text', () => {
    assert.equal(parseKnobValue(knobSpec('ksm/advisor_mode'), '[none] scan-time\n'), 'none');
    assert.equal(parseKnobValue(knobSpec('thp/enabled'), 'always [madvise] never\n'), 'madvise');
    assert.equal(parseKnobValue(knobSpec('ksm/pages_to_scan'), '1000\n'), '1000');
    assert.equal(parseKnobValue(knobSpec('zswap/enabled'), 'N\n'), 'N');
    assert.equal(parseKnobValue(knobSpec('zswap/compressor'), 'lzo\n'), 'lzo');
  });

  test('a choice file without brackets falls back to the trimmed text', () => {
    assert.equal(parseKnobValue(knobSpec('thp/enabled'), ' odd \n'), 'odd');
  });
});

describe('validateKnobValue', () => {
  const run = knobSpec('ksm/run');
  const pages = knobSpec('ksm/pages_to_scan');

  test('ints in range are normalized to their decimal text', () => {
    assert.equal(validateKnobValue(run, 2), '2');
    assert.equal(validateKnobValue(run, '0'), '0');
    assert.equal(validateKnobValue(pages, ' 7 '), '7');
    assert.equal(validateKnobValue(pages, '007'), '7');
    assert.equal(validateKnobValue(pages, 4294967295), '4294967295');
    assert.equal(validateKnobValue(knobSpec('vm/swappiness'), 200), '200');
  });

  const outOfRange: Array<[string, string | number, string]> = [
    ['ksm/run', 3, 'from 0 to 2'],
    ['ksm/run', -1, 'from 0 to 2'],
    ['ksm/pages_to_scan', 0, 'from 1 to 4294967295'],
    ['ksm/pages_to_scan', 4294967296, 'from 1 to 4294967295'],
    ['ksm/advisor_max_cpu', 101, 'from 1 to 100'],
    ['ksm/max_page_sharing', 1, 'from 2 to 2147483647'],
    ['vm/swappiness', 201, 'from 0 to 200'],
    ['ksm/sleep_millisecs', '1.5', 'from 0 to 4294967295'],
    ['ksm/sleep_millisecs', '1e3', 'from 0 to 4294967295'],
    ['zswap/max_pool_percent', '', 'from 1 to 100'],
  ];
  for (const [id, v, range] of outOfRange) {
    test(`${id} = ${JSON.stringify(v)} is refused (${range})`, () => {
      assert.throws(
        () => validateKnobValue(knobSpec(id), v),
        (e: unknown) =>
          e instanceof UsageError &&
          e.message === `invalid value '${String(v).trim()}' for ${id}` &&
          e.hint === `use a whole number ${range}` &&
          e.context.knob === id,
      );
    });
  }

  test('yn: booleans and the usual spellings, any case', () => {
    const en = knobSpec('zswap/enabled');
    for (const v of [true, 'Y', 'y', '1', 'on', 'TRUE', 'On']) assert.equal(validateKnobValue(en, v), 'Y');
    for (const v of [false, 'N', 'n', '0', 'off', 'False']) assert.equal(validateKnobValue(en, v), 'N');
  });

  test('yn: anything else is refused', () => {
    assert.throws(
      () => validateKnobValue(knobSpec('zswap/shrinker_enabled'), 'maybe'),
      (e: unknown) => e instanceof UsageError && /invalid value 'maybe'/.test(e.message) && e.hint === 'use Y or N',
    );
  });

  test('choice: one the kernel offers is accepted', () => {
    assert.equal(validateKnobValue(knobSpec('ksm/advisor_mode'), 'scan-time', ['none', 'scan-time']), 'scan-time');
    assert.equal(
      validateKnobValue(knobSpec('thp/defrag'), 'defer+madvise', [
        'always',
        'defer',
        'defer+madvise',
        'madvise',
        'never',
      ]),
      'defer+madvise',
    );
  });

  test('choice: one the kernel does not offer is a UsageError listing what it offers', () => {
    assert.throws(
      () => validateKnobValue(knobSpec('ksm/advisor_mode'), 'fast', ['none', 'scan-time']),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === "invalid value 'fast' for ksm/advisor_mode" &&
        e.hint === 'this kernel offers: none, scan-time',
    );
  });

  test('choice without the offered list: only the shape is checked', () => {
    assert.equal(validateKnobValue(knobSpec('thp/enabled'), 'never'), 'never');
    assert.throws(() => validateKnobValue(knobSpec('thp/enabled'), 'a b'), usageError(/invalid value 'a b'/));
    assert.throws(() => validateKnobValue(knobSpec('thp/enabled'), '[never]'), usageError(/for thp\/enabled/));
  });

  test('word: compressor names pass, shell-ish text does not', () => {
    const c = knobSpec('zswap/compressor');
    assert.equal(validateKnobValue(c, 'zstd'), 'zstd');
    assert.equal(validateKnobValue(c, '842'), '842');
    assert.equal(validateKnobValue(c, 'lzo-rle'), 'lzo-rle');
    for (const bad of ['lz4; reboot', '-lz4', '', 'a b', '../x']) {
      assert.throws(() => validateKnobValue(c, bad), usageError(/for zswap\/compressor/), bad);
    }
  });
});
