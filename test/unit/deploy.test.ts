import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseConfig } from '../../src/agent/config.js';

test('deploy/config.example.yaml is a valid agent config', async () => {
  const text = await readFile(new URL('../../deploy/config.example.yaml', import.meta.url), 'utf8');
  const cfg = parseConfig(parse(text), 'config.example.yaml');
  assert.equal(cfg.guests.libvirt.enabled, true);
  assert.equal(cfg.policy.balloon.floorBytes, 256 * 1024 * 1024);
  assert.equal(cfg.http.tokenFile, '/etc/overcommit/token');
});

test('the systemd unit runs the agent with that config, reloads on HUP, restores on TERM', async () => {
  const unit = await readFile(new URL('../../deploy/overcommit-agent.service', import.meta.url), 'utf8');
  assert.match(unit, /^ExecStart=\/usr\/local\/bin\/overcommit agent --config \/etc\/overcommit\/config\.yaml$/m);
  assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  assert.match(unit, /^KillSignal=SIGTERM$/m);
  assert.match(unit, /^WantedBy=multi-user\.target$/m);
});
