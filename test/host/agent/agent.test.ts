/**
 * Issue 6's host test: `overcommit agent` manages two real TCG guests through their QMP sockets; a real Prometheus
 * (Debian package) scrapes it and PromQL returns overcommit_ metrics for both; the dashboard opens in headless
 * Chromium, shows both guests and a number that changes; writes without the token get 401; SIGTERM restores the
 * host. A second run with --dry-run changes nothing on the host.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Guest } from '../../../src/guest/guest.js';
import { startGuest } from '../../../src/guest/start.js';
import { HostJournal, loadJournal } from '../../../src/host/journal/journal.js';
import { restoreHost } from '../../../src/host/journal/restore.js';
import { diffSnapshots, hostSnapshot } from '../../../src/host/journal/snapshot.js';
import { launchChromium } from '../browser.js';
import { startCli, type CliResult } from '../cli-helpers.js';
import { freePort } from '../../helpers/memcached.js';
import { paths, requireHost, tempStateDir, waitFor } from '../helpers.js';

const MiB = 1024 * 1024;
const TOKEN = 'agent-test-token-0123456789';

interface RunningAgent {
  url: string;
  child: ChildProcess;
  done: Promise<CliResult>;
  stdout: () => string;
}

async function startAgent(stateDir: string, config: string, extra: string[] = []): Promise<RunningAgent> {
  let out = '';
  let err = '';
  const { child, done } = startCli(['--state-dir', stateDir, 'agent', '--config', config, ...extra]);
  child.stdout?.on('data', (d: string) => (out += d));
  child.stderr?.on('data', (d: string) => (err += d));
  const url = await waitFor(
    'the agent to listen',
    () => {
      if (child.exitCode !== null) throw new Error(`agent exited: ${err}${out}`);
      return Promise.resolve(/overcommit agent: (http:\/\/\S+\/) /.exec(err)?.[1]);
    },
    30_000,
  );
  return { url, child, done, stdout: () => out };
}

async function stopAgent(a: RunningAgent): Promise<CliResult> {
  a.child.kill('SIGTERM');
  return a.done;
}

describe('overcommit agent on real guests', () => {
  let dir = '';
  let journal: HostJournal;
  const guests: Guest[] = [];
  let ok = false;

  before(async () => {
    dir = await tempStateDir();
  });

  after(async () => {
    for (const g of guests) g.close();
    if (ok) await restoreHost(paths, join(dir, 'guests'), { force: true });
    await rm(dir, { recursive: true, force: true });
  });

  test('Prometheus scrapes both guests, the dashboard is live, writes need the token, SIGTERM restores', async (t) => {
    if (!(await requireHost(t, ['root', 'qemu', 'ksm']))) return;
    journal = await HostJournal.begin(paths, join(dir, 'guests'), 'agent test guests');
    ok = true;
    const started = await Promise.all(
      ['ag1', 'ag2'].map((name) =>
        startGuest(journal, { stateDir: join(dir, 'guests'), name, memoryBytes: 192 * MiB, services: ['memcached'] }),
      ),
    );
    guests.push(...started.map((s) => s.guest));
    const config = join(dir, 'agent.yaml');
    await writeFile(
      config,
      [
        'tickSeconds: 1',
        'guests:',
        `  qmpSockets: ["${join(dir, 'guests', 'guests', '*', 'qmp.sock')}"]`,
        'http:',
        '  port: 0',
        `  token: ${TOKEN}`,
        // Host states off: this 24 GiB host is calm, so auto would leave KSM off; the KSM tuner alone acts at once
        // (starts ksmd for the new guests), which gives restore and the dry run something to show.
        'policy:',
        '  hostStates: { enabled: false }',
        '',
      ].join('\n'),
    );
    const before = await hostSnapshot(paths);
    const agentDir = join(dir, 'agent');
    const a = await startAgent(agentDir, config);
    let prom: ChildProcess | undefined;
    try {
      // The API sees both guests.
      const status = await waitFor(
        'both guests in /api/status',
        async () => {
          const s = (await (await fetch(`${a.url}api/status`)).json()) as {
            guests: { name: string; status: string }[];
          };
          return s.guests.filter((g) => g.status === 'ok').length === 2 && s;
        },
        30_000,
      );
      assert.deepEqual(status.guests.map((g) => g.name).sort(), ['ag1', 'ag2']);
      // Writes: no token 401, wrong token 401, right token 200.
      assert.equal((await fetch(`${a.url}api/pause`, { method: 'POST' })).status, 401);
      const wrong = await fetch(`${a.url}api/pause`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
      assert.equal(wrong.status, 401);
      const auth = { authorization: `Bearer ${TOKEN}` };
      assert.equal((await fetch(`${a.url}api/pause`, { method: 'POST', headers: auth })).status, 200);
      assert.equal((await fetch(`${a.url}api/resume`, { method: 'POST', headers: auth })).status, 200);

      // A real Prometheus scrapes it; PromQL returns the guests' metrics.
      const port = new URL(a.url).port;
      const promPort = await freePort();
      const promDir = join(dir, 'prometheus');
      await mkdir(promDir, { recursive: true });
      await writeFile(
        join(promDir, 'prometheus.yml'),
        `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: overcommit\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n`,
      );
      prom = spawn(
        'prometheus',
        [
          `--config.file=${join(promDir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(promDir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        { stdio: 'ignore' },
      );
      const q = encodeURIComponent('overcommit_guest_balloon_actual_bytes');
      const series = await waitFor(
        'PromQL to return both guests',
        async () => {
          const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${q}`).catch(() => undefined);
          if (!r?.ok) return undefined;
          const body = (await r.json()) as {
            data: { result: { metric: { guest: string }; value: [number, string] }[] };
          };
          return body.data.result.length === 2 && body.data.result;
        },
        60_000,
      );
      assert.deepEqual(series.map((s) => s.metric.guest).sort(), ['ag1', 'ag2']);
      for (const s of series) assert.ok(Number(s.value[1]) > 100 * MiB, `${s.metric.guest}: ${s.value[1]}`);

      // The dashboard, offline, in a real browser: both guests, a tick counter that moves.
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const external: string[] = [];
        page.on('request', (r) => {
          if (!r.url().startsWith(a.url)) external.push(r.url());
        });
        await page.goto(a.url);
        await page.locator('[data-guest="ag1"]').waitFor({ timeout: 15_000 });
        await page.locator('[data-guest="ag2"]').waitFor({ timeout: 15_000 });
        const t1 = await page.locator('#tick').innerText();
        await page.screenshot({ path: join(dir, 'dashboard-1.png') });
        await new Promise((r) => setTimeout(r, 2500));
        const t2 = await page.locator('#tick').innerText();
        await page.screenshot({ path: join(dir, 'dashboard-2.png') });
        assert.notEqual(t1, t2, 'the tick counter changed between two screenshots');
        assert.deepEqual(external, []);
      } finally {
        await browser.close();
      }
    } finally {
      prom?.kill('SIGTERM');
      const r = await stopAgent(a);
      assert.equal(r.code, 0, r.stderr.slice(-2000));
    }
    assert.deepEqual(diffSnapshots(before, await hostSnapshot(paths)), [], 'SIGTERM restored the host');
    assert.equal(await loadJournal(agentDir), undefined, 'the agent left no journal');
    assert.match(a.stdout(), /"msg":"acted"/, 'the agent changed the host (KSM)');
    assert.match(a.stdout(), /"msg":"host restored"/);
  });

  test('--dry-run decides and logs, changes nothing', async (t) => {
    if (!(await requireHost(t, ['root', 'qemu', 'ksm']))) return;
    if (guests.length < 2) return t.skip('needs the guests of the first test');
    const config = join(dir, 'agent.yaml');
    const before = await hostSnapshot(paths);
    const agentDir = join(dir, 'agent-dry');
    const a = await startAgent(agentDir, config, ['--dry-run']);
    try {
      await waitFor(
        'a dry-run decision in the log',
        () => Promise.resolve(/"msg":"would act"/.test(a.stdout())),
        30_000,
      );
      assert.deepEqual(diffSnapshots(before, await hostSnapshot(paths)), [], 'nothing changed while it ran');
      assert.equal(await loadJournal(agentDir), undefined, 'a dry run keeps no journal');
      // QEMU serves one QMP client at a time and the agent holds it: read the balloons through the agent.
      const st = (await (await fetch(`${a.url}api/status`)).json()) as {
        observation?: { guests: { name: string; balloonActualBytes?: number }[] };
      };
      const seen = st.observation?.guests ?? [];
      assert.equal(seen.length, 2);
      for (const g of seen) assert.equal(g.balloonActualBytes, 192 * MiB, `${g.name} balloon untouched`);
    } finally {
      const r = await stopAgent(a);
      assert.equal(r.code, 0, r.stderr.slice(-2000));
    }
    assert.deepEqual(diffSnapshots(before, await hostSnapshot(paths)), []);
  });
});
