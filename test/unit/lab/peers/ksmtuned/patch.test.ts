import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  KsmtunedPatchError,
  patchKsmtunedScript,
  SHIPPED_QEMU_PATTERN,
} from '../../../../../src/lab/peers/ksmtuned/patch.js';
import { FIXTURES, overcommitError } from '../../../fixtures.js';

const shipped = readFileSync(join(FIXTURES, 'ksmtuned', 'ksmtuned-4.20150326+b1.sh'), 'utf8');
const golden = readFileSync(join(FIXTURES, 'ksmtuned', 'ksmtuned-4.20150326+b1.patched.sh'), 'utf8');

/** The text of a shell function `name () {` ... the first line that is exactly `}`. */
function fn(script: string, name: string): string {
  const start = script.search(new RegExp(`^(function )?${name} ?\\(\\)`, 'm'));
  assert.ok(start >= 0, `function ${name}`);
  return script.slice(start, script.indexOf('\n}\n', start) + 3);
}

describe('patchKsmtunedScript on Debian 12 ksmtuned 4.20150326+b1', () => {
  test('gives the golden patched script and one line per change', () => {
    const r = patchKsmtunedScript(shipped);
    assert.equal(r.script, golden);
    assert.equal(r.changes.length, 6);
    assert.match(r.changes.join('\n'), /KSM_MEMINFO/);
    assert.match(r.changes.join('\n'), /-enable-kvm/);
    assert.match(r.changes.join('\n'), /foreground/);
  });

  test('reads meminfo only through KSM_MEMINFO, counts processes through KSM_QEMU_PATTERN, runs the loop in the foreground', () => {
    const { script } = patchKsmtunedScript(shipped);
    assert.equal(script.split('/proc/meminfo').length - 1, 2);
    assert.equal(script.split('"${KSM_MEMINFO:-/proc/meminfo}"').length - 1, 2);
    assert.ok(script.includes(`pgrep -f -d ' ' "\${KSM_QEMU_PATTERN:-${SHIPPED_QEMU_PATTERN}}"`));
    assert.ok(!/loop &/.test(script), 'no background loop');
    assert.match(script, /echo \$\$ > "\$PIDFILE"\n.*trap .* TERM\n {2}loop\n/);
    assert.match(script, /\. "\$\{KSM_CONF-\/etc\/ksmtuned\.conf\}"/);
  });

  test('leaves the algorithm byte for byte as shipped', () => {
    const { script } = patchKsmtunedScript(shipped);
    for (const name of ['KSMCTL', 'increase_npages', 'adjust', 'loop', 'nothing'])
      assert.equal(fn(script, name), fn(shipped, name), name);
    const settings = (s: string) =>
      s.split('\n').filter((l) => /^(KSM_|npages=|sleep=|thres=|\[ \$sleep|PIDFILE=)/.test(l));
    assert.deepEqual(settings(script), settings(shipped));
    assert.equal(settings(shipped).length, 13);
  });

  test('matches whatever the whitespace', () => {
    const tabs = shipped.replace(/^ {4}/gm, '\t').replace(/^ {2}/gm, '\t');
    const { script } = patchKsmtunedScript(tabs);
    assert.ok(script.includes('"${KSM_MEMINFO:-/proc/meminfo}"'));
    assert.ok(!script.includes('loop &'));
  });

  test('throws KsmtunedPatchError naming what did not match', () => {
    const other = shipped.replace("'^qemu-system.*-enable-kvm'", "'^qemu-kvm'");
    assert.throws(() => patchKsmtunedScript(other), overcommitError('MISSING_FEATURE', /patch 'process-match'/));
    assert.throws(
      () => patchKsmtunedScript(shipped.replace('  loop &\n', '  loop >/dev/null &\n')),
      (e: unknown) => e instanceof KsmtunedPatchError && /'foreground'.*found 0/.test(e.message),
    );
  });

  test('refuses a script that reads /proc/meminfo somewhere it does not patch', () => {
    const extra = shipped.replace('debug total $total', 'debug total $total\ngrep MemAvailable /proc/meminfo');
    assert.throws(() => patchKsmtunedScript(extra), overcommitError('MISSING_FEATURE', /meminfo-everywhere/));
  });

  test('throws on a patch target that occurs twice', () => {
    const twice = shipped.replace('debug thres $thres', 'debug thres $thres\n# s="`/bin/date`: $*"');
    assert.throws(() => patchKsmtunedScript(twice), overcommitError('MISSING_FEATURE', /'debug-timestamp'.*found 2/));
  });
});
