import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  argumentNamesSocket,
  findQemuPids,
  isQemuCommand,
  parseCmdline,
  qemuServesSocket,
} from '../../../../src/guest/managed/qemu-pid.js';

// The project's launcher and libvirt, as their QEMU command lines read in /proc/PID/cmdline.
const launcher = [
  'qemu-system-x86_64',
  '-name',
  'a1,process=ovc-8487df8b0c94',
  '-qmp',
  'unix:/var/lib/overcommit/guests/a1/qmp.sock,server=on,wait=off',
];
const chardev = [
  '/usr/bin/qemu-system-x86_64',
  '-chardev',
  'socket,id=charmonitor,path=/run/vms/web1.qmp,server=on,wait=off',
  '-mon',
  'chardev=charmonitor,id=monitor,mode=control',
];
const libvirt = ['/usr/bin/qemu-system-x86_64', '-chardev', 'socket,id=charmonitor,fd=29,server=on,wait=off'];

describe('QEMU process of a QMP socket', () => {
  test('parseCmdline: NUL-separated, NUL-terminated', () => {
    assert.deepEqual(parseCmdline('qemu-system-x86_64\x00-m\x00256M\x00'), ['qemu-system-x86_64', '-m', '256M']);
    assert.deepEqual(parseCmdline(''), []);
  });

  test('isQemuCommand looks at argv[0] only', () => {
    assert.ok(isQemuCommand(launcher));
    assert.ok(isQemuCommand(chardev));
    assert.ok(!isQemuCommand(['node', 'qemu-system-x86_64']));
    assert.ok(!isQemuCommand([]));
  });

  test('the socket path as a whole option value: unix:PATH, path=PATH', () => {
    assert.ok(qemuServesSocket(launcher, '/var/lib/overcommit/guests/a1/qmp.sock'));
    assert.ok(qemuServesSocket(chardev, '/run/vms/web1.qmp'));
    assert.ok(!qemuServesSocket(launcher, '/var/lib/overcommit/guests/a1/qmp'), 'a prefix is not the path');
    assert.ok(!qemuServesSocket(chardev, '/vms/web1.qmp'), 'a suffix is not the path');
    assert.ok(!qemuServesSocket(libvirt, '/var/lib/libvirt/qemu/domain-1-x/monitor.sock'), 'fd= cannot be matched');
    assert.ok(!qemuServesSocket(['node', 'unix:/run/vms/web1.qmp'], '/run/vms/web1.qmp'), 'not a QEMU');
  });

  test('argumentNamesSocket finds a later, delimited occurrence after an undelimited one', () => {
    assert.ok(argumentNamesSocket('path=/a/b.qmpx,path=/a/b.qmp', '/a/b.qmp'));
    assert.ok(argumentNamesSocket('/a/b.qmp', '/a/b.qmp'));
  });

  test('findQemuPids reads a /proc tree; two processes naming one socket: ambiguous, left out', async (t) => {
    const proc = await mkdtemp(join(tmpdir(), 'proc-'));
    t.after(() => rm(proc, { recursive: true, force: true }));
    const add = async (pid: string, argv: string[]) => {
      await mkdir(join(proc, pid));
      await writeFile(join(proc, pid, 'cmdline'), `${argv.join('\0')}\0`);
    };
    await add('100', launcher);
    await add('200', chardev);
    await add('201', chardev);
    await add('300', ['node', 'x']);
    await mkdir(join(proc, '400')); // exited between readdir and read: no cmdline
    await mkdir(join(proc, 'self'));
    const found = await findQemuPids(['/var/lib/overcommit/guests/a1/qmp.sock', '/run/vms/web1.qmp', '/x'], proc);
    assert.deepEqual([...found], [['/var/lib/overcommit/guests/a1/qmp.sock', 100]]);
    assert.deepEqual([...(await findQemuPids([], proc))], []);
    assert.deepEqual([...(await findQemuPids(['/x'], join(proc, 'missing')))], []);
  });
});
