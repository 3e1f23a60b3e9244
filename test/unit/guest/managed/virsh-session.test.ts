/**
 * The virsh session: the transcript parser on a session captured from a real virsh (libvirt 9.0.0), and the session
 * against a fake `virsh -q` that behaves the same way (test/fakes/virsh-session.sh).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CommandError } from '../../../../src/errors.js';
import type { RunResult } from '../../../../src/util/exec.js';
import { VirshSession, plainArgs, sessionInput, takeReply } from '../../../../src/guest/managed/virsh-session.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/virsh/', import.meta.url));
const FAKE = fileURLToPath(new URL('../../../fakes/virsh-session.sh', import.meta.url));
const RUNNING = join(FIXTURES, 'domstats-balloon-running.txt');

describe('virsh session transcript (captured)', () => {
  const out = readFileSync(join(FIXTURES, 'session-stdout.txt'), 'utf8');
  const err = readFileSync(join(FIXTURES, 'session-stderr.txt'), 'utf8');

  test('each reply is what came before its markers, less the echoed commands; an error line fails it', () => {
    const first = takeReply(out, err, 'cafe0001', 1);
    assert.ok(first);
    assert.deepEqual(
      first.result,
      { stdout: '', stderr: '', exitCode: 0, signal: null, durationMs: 0 },
      'domstats with no domain: nothing',
    );
    const second = takeReply(first.out, first.err, 'cafe0001', 2);
    assert.ok(second);
    assert.deepEqual(second.result, {
      stdout: '',
      stderr: "error: failed to get domain 'nosuch'\n",
      exitCode: 1,
      signal: null,
      durationMs: 0,
    });
    assert.equal(second.err, '');
  });

  test('no reply until both markers are there', () => {
    const cut = out.indexOf('__ovccafe0001_1');
    assert.equal(takeReply(out.slice(0, cut), err, 'cafe0001', 1), undefined);
    assert.equal(takeReply(out, '', 'cafe0001', 1), undefined);
    assert.equal(takeReply(out, err, 'other', 1), undefined);
  });

  test('what is typed: the command, then the markers quoted so their echo cannot match', () => {
    assert.equal(
      sessionInput(['domstats', '--balloon'], 'ab12', 7),
      "domstats --balloon\necho --err '__ovc'ab12_7\necho '__ovc'ab12_7\n",
    );
    assert.equal(plainArgs(['domstats', '--balloon', '--list-running', '--nowait']), true);
    assert.equal(plainArgs(['setmem', 'my vm', '1024']), false);
    assert.equal(plainArgs(["it's"]), false);
    assert.equal(plainArgs([]), false);
  });
});

describe('VirshSession (fake virsh -q)', { timeout: 20_000 }, () => {
  async function session(t: { after: (fn: () => Promise<void> | void) => void }, recycleAfter?: number) {
    const dir = await mkdtemp(join(tmpdir(), 'ovc-vsession-'));
    const log = join(dir, 'log');
    process.env.FAKE_VIRSH_LOG = log;
    process.env.FAKE_VIRSH_DOMSTATS = RUNNING;
    const s = new VirshSession(FAKE, 'qemu:///system', recycleAfter);
    t.after(async () => {
      s.close();
      delete process.env.FAKE_VIRSH_LOG;
      delete process.env.FAKE_VIRSH_DOMSTATS;
      await rm(dir, { recursive: true, force: true });
    });
    const typed = async () => (await readFile(log, 'utf8').catch(() => '')).trim().split('\n');
    return { s, typed };
  }

  test('commands share one virsh and come back in order, output and failures apart', async (t) => {
    const { s, typed } = await session(t);
    const [a, b, c] = await Promise.all([
      s.run(['domstats', '--balloon', '--list-running', '--nowait'], 5000),
      s.run(['fail'], 5000),
      s.run(['domstats', '--balloon', '--list-running', '--nowait'], 5000),
    ]);
    // A session's reply has no signal of its own; its duration (from the ask) varies.
    const outcome = (r: RunResult) => ({ stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, signal: r.signal });
    assert.deepEqual(outcome(a), { stdout: readFileSync(RUNNING, 'utf8'), stderr: '', exitCode: 0, signal: null });
    assert.deepEqual(outcome(b), {
      stdout: '',
      stderr: "error: failed to get domain 'x'\n",
      exitCode: 1,
      signal: null,
    });
    assert.ok(a.durationMs >= 0 && b.durationMs >= 0);
    assert.deepEqual(outcome(c), outcome(a));
    assert.equal(s.started, 1);
    const lines = await typed();
    assert.equal(new Set(lines.map((l) => l.split(' ')[0])).size, 1, 'one process typed into');
    assert.equal(lines.length, 9, 'three commands, each with two markers');
  });

  test('a command that does not answer in time kills the session; the next one starts a fresh one', async (t) => {
    const { s } = await session(t);
    const first = s.pid === undefined ? await s.run(['domstats'], 5000) : undefined;
    assert.equal(first?.exitCode, 0);
    const pid = s.pid;
    const t0 = Date.now();
    const e = await s.run(['hang'], 200).catch((x: unknown) => x);
    assert.ok(e instanceof CommandError, String(e));
    assert.match(e.message, /no answer within 200 ms/);
    assert.ok(Date.now() - t0 < 2000);
    const again = await s.run(['domstats'], 5000);
    assert.equal(again.exitCode, 0);
    assert.equal(s.started, 2);
    assert.notEqual(s.pid, pid);
  });

  test('a virsh that dies fails the command in flight; the next one starts a fresh one', async (t) => {
    const { s } = await session(t);
    const e = await s.run(['die'], 5000).catch((x: unknown) => x);
    assert.ok(e instanceof CommandError, String(e));
    assert.match(e.message, /virsh session ended \(exit 3\)/);
    assert.equal((await s.run(['domstats'], 5000)).exitCode, 0);
    assert.equal(s.started, 2);
  });

  test('a virsh is let go after serving recycleAfter commands; the next command starts a fresh one', async (t) => {
    const { s, typed } = await session(t, 2);
    for (let i = 0; i < 5; i++) assert.equal((await s.run(['domstats'], 5000)).exitCode, 0);
    assert.equal(s.started, 3);
    const pids = (await typed()).map((l) => l.split(' ')[0]);
    assert.equal(new Set(pids).size, 3);
  });

  test('only plain arguments; nothing after close()', async (t) => {
    const { s } = await session(t);
    await assert.rejects(s.run(['setmem', 'my vm'], 1000), /not plain arguments/);
    assert.equal(s.started, 0, 'nothing started for it');
    s.close();
    await assert.rejects(s.run(['domstats'], 1000), /closed/);
  });
});
