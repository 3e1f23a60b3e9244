import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CommandError, UsageError } from '../../../../src/errors.js';
import { GuestGoneError, VirshOutputError, classifyFailure } from '../../../../src/guest/sources/errors.js';
import { LibvirtSource, type VirshRunner } from '../../../../src/guest/sources/libvirt.js';
import type { RunResult } from '../../../../src/util/exec.js';
import { virshFixture } from './virsh-fixture.js';

const ok = (stdout: string): RunResult => ({ stdout, stderr: '', exitCode: 0 });
const fail = (stderr: string): RunResult => ({ stdout: '', stderr, exitCode: 1 });

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

describe('LibvirtSource (on captured virsh output)', () => {
  test('lists running domains; memory from dominfo (once), actual and stats from one shared dommemstat', async () => {
    const v = fakeVirsh({
      'list --name --state-running': ok(virshFixture('list-name-running.txt')),
      'dominfo ovc-lvtest': ok(virshFixture('dominfo-running.txt')),
      'dommemstat ovc-lvtest': ok(virshFixture('dommemstat-running.txt')),
    });
    const source = new LibvirtSource({ runner: v.runner, pidDir: false });
    const [g, ...rest] = await source.list();
    assert.ok(g);
    assert.equal(rest.length, 0);
    assert.equal(g.name, 'ovc-lvtest');
    assert.equal(g.source, 'libvirt');
    assert.equal(g.pid, undefined);
    const [memory, actual, stats] = await Promise.all([g.memoryBytes(), g.balloonActual(), g.stats()]);
    assert.equal(memory, 256 * 1024 * 1024);
    assert.equal(actual, 256 * 1024 * 1024);
    assert.equal(stats?.stats.freeMemory, 171948 * 1024);
    assert.equal(await g.memoryBytes(), memory);
    assert.deepEqual(v.calls, ['list --name --state-running', 'dominfo ovc-lvtest', 'dommemstat ovc-lvtest']);
  });

  test('the same guest object from one list to the next; a domain that stopped drops out', async () => {
    let names = virshFixture('list-name-running.txt');
    const v = fakeVirsh({ 'list --name --state-running': () => ok(names) });
    const source = new LibvirtSource({ runner: v.runner, pidDir: false });
    const [a] = await source.list();
    const [b] = await source.list();
    assert.ok(a && a === b);
    names = virshFixture('list-name-running-empty.txt');
    assert.deepEqual(await source.list(), []);
  });

  test('pid from libvirt pid file; a restarted domain (new pid) is a new guest object', async (t) => {
    const pidDir = await mkdtemp(join(tmpdir(), 'libvirt-run-'));
    t.after(() => rm(pidDir, { recursive: true, force: true }));
    await writeFile(join(pidDir, 'ovc-lvtest.pid'), '16404');
    const v = fakeVirsh({ 'list --name --state-running': ok('ovc-lvtest\n\n') });
    const source = new LibvirtSource({ runner: v.runner, pidDir });
    const [a] = await source.list();
    assert.equal(a?.pid, 16404);
    assert.equal((await source.list())[0], a);
    await writeFile(join(pidDir, 'ovc-lvtest.pid'), '17000');
    const [b] = await source.list();
    assert.equal(b?.pid, 17000);
    assert.notEqual(b, a);
  });

  test('setmem takes KiB, live', async () => {
    const v = fakeVirsh({
      'list --name --state-running': ok('ovc-lvtest\n\n'),
      'setmem ovc-lvtest 131072 --live': ok(virshFixture('setmem-live.txt')),
    });
    const [g] = await new LibvirtSource({ runner: v.runner, pidDir: false }).list();
    assert.ok(g);
    await g.setBalloon(128 * 1024 * 1024 + 1000); // rounded down to whole KiB
    assert.equal(v.calls.at(-1), 'setmem ovc-lvtest 131072 --live');
    await assert.rejects(g.setBalloon(0), UsageError);
    await assert.rejects(g.setBalloon(1.5e9 + 0.5), UsageError);
  });

  test('no statistics yet: the period is set once (--period N --live), then left alone', async () => {
    const v = fakeVirsh({
      'list --name --state-running': ok('ovc-lvtest\n\n'),
      'dommemstat ovc-lvtest': ok(virshFixture('dommemstat-booting.txt')),
      'dommemstat ovc-lvtest --period 2 --live': ok(virshFixture('dommemstat-period.txt')),
    });
    const [g] = await new LibvirtSource({ runner: v.runner, pidDir: false, statsPeriodSeconds: 2 }).list();
    assert.ok(g);
    assert.equal(await g.stats(), undefined);
    assert.equal(await g.stats(), undefined);
    assert.equal(v.calls.filter((c) => c.includes('--period')).length, 1);
    assert.equal(await g.balloonActual(), 262144 * 1024);
  });

  test('without statsPeriodSeconds the period is never touched', async () => {
    const v = fakeVirsh({
      'list --name --state-running': ok('ovc-lvtest\n\n'),
      'dommemstat ovc-lvtest': ok(virshFixture('dommemstat-booting.txt')),
    });
    const [g] = await new LibvirtSource({ runner: v.runner, pidDir: false }).list();
    assert.equal(await g?.stats(), undefined);
    assert.ok(!v.calls.some((c) => c.includes('--period')));
  });

  test('a domain that stopped or vanished: GuestGoneError (status gone); other failures: CommandError', async () => {
    const v = fakeVirsh({
      'list --name --state-running': ok('ovc-lvtest\nnosuch\n\n'),
      'dommemstat ovc-lvtest': fail(virshFixture('dommemstat-shut-off.stderr.txt')),
      'dominfo nosuch': fail(virshFixture('dommemstat-no-domain.stderr.txt')),
      'setmem ovc-lvtest 524288 --live': fail(virshFixture('setmem-over-max.stderr.txt')),
    });
    const [stopped, missing] = await new LibvirtSource({ runner: v.runner, pidDir: false }).list();
    assert.ok(stopped && missing);
    const e1 = await stopped.balloonActual().catch((e: unknown) => e);
    assert.ok(e1 instanceof GuestGoneError);
    assert.match(
      e1.message,
      /guest ovc-lvtest is gone: libvirt: Requested operation is not valid: domain is not running/,
    );
    assert.equal(classifyFailure(e1), 'gone');
    const e2 = await missing.memoryBytes().catch((e: unknown) => e);
    assert.ok(e2 instanceof GuestGoneError);
    const e3 = await stopped.setBalloon(512 * 1024 * 1024).catch((e: unknown) => e);
    assert.ok(e3 instanceof CommandError);
    assert.match(e3.message, /cannot set memory higher than max memory/);
    assert.equal(classifyFailure(e3), 'error');
  });

  test('libvirtd down: list fails with a CommandError that names the URI', async () => {
    const v = fakeVirsh({
      'list --name --state-running': fail(
        "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n",
      ),
    });
    const e = await new LibvirtSource({ runner: v.runner }).list().catch((x: unknown) => x);
    assert.ok(e instanceof CommandError);
    assert.match(e.hint, /qemu:\/\/\/system/);
  });

  test('output virsh may print without a balloon: named errors, and memory is read again next time', async () => {
    let info = 'Id: 1\nName: x\n';
    const v = fakeVirsh({
      'list --name --state-running': ok('x\n'),
      'dommemstat x': ok('rss 1000\n'),
      'dominfo x': () => ok(info),
    });
    const [g] = await new LibvirtSource({ runner: v.runner, pidDir: false }).list();
    assert.ok(g);
    await assert.rejects(g.balloonActual(), VirshOutputError);
    await assert.rejects(g.memoryBytes(), VirshOutputError);
    info = virshFixture('dominfo-running.txt');
    assert.equal(await g.memoryBytes(), 262144 * 1024);
  });

  test('the real runner spawns virsh -c URI with an argument array', async () => {
    // A virsh that is not installed: run() turns ENOENT into a CommandError with an install hint.
    const source = new LibvirtSource({ virsh: '/nonexistent/virsh', uri: 'qemu:///session' });
    const e = await source.list().catch((x: unknown) => x);
    assert.ok(e instanceof CommandError);
    assert.deepEqual(e.context.args, ['-c', 'qemu:///session', 'list', '--name', '--state-running']);
  });
});
