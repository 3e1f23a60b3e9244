import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CommandError, UsageError } from '../../../../src/errors.js';
import { GuestGoneError, VirshOutputError, classifyFailure } from '../../../../src/guest/managed/errors.js';
import { LibvirtSource, type VirshRunner } from '../../../../src/guest/managed/libvirt.js';
import { pollGuests } from '../../../../src/guest/managed/poller.js';
import type { RunResult } from '../../../../src/util/exec.js';
import { virshFixture } from './virsh-fixture.js';

const ok = (stdout: string): RunResult => ({ stdout, stderr: '', exitCode: 0, signal: null, durationMs: 0 });
const fail = (stderr: string): RunResult => ({ stdout: '', stderr, exitCode: 1, signal: null, durationMs: 0 });

/** A fake virsh: answers from a table keyed by the joined arguments, records every call. */
function fakeVirsh(table: Record<string, RunResult | (() => RunResult)>) {
  const calls: string[] = [];
  const runner: VirshRunner = (args) => {
    const key = args.join(' ');
    calls.push(key);
    const r = table[key];
    if (r === undefined) return Promise.resolve(fail(`error: unexpected call: ${key}`));
    return Promise.resolve(typeof r === 'function' ? r() : r);
  };
  return { runner, calls };
}

const LIST = 'domstats --balloon --list-running --nowait';
const READ = 'domstats --balloon --list-running ovc-capture';
const MiB = 1024 * 1024;

describe('LibvirtSource (on captured virsh output)', () => {
  test('one domstats call lists the running domains; a poll right after is answered from it, no other call', async () => {
    const v = fakeVirsh({ [LIST]: ok(virshFixture('domstats-balloon-running.txt')) });
    const source = new LibvirtSource({ runner: v.runner, pidDir: false });
    const [g, ...rest] = await source.list();
    assert.ok(g);
    assert.equal(rest.length, 0);
    assert.equal(g.name, 'ovc-capture');
    assert.equal(g.source, 'libvirt');
    assert.equal(g.pid, undefined);
    const [poll] = await pollGuests([g], 1000);
    assert.equal(poll?.status, 'ok', poll?.error);
    assert.equal(poll?.snapshot?.memoryBytes, 256 * MiB);
    assert.equal(poll?.snapshot?.balloonActualBytes, 256 * MiB);
    assert.equal(poll?.snapshot?.stats?.stats.freeMemory, 173236 * 1024);
    assert.deepEqual(v.calls, [LIST]);
  });

  test('reads outside a listing: one shared domstats call for the domain', async () => {
    const v = fakeVirsh({
      [LIST]: ok(virshFixture('domstats-balloon-booting.txt')),
      [READ]: ok(virshFixture('domstats-balloon-ballooned.txt')),
    });
    const [g] = await new LibvirtSource({ runner: v.runner, pidDir: false }).list();
    assert.ok(g);
    const [memory, actual, stats] = await Promise.all([g.memoryBytes(), g.balloonActual(), g.stats()]);
    assert.equal(memory, 256 * MiB);
    assert.equal(actual, 128 * MiB);
    assert.equal(stats?.stats.availableMemory, 45496 * 1024);
    assert.deepEqual(v.calls, [LIST, READ]);
  });

  test('a listing older than a second is not used: the poll asks', async (t) => {
    const v = fakeVirsh({
      [LIST]: ok(virshFixture('domstats-balloon-running.txt')),
      [READ]: ok(virshFixture('domstats-balloon-ballooned.txt')),
    });
    const [g] = await new LibvirtSource({ runner: v.runner, pidDir: false }).list();
    assert.ok(g);
    t.mock.timers.enable({ apis: ['Date'], now: Date.now() + 1500 });
    const [poll] = await pollGuests([g], 1000);
    t.mock.timers.reset();
    assert.equal(poll?.snapshot?.balloonActualBytes, 128 * MiB);
    assert.deepEqual(v.calls, [LIST, READ]);
  });

  test('the same guest object from one list to the next; a domain that stopped drops out', async () => {
    let listing = virshFixture('domstats-balloon-running.txt');
    const v = fakeVirsh({ [LIST]: () => ok(listing) });
    const source = new LibvirtSource({ runner: v.runner, pidDir: false });
    const [a] = await source.list();
    const [b] = await source.list();
    assert.ok(a && a === b);
    listing = virshFixture('domstats-balloon-none.txt');
    assert.deepEqual(await source.list(), []);
  });

  test('pid from libvirt pid file; a restarted domain (new pid) is a new guest object', async (t) => {
    const pidDir = await mkdtemp(join(tmpdir(), 'libvirt-run-'));
    t.after(() => rm(pidDir, { recursive: true, force: true }));
    await writeFile(join(pidDir, 'ovc-capture.pid'), '16404');
    const v = fakeVirsh({ [LIST]: ok(virshFixture('domstats-balloon-running.txt')) });
    const source = new LibvirtSource({ runner: v.runner, pidDir });
    const [a] = await source.list();
    assert.equal(a?.pid, 16404);
    assert.equal((await source.list())[0], a);
    await writeFile(join(pidDir, 'ovc-capture.pid'), '17000');
    const [b] = await source.list();
    assert.equal(b?.pid, 17000);
    assert.notEqual(b, a);
  });

  test('setmem takes KiB, live', async () => {
    const v = fakeVirsh({
      [LIST]: ok(virshFixture('domstats-balloon-running.txt')),
      'setmem ovc-capture 131072 --live': ok(virshFixture('setmem-live.txt')),
    });
    const [g] = await new LibvirtSource({ runner: v.runner, pidDir: false }).list();
    assert.ok(g);
    await g.setBalloon(128 * MiB + 1000); // rounded down to whole KiB
    assert.equal(v.calls.at(-1), 'setmem ovc-capture 131072 --live');
    await assert.rejects(g.setBalloon(0), UsageError);
    await assert.rejects(g.setBalloon(1.5e9 + 0.5), UsageError);
  });

  test('no statistics yet: the listing sets the period once (--period N --live), then leaves it alone', async () => {
    const v = fakeVirsh({
      [LIST]: ok(virshFixture('domstats-balloon-booting.txt')),
      'dommemstat ovc-capture --period 2 --live': ok(virshFixture('dommemstat-period.txt')),
    });
    const source = new LibvirtSource({ runner: v.runner, pidDir: false, statsPeriodSeconds: 2 });
    const [g] = await source.list();
    await source.list();
    assert.ok(g);
    assert.equal(g.cachedPoll?.()?.stats, undefined);
    assert.deepEqual(v.calls, [LIST, 'dommemstat ovc-capture --period 2 --live', LIST]);
  });

  test('a failed period call is not made again (no balloon device fails it every time); without statsPeriodSeconds it is never made', async () => {
    const v = fakeVirsh({ [LIST]: ok(virshFixture('domstats-balloon-booting.txt')) });
    const source = new LibvirtSource({ runner: v.runner, pidDir: false, statsPeriodSeconds: 2 });
    const [g] = await source.list();
    await source.list();
    assert.equal(v.calls.filter((c) => c.includes('--period')).length, 1);
    assert.equal(g?.cachedPoll?.()?.balloonActualBytes, 256 * MiB, 'the guest is still polled');
    const w = fakeVirsh({ [LIST]: ok(virshFixture('domstats-balloon-booting.txt')) });
    await new LibvirtSource({ runner: w.runner, pidDir: false }).list();
    assert.deepEqual(w.calls, [LIST]);
  });

  test('a domain that stopped or vanished: GuestGoneError (status gone); other failures: CommandError', async () => {
    const v = fakeVirsh({
      [LIST]: ok(virshFixture('domstats-balloon-running.txt')),
      [READ]: ok(virshFixture('domstats-balloon-none.txt')), // --list-running DOM prints nothing once DOM stopped
      'setmem ovc-capture 524288 --live': fail(virshFixture('setmem-over-max.stderr.txt')),
    });
    const [g] = await new LibvirtSource({ runner: v.runner, pidDir: false }).list();
    assert.ok(g);
    const e1 = await g.balloonActual().catch((e: unknown) => e);
    assert.ok(e1 instanceof GuestGoneError);
    assert.match(e1.message, /guest ovc-capture is gone: libvirt: the domain is not running/);
    assert.equal(classifyFailure(e1), 'gone');
    const e3 = await g.setBalloon(512 * MiB).catch((e: unknown) => e);
    assert.ok(e3 instanceof CommandError);
    assert.match(e3.message, /cannot set memory higher than max memory/);
    assert.equal(classifyFailure(e3), 'error');
    const w = fakeVirsh({
      [LIST]: ok(virshFixture('domstats-balloon-running.txt')),
      [READ]: fail(virshFixture('domstats-no-domain.stderr.txt')),
    });
    const [h] = await new LibvirtSource({ runner: w.runner, pidDir: false }).list();
    const e2 = await h?.stats().catch((e: unknown) => e);
    assert.ok(e2 instanceof GuestGoneError);
    assert.equal(await h?.memoryBytes(), 256 * MiB, 'the ceiling comes from the listing, without a call');
    assert.equal(w.calls.filter((c) => c === READ).length, 1);
  });

  test('libvirtd down: list fails with a CommandError that names the URI', async () => {
    const v = fakeVirsh({
      [LIST]: fail(
        "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n",
      ),
    });
    const e = await new LibvirtSource({ runner: v.runner }).list().catch((x: unknown) => x);
    assert.ok(e instanceof CommandError);
    assert.match(e.hint, /qemu:\/\/\/system/);
  });

  test('a failed listing backs off: the same error without virsh for 1, 2, 4 ... 16 s, a success ends it', async () => {
    const down = fail(
      "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n",
    );
    let answer = down;
    const v = fakeVirsh({ [LIST]: () => answer });
    let now = 1_000_000;
    const source = new LibvirtSource({ runner: v.runner, pidDir: false, now: () => now });
    const tryAt = async (t: number) => {
      now = t;
      return source.list().catch((x: unknown) => x);
    };
    const first = await tryAt(1_000_000);
    assert.ok(first instanceof CommandError);
    // Each failure doubles the wait: calls go out at +0, +1, +3, +7, +15, +31, then every 16 s.
    const callsAt: number[] = [];
    for (let s = 0; s <= 50; s++) {
      const before = v.calls.length;
      const e = await tryAt(1_000_000 + s * 1000);
      assert.ok(e instanceof CommandError, `at +${s} s`);
      assert.equal(e.hint, first.hint);
      if (v.calls.length > before) callsAt.push(s);
    }
    assert.deepEqual(callsAt, [1, 3, 7, 15, 31, 47]);
    answer = ok(virshFixture('domstats-balloon-running.txt'));
    assert.ok((await tryAt(1_000_000 + 62_999)) instanceof CommandError, 'still backing off');
    const back = await tryAt(1_000_000 + 63_000);
    assert.ok(Array.isArray(back) && back.length === 1, 'libvirtd back: listed');
    answer = down;
    const calls = v.calls.length;
    assert.ok((await tryAt(1_000_000 + 64_000)) instanceof CommandError);
    assert.ok((await tryAt(1_000_000 + 64_999)) instanceof CommandError);
    assert.ok((await tryAt(1_000_000 + 65_000)) instanceof CommandError);
    assert.equal(v.calls.length, calls + 2, 'a fresh failure backs off from 1 s again');
  });

  test('a domain listed without its live figures (busy: --nowait) is read on its own', async () => {
    // What libvirt prints for a domain it could not query (no job): current and maximum from the definition only,
    // as for a domain that is shut off (captured).
    const v = fakeVirsh({
      [LIST]: ok(virshFixture('domstats-balloon-shut-off.txt')),
      [READ]: ok(virshFixture('domstats-balloon-running.txt')),
    });
    const [g] = await new LibvirtSource({ runner: v.runner, pidDir: false }).list();
    assert.ok(g);
    assert.equal(g.cachedPoll?.(), undefined);
    const [poll] = await pollGuests([g], 1000);
    assert.equal(poll?.status, 'ok', poll?.error);
    assert.equal(poll?.snapshot?.stats?.stats.freeMemory, 173236 * 1024);
    assert.deepEqual(v.calls, [LIST, READ]);
  });

  test('output without balloon.current (defensive; libvirt prints it for every domain): a named error', async () => {
    const v = fakeVirsh({
      [LIST]: ok("Domain: 'x'\n  balloon.maximum=262144\n\n"),
      'domstats --balloon --list-running x': ok("Domain: 'x'\n  balloon.maximum=262144\n\n"),
    });
    const [g] = await new LibvirtSource({ runner: v.runner, pidDir: false }).list();
    assert.ok(g);
    assert.equal(g.cachedPoll?.(), undefined);
    const [poll] = await pollGuests([g], 1000);
    assert.equal(poll?.status, 'error');
    assert.match(poll?.error ?? '', /no balloon.current/);
    await assert.rejects(g.balloonActual(), VirshOutputError);
    assert.equal(await g.memoryBytes(), 256 * MiB);
  });

  test('the real runners spawn virsh -c URI with argument arrays: a session for the listing, one-shot for the rest', async () => {
    // A virsh that is not installed: ENOENT becomes a CommandError with an install hint.
    const source = new LibvirtSource({ virsh: '/nonexistent/virsh', uri: 'qemu:///session' });
    try {
      const e = await source.list().catch((x: unknown) => x);
      assert.ok(e instanceof CommandError);
      assert.deepEqual(e.context.args, ['-q', '-c', 'qemu:///session']);
      assert.match(e.message + e.hint, /install '\/nonexistent\/virsh'/);
      const one = await source.virsh(['setmem', 'vm', '1024', '--live']).catch((x: unknown) => x);
      assert.ok(one instanceof CommandError);
      assert.deepEqual(one.context.args, ['-c', 'qemu:///session', 'setmem', 'vm', '1024', '--live']);
    } finally {
      source.close();
    }
  });
});
