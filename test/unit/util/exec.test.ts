/**
 * run(): a command's result carries its exit code, signal and duration; a timeout kills the command's whole process
 * group, grandchildren included (they held apt's and tar's pipes open before).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CommandError, describeExit } from '../../../src/errors.js';
import { run } from '../../../src/util/exec.js';

const node = process.execPath;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !alive(pid);
}

describe('run', () => {
  test('the result has stdout, stderr, exit code 0, no signal and a duration', async () => {
    const r = await run(node, [
      '-e',
      'process.stdout.write("out"); process.stderr.write("err"); setTimeout(() => {}, 120)',
    ]);
    assert.equal(r.stdout, 'out');
    assert.equal(r.stderr, 'err');
    assert.equal(r.exitCode, 0);
    assert.equal(r.signal, null);
    assert.ok(r.durationMs >= 100, `duration ${r.durationMs} ms`);
  });

  test('a non-zero exit is returned with allowFailure, thrown with the stderr tail otherwise', async () => {
    const args = ['-e', 'console.error("boom"); process.exit(3)'];
    assert.equal((await run(node, args, { allowFailure: true })).exitCode, 3);
    await assert.rejects(run(node, args, { hint: 'h' }), (e: unknown) => {
      assert.ok(e instanceof CommandError);
      assert.match(e.message, /failed \(exit 3\): boom$/);
      assert.equal(e.context.exitCode, 3);
      return true;
    });
  });

  test('a program that is not there: exit 127, command not found, with an install hint', async () => {
    await assert.rejects(run('/nonexistent/ovc-no-such-program', []), (e: unknown) => {
      assert.ok(e instanceof CommandError);
      assert.match(e.message, /exit 127: command not found/);
      assert.match(e.hint, /install/);
      return true;
    });
  });

  test('a command killed by a signal: exit 128 + its number, the signal in the result', async () => {
    const r = await run(node, ['-e', 'process.kill(process.pid, "SIGTERM")'], { allowFailure: true });
    assert.equal(r.signal, 'SIGTERM');
    assert.equal(r.exitCode, 143);
  });

  test('a timeout kills the process group: the grandchild dies with the child', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ovc-exec-'));
    const pidFile = join(dir, 'grandchild.pid');
    const script = `
      const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));
      setInterval(() => {}, 1000);`;
    try {
      const started = Date.now();
      await assert.rejects(run(node, ['-e', script], { timeoutMs: 1500 }), (e: unknown) => {
        assert.ok(e instanceof CommandError);
        assert.match(e.message, /killed after 1500 ms: timed out/);
        assert.equal(e.context.signal, 'SIGKILL');
        assert.equal(e.context.timeoutMs, 1500);
        return true;
      });
      assert.ok(Date.now() - started < 10_000);
      const pid = Number(await readFile(pidFile, 'utf8'));
      assert.ok(pid > 0);
      assert.ok(await waitGone(pid, 3000), `grandchild ${pid} survived the timeout`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an abort signal ends the command group with SIGTERM', async () => {
    const ac = new AbortController();
    const p = run(node, ['-e', 'setInterval(() => {}, 1000)'], { signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    await assert.rejects(p, /killed by SIGTERM/);
  });
});

describe('describeExit', () => {
  test('decodes what a shell would print', () => {
    assert.equal(describeExit(1), 'exit 1');
    assert.equal(describeExit(127), 'exit 127: command not found');
    assert.equal(describeExit(126), 'exit 126: not executable');
    assert.equal(describeExit(137), 'exit 137: killed (SIGKILL)');
    assert.equal(describeExit(null), 'exit signal');
    assert.equal(describeExit(null, { signal: 'SIGTERM' }), 'killed by SIGTERM');
    assert.equal(describeExit(null, { signal: 'SIGKILL', timeoutMs: 5 }), 'killed after 5 ms: timed out');
  });
});
