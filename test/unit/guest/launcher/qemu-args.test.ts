import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelCmdline, qemuArgs, type QemuSpec } from '../../../../src/guest/launcher/qemu-args.js';

const spec: QemuSpec = {
  name: 'g1',
  marker: 'ovc-abc',
  memoryBytes: 256 * 1024 * 1024,
  vcpus: 2,
  accel: 'tcg',
  kernel: '/c/vmlinuz',
  initrd: '/c/initrd.cpio',
  services: ['memcached', 'iperf3'],
  memcachedMb: 176,
  token: 'tok',
  ports: { control: 40001, memcached: 40002, iperf3: 40003 },
  qmpSocket: '/s/qmp.sock',
  serialLog: '/s/serial.log',
  pidFile: '/s/qemu.pid',
  tcgTbSizeMb: 32,
};

const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

test('qemuArgs: TCG options in one -accel, memory, balloon with deflate-on-oom and free page reporting', () => {
  const a = qemuArgs(spec);
  assert.equal(a.filter((x) => x === '-accel').length, 1);
  assert.equal(after(a, '-accel'), 'tcg,tb-size=32');
  assert.equal(after(a, '-m'), '256M');
  assert.equal(after(a, '-smp'), '2');
  assert.equal(after(a, '-cpu'), 'max');
  assert.ok(a.includes('virtio-balloon-pci,id=balloon0,deflate-on-oom=on,free-page-reporting=on'));
  assert.equal(after(a, '-qmp'), 'unix:/s/qmp.sock,server=on,wait=off');
  assert.equal(after(a, '-name'), 'g1,process=ovc-abc');
  assert.ok(!a.includes('-drive'));
});

test('qemuArgs: hostfwd binds loopback only; KVM uses -cpu host; a disk becomes virtio-blk', () => {
  const a = qemuArgs({ ...spec, accel: 'kvm', disk: '/s/disk.img' });
  const net = after(a, '-netdev') ?? '';
  assert.match(net, /hostfwd=tcp:127\.0\.0\.1:40001-:7000/);
  assert.match(net, /hostfwd=tcp:127\.0\.0\.1:40002-:11211/);
  assert.match(net, /hostfwd=tcp:127\.0\.0\.1:40003-:5201/);
  assert.doesNotMatch(net, /hostfwd=tcp::/);
  assert.equal(after(a, '-accel'), 'kvm');
  assert.equal(after(a, '-cpu'), 'host');
  assert.equal(after(a, '-drive'), 'file=/s/disk.img,format=raw,if=none,id=scratch,cache=none,aio=threads');
  assert.ok(a.includes('virtio-blk-pci,drive=scratch,serial=ovc-scratch'), 'the scratch disk is found by serial');
  const t = qemuArgs({ ...spec, tools: '/c/tools.squashfs' });
  assert.equal(after(t, '-drive'), 'file=/c/tools.squashfs,format=raw,if=none,id=tools,readonly=on');
  assert.ok(t.includes('virtio-blk-pci,drive=tools,serial=ovc-tools'));
});

test('kernelCmdline passes services, memcached size and the control token to /init', () => {
  const c = kernelCmdline(spec);
  assert.match(c, /console=ttyS0/);
  assert.match(c, /ovc\.services=memcached,iperf3/);
  assert.match(c, /ovc\.mcmem=176/);
  assert.match(c, /ovc\.token=tok/);
  assert.match(kernelCmdline({ ...spec, services: [] }), /ovc\.services=none/);
});
