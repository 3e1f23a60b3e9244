import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { QmpProtocolError } from '../../../../src/guest/qmp/errors.js';
import {
  guestNameFromSocket,
  parseMemorySizeSummary,
  parseQueryName,
  pickBalloonPath,
} from '../../../../src/guest/managed/qmp-discovery.js';

// Replies captured from QEMU 7.2.22 (Debian 12) through virsh qemu-monitor-command and a raw QMP socket.
const QUERY_NAME = JSON.parse('{"name":"ovc-lvtest"}') as unknown;
const MEMORY_SUMMARY = JSON.parse('{"base-memory":268435456,"plugged-memory":0}') as unknown;
const PERIPHERAL = JSON.parse(
  '[{"name":"type","type":"string"},{"name":"serial0","type":"child<isa-serial>"},' +
    '{"name":"balloon0","type":"child<virtio-balloon-pci>"},{"name":"pci.3","type":"child<pcie-root-port>"},' +
    '{"name":"usb","type":"child<qemu-xhci>"}]',
) as unknown;

describe('QMP discovery replies', () => {
  test('query-name: the name, or undefined for a QEMU without -name', () => {
    assert.equal(parseQueryName(QUERY_NAME), 'ovc-lvtest');
    assert.equal(parseQueryName({}), undefined);
    assert.equal(parseQueryName({ name: '  ' }), undefined);
    assert.throws(() => parseQueryName('x'), QmpProtocolError);
  });

  test('query-memory-size-summary: base + plugged', () => {
    assert.equal(parseMemorySizeSummary(MEMORY_SUMMARY), 268435456);
    assert.equal(parseMemorySizeSummary({ 'base-memory': 1024, 'plugged-memory': 512 }), 1536);
    assert.equal(parseMemorySizeSummary({ 'base-memory': 1024 }), 1024);
    for (const bad of [null, {}, { 'base-memory': 0 }, { 'base-memory': '1' }]) {
      assert.throws(() => parseMemorySizeSummary(bad), QmpProtocolError);
    }
  });

  test('qom-list: the first virtio-balloon child', () => {
    assert.equal(pickBalloonPath('/machine/peripheral', PERIPHERAL), '/machine/peripheral/balloon0');
    assert.equal(
      pickBalloonPath('/machine/peripheral-anon', [{ name: 'device[3]', type: 'child<virtio-balloon-ccw>' }]),
      '/machine/peripheral-anon/device[3]',
    );
    assert.equal(pickBalloonPath('/machine/peripheral', [{ name: 'type', type: 'string' }]), undefined);
    assert.equal(pickBalloonPath('/machine/peripheral', { not: 'a list' }), undefined);
  });

  test('a name from the socket path', () => {
    assert.equal(guestNameFromSocket('/run/vms/web1.qmp'), 'web1');
    assert.equal(guestNameFromSocket('/run/vms/web1.sock'), 'web1');
    assert.equal(guestNameFromSocket('/run/vms/web1'), 'web1');
    assert.equal(guestNameFromSocket('/var/lib/overcommit/guests/a1/qmp.sock'), 'a1');
    assert.equal(guestNameFromSocket('/var/lib/libvirt/qemu/domain-3-web1/monitor.sock'), 'web1');
    assert.equal(guestNameFromSocket('/qmp.sock'), 'qmp.sock');
  });
});
