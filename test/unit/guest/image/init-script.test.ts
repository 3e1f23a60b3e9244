import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { controlHandler, initScript, MODULE_ORDER, READY_MARKER } from '../../../../src/guest/image/init-script.js';

test('init loads the virtio modules in dependency order and never exits', () => {
  const s = initScript();
  assert.match(s, new RegExp(`for m in ${MODULE_ORDER.join(' ')}; do`));
  assert.ok(MODULE_ORDER.indexOf('virtio_pci') > MODULE_ORDER.indexOf('virtio_pci_modern_dev'));
  assert.ok(MODULE_ORDER.indexOf('virtio_net') > MODULE_ORDER.indexOf('net_failover'));
  assert.match(s, /memcached -u root -m "\$MCMEM" -M -p 11211/);
  assert.match(s, new RegExp(READY_MARKER));
  assert.match(s, /while true; do sleep 3600; done\n$/);
});

test('init and the control handler are valid shell (sh -n)', () => {
  for (const text of [initScript(), controlHandler()]) {
    const r = spawnSync('sh', ['-n'], { input: text.replace(/^#!.*\n/, '') });
    assert.equal(r.status, 0, r.stderr.toString());
  }
});
