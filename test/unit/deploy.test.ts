import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseConfig } from '../../src/agent/config.js';
import { AGENT_NODE_FLAGS } from '../../src/agent/node-flags.js';

test('deploy/config.example.yaml is a valid agent config', async () => {
  const text = await readFile(new URL('../../deploy/config.example.yaml', import.meta.url), 'utf8');
  const cfg = parseConfig(parse(text), 'config.example.yaml');
  assert.equal(cfg.guests.libvirt.enabled, true);
  assert.equal(cfg.policy.balloon.floorBytes, 256 * 1024 * 1024);
  assert.equal(cfg.http.tokenFile, '/etc/overcommit/token');
});

test('the systemd unit runs the agent with that config, reloads on HUP, restores on TERM', async () => {
  const unit = await readFile(new URL('../../deploy/overcommit-agent.service', import.meta.url), 'utf8');
  const exec = /^ExecStart=\/usr\/bin\/env node (.*) \/usr\/local\/bin\/overcommit agent --config (\S+)$/m.exec(unit);
  assert.ok(exec, 'ExecStart runs node with flags on the installed overcommit');
  assert.deepEqual(exec[1]?.split(' '), [...AGENT_NODE_FLAGS], 'the flags of src/agent/node-flags.ts');
  assert.equal(exec[2], '/etc/overcommit/config.yaml');
  assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  assert.match(unit, /^KillSignal=SIGTERM$/m);
  assert.match(unit, /^WantedBy=multi-user\.target$/m);
});
